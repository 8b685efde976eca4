"""`vouch figures rebuild`: every stored tally recomputed from the live responses."""

from __future__ import annotations

import argparse
import time

from api.cli.common import Commands, open_engine, plural
from api.db import session_factory, unit_of_work
from api.settings import Settings


def figures_rebuild(args: argparse.Namespace, settings: Settings) -> None:
    from rich.console import Console

    from api.services import changes
    from api.services.figures_rebuild import rebuild

    engine = open_engine(settings)
    started = time.perf_counter()
    # A few seconds for 10,000 partners: show that it is working (on stderr, if a terminal).
    with (
        Console(stderr=True).status("recomputing every tally from the live responses"),
        unit_of_work(session_factory(engine)) as session,
    ):
        summary = rebuild(session=session)
        changes.record(session, partner_id=None, reason="everything")
    elapsed = time.perf_counter() - started
    print(
        f"rebuilt the figures from {plural(summary.responses, 'live response')}: "
        f"{plural(summary.partner_rows, 'partner tally row')}, "
        f"{plural(summary.market_rows, 'market tally row')} in {elapsed:.2f}s"
    )


def add_commands(commands: Commands) -> None:
    figures = commands.add_parser("figures", help="stored figures").add_subparsers(
        dest="figures_command", required=True, metavar="ACTION"
    )
    figures.add_parser(
        "rebuild", help="recompute every stored tally from the live responses"
    ).set_defaults(run=figures_rebuild)
