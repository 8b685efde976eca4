"""The app for an ASGI server with several workers: `uvicorn --factory api.asgi:create`.

Run by hand, uvicorn believes X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS): give
it `--no-proxy-headers`, or `--forwarded-allow-ips` with VOUCH_FORWARDED_ALLOW_IPS's list,
as `vouch serve` does.
"""

from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from api.request_log import print_to_stdout
from api.settings import load_settings


def create() -> Starlette:
    print_to_stdout()
    return create_app(load_settings())
