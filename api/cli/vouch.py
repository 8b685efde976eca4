"""The `vouch` command: each command module adds its commands, in the order --help lists."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Sequence

from api.cli import (
    apikey,
    db,
    demo,
    dump,
    figures,
    imports,
    index,
    match,
    pulses,
    responses,
    serve,
    site,
    webhooks,
)
from api.cli.common import exit_status
from api.settings import SETTINGS_HELP

COMMAND_MODULES = (
    db,
    demo,
    serve,
    site,
    apikey,
    imports,
    responses,
    pulses,
    figures,
    dump,
    index,
    match,
    webhooks,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vouch",
        description="Operate Vouch: the database, the demo data, keys, imports, the site, "
        "the search index, and the API server. `vouch COMMAND --help` says more.",
        epilog=f"settings, read from the environment:\n{_settings_help()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.add_commands(commands)
    return parser


def _settings_help() -> str:
    return "\n".join(
        textwrap.fill(meaning, 96, initial_indent=f"  {name:<27}", subsequent_indent=" " * 29)
        for name, meaning in SETTINGS_HELP
    )


def main(argv: Sequence[str] | None = None) -> int:
    return exit_status(build_parser().parse_args(argv))
