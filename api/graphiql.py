"""GraphiQL from Vouch's own files (api/static/graphiql): blank without internet no more.

Strawberry's page loads React and GraphiQL from unpkg; ours loads the same files, copied
from their npm packages, from /graphiql/ (relative to /graphql, so a path prefix works).
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).resolve().parent / "static" / "graphiql"
PAGE = (ASSETS / "index.html").read_text(encoding="utf-8")


def assets_route() -> Mount:
    """/graphiql/*: the scripts and styles the page names (index.html is at /graphql)."""
    return Mount("/graphiql", StaticFiles(directory=ASSETS), name="graphiql")
