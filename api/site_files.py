"""The built directory site, served at / (directory_site builds it; the command line runs it)."""

from __future__ import annotations

import contextlib

from starlette.staticfiles import StaticFiles


class SiteFiles(StaticFiles):
    """The built site; until it is built, every path is a 404 (never a 500)."""

    async def check_config(self) -> None:
        with contextlib.suppress(RuntimeError):
            await super().check_config()
