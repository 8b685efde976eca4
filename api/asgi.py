"""The app for an ASGI server with several workers: `uvicorn --factory api.asgi:create`.

Run by hand, uvicorn believes X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS): give
it `--no-proxy-headers`, or `--forwarded-allow-ips` with VOUCH_FORWARDED_ALLOW_IPS's list,
as `vouch serve` does.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette

from api import migrations
from api.app import create_app
from api.db import create_db_engine
from api.request_log import print_to_stdout
from api.serving import settle_long_lived
from api.settings import load_settings


def create() -> Starlette:
    print_to_stdout()
    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    try:
        migrations.require_current(engine)
    except migrations.SchemaNotCurrent as error:
        engine.dispose()
        raise SystemExit(f"vouch: {error}") from None
    except OperationalError:
        pass  # unreachable for now: requests get 503 until it is back, as at any time
    app = create_app(settings, engine)
    settle_long_lived()
    return app
