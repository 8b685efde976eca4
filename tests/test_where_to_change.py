"""The README's "Where to change what" stays true: every file it names exists and holds
the names given beside it, for each of the four changes a newcomer makes most."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CHANGES = (
    "A new figure",
    "A new search facet",
    "A new matching factor",
    "A new survey question",
)
TICKED = re.compile(r"`([^`]+)`")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def section() -> str:
    found = re.search(r"^## Where to change what\n(.*?)^## ", README, flags=re.M | re.S)
    assert found, "the README has no section 'Where to change what'"
    return found.group(1)


def lists() -> dict[str, list[str]]:
    """Each change's heading (up to its parenthesis) -> its bullets, each on one line."""
    found: dict[str, list[str]] = {}
    for part in re.split(r"^### ", section(), flags=re.M)[1:]:
        heading, _, body = part.partition("\n")
        bullets = re.split(r"^- ", body, flags=re.M)[1:]
        found[heading.split(" (")[0]] = [" ".join(bullet.split()) for bullet in bullets]
    return found


def is_path(text: str) -> bool:
    return "/" in text or bool(re.fullmatch(r"[\w.-]+\.(py|md|graphql|toml)", text))


def test_the_section_sits_before_the_layout_and_lists_the_four_changes() -> None:
    assert README.index("## Where to change what") < README.index("## Layout")
    found = lists()

    assert tuple(found) == CHANGES
    assert all(len(bullets) >= 5 for bullets in found.values()), found


def test_every_path_in_the_section_exists() -> None:
    paths = [text for text in TICKED.findall(section()) if is_path(text)]

    assert len(paths) >= 30
    assert [path for path in paths if not (ROOT / path).exists()] == []


def missing_names(bullet: str) -> list[str]:
    """The names given beside a bullet's file (its first path) that the file does not hold."""
    ticked = TICKED.findall(bullet)
    target = ROOT / ticked[0]
    if target.is_dir():
        return []
    code = target.read_text()
    names = [text for text in ticked[1:] if NAME.fullmatch(text) and not is_path(text)]
    return [name for name in names if not re.search(rf"\b{name}\b", code)]


@pytest.mark.parametrize("change", CHANGES)
def test_every_bullet_starts_with_a_file_that_holds_the_names_beside_it(change: str) -> None:
    bullets = lists()[change]

    assert [bullet for bullet in bullets if not re.match(r"`[^`]+`", bullet)] == []
    assert [bullet for bullet in bullets if not (ROOT / TICKED.findall(bullet)[0]).exists()] == []
    assert {bullet: missing_names(bullet) for bullet in bullets if missing_names(bullet)} == {}


def test_a_name_the_file_no_longer_holds_is_caught() -> None:
    bullet = "`api/vocabulary.py`: its name in `RATING_FIELDS` or `NO_SUCH_FIELDS`"

    assert missing_names(bullet) == ["NO_SUCH_FIELDS"]
