"""The command line a newcomer meets: every setting and option explained, sentences back."""

from __future__ import annotations

import argparse
import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from api import migrations
from api.cli import build_parser
from api.settings import parse_database_url
from tests.cli_runner import vouch_at

ROOT = Path(__file__).resolve().parent.parent


def parsers(
    parser: argparse.ArgumentParser, name: str = "vouch"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from parsers(sub, f"{name} {sub_name}")


def arguments() -> Iterator[tuple[str, argparse.Action]]:
    for name, parser in parsers(build_parser()):
        for action in parser._actions:
            if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                yield name, action


def test_vouch_help_lists_every_setting() -> None:
    source = (ROOT / "api" / "settings.py").read_text()
    read = set(re.findall(r'"(VOUCH_[A-Z_]+)"', source))
    shown = build_parser().format_help()

    assert {"VOUCH_RATE_LIMIT", "VOUCH_REDIS_URL", "VOUCH_DATABASE_URL"} <= read
    assert sorted(name for name in read if name not in shown) == []


def test_every_argument_of_every_command_has_help() -> None:
    unexplained = [
        f"{name} {action.option_strings or action.dest}"
        for name, action in arguments()
        if not action.help
    ]

    assert unexplained == []


def test_every_option_with_a_default_shows_it() -> None:
    hidden = [
        f"{name} {action.option_strings[0]}"
        for name, action in arguments()
        if action.option_strings
        and not action.required
        and action.default not in (None, False)
        and "default" not in (action.help or "")
    ]

    assert hidden == []


def test_no_function_of_the_command_line_is_over_fifty_lines() -> None:
    long = [
        f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in sorted((ROOT / "api" / "cli").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.end_lineno
        if node.end_lineno - node.lineno + 1 > 50
    ]

    assert long == []


def test_db_upgrade_says_from_which_revision_to_which(tmp_path: Path) -> None:
    url = parse_database_url(f"sqlite:///{tmp_path / 'vouch.db'}")
    head = migrations.head_revision()
    first = vouch_at("db", "upgrade", url=url, data_dir=tmp_path)
    assert first.stdout.strip() == f"created the database schema at revision {head}"

    migrations.downgrade(url, "0004")
    upgraded = vouch_at("db", "upgrade", url=url, data_dir=tmp_path)
    again = vouch_at("db", "upgrade", url=url, data_dir=tmp_path)

    assert upgraded.stdout.strip() == f"upgraded the database from revision 0004 to {head}"
    assert again.stdout.strip() == f"the database is already at the latest revision, {head}"


@pytest.mark.parametrize(("role", "article"), [("admin", "an"), ("vendor", "a")])
def test_apikey_create_reads_as_a_sentence_with_the_key_alone_last(
    tmp_path: Path, role: str, article: str
) -> None:
    url = parse_database_url(f"sqlite:///{tmp_path / 'vouch.db'}")
    for args in (("db", "upgrade"), ("demo-data", "--partners", "3")):
        assert vouch_at(*args, url=url, data_dir=tmp_path).returncode == 0
    extra = ("--vendor", "corvane") if role == "vendor" else ()

    done = vouch_at("apikey", "create", "--role", role, *extra, url=url, data_dir=tmp_path)

    assert done.returncode == 0, done.stderr
    *before, key = done.stdout.splitlines()
    assert before[-1].startswith(f"created {article} {role} key with prefix ")
    assert re.fullmatch(r"\S+", key)


def test_demo_data_summary_is_a_sentence(tmp_path: Path) -> None:
    url = parse_database_url(f"sqlite:///{tmp_path / 'vouch.db'}")
    assert vouch_at("db", "upgrade", url=url, data_dir=tmp_path).returncode == 0

    done = vouch_at("demo-data", "--partners", "4", "--seed", "2", url=url, data_dir=tmp_path)

    loaded, published = done.stdout.splitlines()
    assert loaded.startswith("loaded the demo data set (seed 2): 4 partners with ")
    assert "DemoSummary" not in loaded
    assert published.startswith("published the figures of ")
