"""`vouch export DIR` and `vouch load DIR`: the database as JSON Lines, and back."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from api import migrations
from api.cli.common import CommandError, Commands, open_engine
from api.dump import DumpError, check_dump, export_database, load_database, needs_migrating
from api.settings import Settings

Advance = Callable[[str, int], None]


def export(args: argparse.Namespace, settings: Settings) -> None:
    engine = open_engine(settings)
    started = time.perf_counter()
    try:
        with _bar("reading the tables") as advance:
            manifest = export_database(engine, args.dir, progress=advance)
    except DumpError as error:
        raise CommandError(str(error)) from error
    finally:
        engine.dispose()
    print(
        f"exported {manifest.rows:,} rows of {len(manifest.tables)} tables to {args.dir} "
        f"(schema revision {manifest.revision}) in {time.perf_counter() - started:.1f} s"
    )


def load(args: argparse.Namespace, settings: Settings) -> None:
    try:
        manifest = check_dump(args.dir)
    except DumpError as error:
        raise CommandError(str(error)) from error
    engine = open_engine(settings, migrated=False)  # a new database is migrated below
    where = settings.database_url.render_as_string(hide_password=True)
    started = time.perf_counter()
    try:
        if needs_migrating(engine):
            migrations.upgrade(settings.database_url)
            print(f"created the schema (revision {manifest.revision}) in the empty database")
        with _bar("loading the tables", total=manifest.rows) as advance:
            load_database(engine, args.dir, progress=advance)
    except DumpError as error:
        raise CommandError(f"{error}") from error
    finally:
        engine.dispose()
    print(
        f"loaded {manifest.rows:,} rows of {len(manifest.tables)} tables from {args.dir} "
        f"into {where} in {time.perf_counter() - started:.1f} s; "
        "build the search index and the site from it: `vouch index build`, `vouch site build`"
    )


@contextmanager
def _bar(label: str, total: int | None = None) -> Iterator[Advance]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        # Off a terminal the bar draws nothing but leaves a blank line before a refusal.
        yield lambda _table, _rows: None
        return
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)

        def advance(table: str, rows: int) -> None:
            if not table:  # the export's first call: how many rows there are in all
                bar.update(task, total=rows)
            else:
                bar.update(task, description=table, advance=rows)

        yield advance


def add_commands(commands: Commands) -> None:
    out = commands.add_parser(
        "export",
        help="write the whole database to DIR as JSON Lines (one file per table)",
        description="Every table, read in one snapshot, to DIR/<table>.jsonl, then "
        "DIR/manifest.json (format version, schema revision, rows and sha256 per file). "
        "The database may be in use meanwhile.",
    )
    out.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    out.set_defaults(run=export)
    back = commands.add_parser(
        "load",
        help="load a dump written by `vouch export` into an empty database",
        description="Into an empty database (one never migrated is migrated first): "
        "every file is checked against the manifest (rows, sha256) and loaded in one "
        "transaction, so a refused dump leaves nothing behind. The dump must be at this "
        "Vouch's schema revision.",
    )
    back.add_argument("dir", type=Path, metavar="DIR", help="the folder `vouch export` wrote")
    back.set_defaults(run=load)
