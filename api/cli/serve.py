"""`vouch serve`: the API and the built site, on one worker or several."""

from __future__ import annotations

import argparse
from typing import Any

from api.cli.common import CommandError, Commands, open_engine, whole_number
from api.settings import Settings

# Each worker has its own pool of up to 15 PostgreSQL connections.
MAX_WORKERS = 64


def serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from api.app import create_app
    from api.request_log import logging_config
    from api.request_metrics import prepare_multiprocess_dir
    from api.serving import NoDelayH11Protocol

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
        uvicorn.run(create_app(settings, engine), **options)
        return
    engine.dispose()
    if settings.database_url.get_backend_name() == "sqlite":
        raise CommandError("several workers need PostgreSQL: SQLite has a single writer")
    # /metrics sums every worker's counts from files there; set before the workers start.
    prepare_multiprocess_dir(settings.data_dir / "metrics")
    # Each worker process builds its own app (and engine) from the same environment.
    uvicorn.run("api.asgi:create", factory=True, workers=args.workers, **options)


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
    srv.set_defaults(run=serve)
