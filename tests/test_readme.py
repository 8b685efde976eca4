"""The README stays true: every command and setting in the code is documented, and back."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from api.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def commands(parser: argparse.ArgumentParser, prefix: str = "vouch") -> set[str]:
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                deeper = commands(sub, f"{prefix} {name}")
                found |= deeper or {f"{prefix} {name}"}
    return found


def test_every_command_is_in_the_readme_table_and_nothing_else() -> None:
    documented = set(re.findall(r"^\| `(vouch [a-z-]+(?: [a-z]+)?)", README, flags=re.M))

    assert documented == commands(build_parser())


def test_every_setting_the_code_reads_is_documented() -> None:
    code = "\n".join(p.read_text() for p in (ROOT / "api").rglob("*.py"))
    read = set(re.findall(r'"(VOUCH_[A-Z_]+)"', code))

    missing = {name for name in read if f"`{name}`" not in README}
    assert read, "no settings found: has the code moved?"
    assert missing == set()


DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and <a href="target">, and a path in backquotes that leaves its folder.
LINK = re.compile(r"\]\(([^)\s]+)\)|href=\"([^\"]+)\"|`(\.\./[^`\s]+)`")


def relative_links(document: Path) -> list[str]:
    text = document.read_text()
    found = ["".join(groups) for groups in LINK.findall(text)]
    return [link for link in found if not re.match(r"[a-z]+:|#|/", link)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_resolves_to_a_file_of_the_repository(document: Path) -> None:
    links = relative_links(document)
    broken = [
        link
        for link in links
        if not (target := (document.parent / link.split("#")[0]).resolve()).exists()
        or not target.is_relative_to(ROOT)
    ]

    assert links, "no links found: has the pattern stopped matching?"
    assert broken == [], f"{document.name} links outside the repository or to nothing"
