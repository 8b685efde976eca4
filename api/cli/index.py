"""`vouch index build|sync|status`: the search index of this host."""

from __future__ import annotations

import argparse

from api.cli.common import CommandError, Commands, open_engine, plural
from api.db import session_factory
from api.settings import Settings
from search_index import IndexBusy, SearchUnavailable, index_for


def index_build(args: argparse.Namespace, settings: Settings) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    index = index_for(settings.index_dir, settings.search_engine)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("indexing partners", total=None)
        try:
            with session_factory(open_engine(settings))() as session:
                summary = index.build(
                    session,
                    lambda done, total: bar.update(task, completed=done, total=total),
                )
        except IndexBusy as error:
            raise CommandError(
                "another build of the search index is running; the current index still serves"
            ) from error
    print(
        f"built the search index at {settings.index_dir}: "
        f"{plural(summary.documents, 'partner')} in {summary.seconds:.1f}s, "
        f"changes applied through #{summary.applied_through}"
    )


def index_sync(args: argparse.Namespace, settings: Settings) -> None:
    if args.wait < 0:
        raise CommandError("--wait must not be negative")
    index = index_for(settings.index_dir, settings.search_engine)
    try:
        with session_factory(open_engine(settings))() as session:
            summary = index.sync(session, wait=args.wait)
    except SearchUnavailable as error:
        raise CommandError(
            f"there is no usable search index at {settings.index_dir}: run `vouch index build`"
        ) from error
    except IndexBusy as error:
        raise CommandError(
            f"another process held the index for {args.wait:g}s; nothing was applied"
        ) from error
    if summary.rebuilt:
        print(f"rebuilt the search index ({plural(summary.partners, 'partner')})")
    elif summary.changes:
        print(
            f"applied {plural(summary.changes, 'change')} to "
            f"{plural(summary.partners, 'partner')}; up to date through #{summary.applied_through}"
        )
    else:
        print(f"the search index is up to date (through change #{summary.applied_through})")


def index_status(args: argparse.Namespace, settings: Settings) -> None:
    with session_factory(open_engine(settings))() as session:
        backlog = index_for(settings.index_dir, settings.search_engine).backlog(session)
    if backlog is None:
        raise CommandError(f"there is no search index at {settings.index_dir}")
    print(f"{plural(backlog, 'change')} waiting to be applied to the search index")


def add_commands(commands: Commands) -> None:
    index = commands.add_parser("index", help="the search index of this host").add_subparsers(
        dest="index_command", required=True, metavar="COMMAND"
    )
    build = index.add_parser(
        "build", help="build a new index from the database and switch to it when complete"
    )
    build.set_defaults(run=index_build)
    sync = index.add_parser("sync", help="apply the pending changes (from the change log)")
    sync.add_argument(
        "--wait",
        type=float,
        default=30.0,
        help="seconds to wait while another process writes the index (default: 30)",
    )
    sync.set_defaults(run=index_sync)
    index.add_parser("status", help="how many changes wait to be applied").set_defaults(
        run=index_status
    )
