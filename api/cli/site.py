"""`vouch site build`: the public directory site from the published figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from api.cli.common import CommandError, Commands, open_engine
from api.db import session_factory
from api.settings import Settings


def site_build(args: argparse.Namespace, settings: Settings) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from directory_site.build import SiteBuildError, build_site

    engine = open_engine(settings)
    out: Path = args.out or settings.site_dir
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading the changes", total=None)

        def step(what: str) -> None:
            bar.update(task, description=what, completed=0, total=None)

        def shown(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            with session_factory(engine)() as session:
                summary = build_site(
                    session,
                    out,
                    lock_dir=settings.data_dir / "locks",
                    full=args.full,
                    progress=shown,
                    step=step,
                )
        except SiteBuildError as error:
            raise CommandError(str(error)) from error
    print(f"built the site at {out}: {summary}")


def add_commands(commands: Commands) -> None:
    site = commands.add_parser("site", help="the public directory site").add_subparsers(
        dest="site_command", required=True, metavar="ACTION"
    )
    build = site.add_parser(
        "build",
        help="build the static site from the published figures: redo only what changed "
        "since the last build (the site is replaced whole, by a rename)",
    )
    build.add_argument(
        "--out", type=Path, metavar="DIR", help="where to put it (default: $VOUCH_DATA_DIR/site)"
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="redo every page, as the first build does (incremental builds give the same bytes)",
    )
    build.set_defaults(run=site_build)
