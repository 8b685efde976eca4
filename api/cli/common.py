"""What every `vouch` command shares: the database it opens, its number arguments, its
refusals, and how a refusal becomes one line and an exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeAlias

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from api import migrations
from api.db import create_db_engine, ping
from api.errors import DomainError
from api.settings import Settings, SettingsError, load_settings

Command = Callable[[argparse.Namespace, Settings], None]
# What each command module adds its commands to (argparse's class is generic to type checkers only).
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


class CommandError(Exception):
    """Stops the command with a message for the operator and exit status 1."""


def whole_number(what: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a refused value is one line naming the argument, not a traceback."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not {what}: give a whole number from {low} to {high}"
            )
        return value

    return parse


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def open_engine(settings: Settings, *, migrated: bool = True) -> Engine:
    """The database every command opens: reachable and, unless the command migrates it
    itself (`migrated=False`), at this code's revision; else one line saying what to do."""
    engine = create_db_engine(settings.database_url)
    try:
        ping(engine)
        if migrated:
            migrations.require_current(engine)
    except OperationalError as error:
        engine.dispose()
        where = settings.database_url.render_as_string(hide_password=True)
        reason = str(error.orig or error).strip().splitlines()[0]
        raise CommandError(f"cannot reach the database {where}: {reason}") from error
    except migrations.SchemaNotCurrent as error:
        engine.dispose()
        raise CommandError(str(error)) from None
    return engine


def exit_status(args: argparse.Namespace) -> int:
    """Run the parsed command with the settings from the environment: 0 when it is done,
    1 when it refused (one line on stderr), 2 when the settings are wrong."""
    try:
        settings = load_settings()
        run: Command = args.run
        run(args, settings)
    except SettingsError as error:
        print(f"vouch: configuration error: {error}", file=sys.stderr)
        return 2
    except (CommandError, DomainError) as error:
        print(f"vouch: {error}", file=sys.stderr)
        return 1
    return 0
