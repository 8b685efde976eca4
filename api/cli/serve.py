"""`vouch serve`: the API and the built site, on one worker or several."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from api.cli.common import CommandError, Commands, open_engine, whole_number
from api.db import create_db_engine
from api.settings import Settings

# Each worker has its own pool of up to 15 PostgreSQL connections.
MAX_WORKERS = 64


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from api.app import create_app
    from api.request_log import logging_config
    from api.request_metrics import prepare_multiprocess_dir
    from api.serving import NoDelayH11Protocol, settle_long_lived

    engine = open_engine(settings)
    # The request log (JSON lines on stdout) says all uvicorn's access log did, and more.
    log_config = logging_config(LOGGING_CONFIG)
    # Uvicorn's own default trusts X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS):
    # a caller on the same host could then pick its address, and its rate limit budget.
    proxies = list(settings.forwarded_allow_ips)
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": proxies,
        "http": NoDelayH11Protocol,
        "log_config": log_config,
        "access_log": False,
    }
    if args.workers == 1:
        with _webhooks(args, settings):
            app = create_app(settings, engine)
            settle_long_lived()
            uvicorn.run(app, **options)
        return
    engine.dispose()
    if settings.database_url.get_backend_name() == "sqlite":
        raise CommandError("several workers need PostgreSQL: SQLite has a single writer")
    # /metrics sums every worker's counts from files there; set before the workers start.
    prepare_multiprocess_dir(settings.data_dir / "metrics")
    # Each worker process builds its own app (and engine) from the same environment; one
    # webhook delivery thread runs in this, their parent.
    with _webhooks(args, settings):
        uvicorn.run("api.asgi:create", factory=True, workers=args.workers, **options)


@contextmanager
def _webhooks(args: argparse.Namespace, settings: Settings) -> Iterator[None]:
    """The webhook delivery worker beside the API, with an engine of its own."""
    if args.no_webhooks:
        yield
        return
    from api.webhooks.delivery import delivering

    engine = create_db_engine(settings.database_url)
    try:
        with delivering(engine, settings):
            yield
    finally:
        engine.dispose()


def add_commands(commands: Commands) -> None:
    srv = commands.add_parser("serve", help="serve the API and the built site")
    srv.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; 0.0.0.0 for every one (default: %(default)s)",
    )
    srv.add_argument(
        "--port",
        type=whole_number("a port", 1, 65535),
        default=8000,
        help="the TCP port (default: %(default)s)",
    )
    srv.add_argument(
        "--workers",
        type=whole_number("a number of workers", 1, MAX_WORKERS),
        default=1,
        help=f"worker processes, 1 to {MAX_WORKERS}; several need PostgreSQL, and keep "
        "their counts for /metrics in $VOUCH_DATA_DIR/metrics (or $PROMETHEUS_MULTIPROC_DIR) "
        "(default: %(default)s)",
    )
    srv.add_argument(
        "--no-webhooks",
        action="store_true",
        help="deliver no webhooks from this process (run `vouch webhooks deliver` instead)",
    )
    srv.set_defaults(run=serve)
