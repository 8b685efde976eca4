"""`vouch webhooks deliver|status`: the worker that sends webhook deliveries, and what it
has left to do."""

from __future__ import annotations

import argparse
import signal
import threading

from sqlalchemy import func, select

from api.cli.common import Commands, open_engine, plural
from api.db import session_factory
from api.models import DELIVERY_STATES, WebhookDelivery
from api.settings import Settings
from api.webhooks.delivery import Worker
from api.webhooks.signing import server_key


def webhooks_deliver(args: argparse.Namespace, settings: Settings) -> None:
    engine = open_engine(settings)
    worker = Worker(
        sessions=session_factory(engine),
        key=server_key(settings),
        allow_private=settings.webhook_allow_private,
    )
    try:
        if args.once:
            attempted = 0
            while done := worker.run_once():
                attempted += done
            print(f"attempted {attempted} deliver{'y' if attempted == 1 else 'ies'}")
            return
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, lambda *_: stop.set())
        print("delivering webhooks; stop with Ctrl-C or SIGTERM", flush=True)
        worker.run_until(stop, idle=args.idle)
    finally:
        worker.close()
        engine.dispose()


def webhooks_status(args: argparse.Namespace, settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        with session_factory(engine)() as session:
            counts = dict(
                session.execute(
                    select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
                ).all()
            )
            failed = session.execute(
                select(
                    WebhookDelivery.delivery_id,
                    WebhookDelivery.attempts,
                    WebhookDelivery.last_error,
                )
                .where(WebhookDelivery.status == "failed")
                .order_by(WebhookDelivery.id.desc())
                .limit(10)
            ).all()
    finally:
        engine.dispose()
    print(", ".join(f"{state} {counts.get(state, 0)}" for state in DELIVERY_STATES))
    for delivery_id, attempts, error in failed:
        print(f"failed {delivery_id} after {plural(attempts, 'attempt')}: {error}")


def add_commands(commands: Commands) -> None:
    webhooks = commands.add_parser(
        "webhooks", help="deliver the webhooks' events, and see what waits"
    ).add_subparsers(dest="webhooks_command", required=True, metavar="COMMAND")
    deliver = webhooks.add_parser(
        "deliver",
        help="send due deliveries, retrying failed ones with back-off (runs until stopped)",
    )
    deliver.add_argument("--once", action="store_true", help="send what is due now, then exit")
    deliver.add_argument(
        "--idle",
        type=float,
        default=1.0,
        help="seconds to wait when nothing is due (default: 1)",
    )
    deliver.set_defaults(run=webhooks_deliver)
    webhooks.add_parser(
        "status", help="deliveries pending, delivered and failed; the latest failures"
    ).set_defaults(run=webhooks_status)
