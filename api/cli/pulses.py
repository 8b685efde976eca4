"""`vouch pulses send`: the pulse checks due today, for an operator's timer."""

from __future__ import annotations

import argparse
import sys

from api.cli.common import Commands, open_engine, plural, whole_number
from api.db import session_factory, unit_of_work
from api.settings import Settings


def pulses_send(args: argparse.Namespace, settings: Settings) -> None:
    from api.models.base import utcnow
    from api.services.pulse_schedule import send_due

    with unit_of_work(session_factory(open_engine(settings))) as session:
        sent = send_due(
            session=session,
            now=utcnow(),
            every=args.every,
            new_partner_every=args.new_partner_every,
        )
    for pulse in sent:
        print(f"{pulse.engagement_id}\t{pulse.email}\t{pulse.token}")
    print(f"sent {plural(len(sent), 'pulse check')}", file=sys.stderr)


def add_commands(commands: Commands) -> None:
    pulses = commands.add_parser("pulses", help="pulse checks during engagements").add_subparsers(
        dest="pulses_command", required=True, metavar="ACTION"
    )
    send = pulses.add_parser(
        "send",
        help="send the pulse checks due (run it from a timer; twice in a period sends nothing)",
        description="Ask again, once a period, whoever was sent a pulse check of an agreed "
        "engagement in progress. Prints one line per new check: engagement id, address and "
        "token (shown once), tab-separated, for the mailer; publishes the on-track shares due.",
    )
    send.add_argument(
        "--every",
        type=whole_number("a number of days", 1, 365),
        default=30,
        metavar="DAYS",
        help="days between two pulse checks of an engagement (default 30)",
    )
    send.add_argument(
        "--new-partner-every",
        type=whole_number("a number of days", 1, 365),
        default=14,
        metavar="DAYS",
        help="the same for each partner's first three engagements (default 14)",
    )
    send.set_defaults(run=pulses_send)
