"""The app for an ASGI server with several workers: `uvicorn --factory api.asgi:create`."""

from __future__ import annotations

from starlette.applications import Starlette

from api.app import create_app
from api.settings import load_settings


def create() -> Starlette:
    return create_app(load_settings())
