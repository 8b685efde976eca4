"""`vouch demo-data`: the generated demo data set, with its figures published."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from api.cli.common import CommandError, Commands, open_engine, plural
from api.db import session_factory, unit_of_work
from api.settings import Settings


def demo_data(args: argparse.Namespace, settings: Settings) -> None:
    from api.demo_data import load_demo_data
    from api.demo_data.common import ANCHOR_DATE
    from api.services import changes, pulse_publication
    from api.services.figures_rebuild import rebuild

    if args.partners < 1:
        raise CommandError("--partners must be at least 1")
    engine = open_engine(settings)
    if args.if_empty and _has_partners(engine):
        print("the database already holds partners, so the demo data set was not loaded again")
        return
    try:
        summary = load_demo_data(engine, partners=args.partners, seed=args.seed)
    except ValueError as error:
        raise CommandError(str(error)) from error
    with unit_of_work(session_factory(engine)) as session:
        figures = rebuild(session=session, publish_all=True)
        pulse_publication.refresh_all(session=session, today=ANCHOR_DATE)
        changes.record(session, partner_id=None, reason="everything")
    print(
        f"loaded the demo data set (seed {args.seed}): {summary.partners:,} partners with "
        f"{summary.offices:,} offices and {summary.certifications:,} certifications, "
        f"{summary.vendors} vendors with {summary.products} products, "
        f"{summary.industries} industries, {summary.customers:,} customers, "
        f"{summary.engagements:,} engagements, {summary.invitations:,} survey invitations, "
        f"{summary.responses:,} responses and {summary.pulse_checks:,} pulse checks"
    )
    print(
        f"published the figures of {plural(figures.responses, 'live response')} "
        f"in {plural(figures.partner_rows, 'partner tally row')}"
    )


def _has_partners(engine: Engine) -> bool:
    from sqlalchemy import exists, select

    from api.models import Partner

    with engine.connect() as connection:
        return bool(connection.scalar(select(exists().where(Partner.id.is_not(None)))))


def add_commands(commands: Commands) -> None:
    demo = commands.add_parser("demo-data", help="load the generated demo data set")
    demo.add_argument(
        "--partners", type=int, default=500, help="how many partners (default: %(default)s)"
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1,
        help="the same seed gives the same data set (default: %(default)s)",
    )
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when partners are already loaded"
    )
    demo.set_defaults(run=demo_data)
