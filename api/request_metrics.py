"""GET /metrics: request counts and latencies per route and GraphQL root field, in Prometheus
text format, summed over every worker process (prometheus-client's multiprocess mode).

Only a scraper holding VOUCH_METRICS_TOKEN is answered: the counts show when answers arrive
and what keyed callers ask. Every label value is the server's own (a root field of the
schema, an operation type, a status, an error code), never a string a client chose: an
operation name could carry anything, and would be shown to whoever reads the metrics.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from api.db import statement_deadline
from search_index import index_for

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
_ROUTES = {"/graphql": "graphql", "/healthz": "healthz", "/metrics": "metrics"}
# Seconds: a cached answer takes well under a millisecond, the request budget 10 s.
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


# The *_created series double the output for what Prometheus works out from resets itself.
disable_created_metrics()  # type: ignore[no-untyped-call]


class RequestMetrics:
    """The counts of one process; `exposition` answers for all of them."""

    def __init__(self) -> None:
        # A registry per app: tests each count from zero. In multiprocess mode the values
        # live in files of PROMETHEUS_MULTIPROC_DIR whatever registry they are made in.
        self.registry = CollectorRegistry()
        self.multiprocess = bool(os.environ.get(MULTIPROCESS_VARIABLE))
        self.requests = Counter(
            "vouch_requests",
            "HTTP requests answered, by route, GraphQL root field and operation type, and status",
            ["route", "field", "type", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "vouch_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route and root field",
            ["route", "field", "type"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "vouch_request_errors",
            "Error codes answered (UNAVAILABLE: the database could not serve the request)",
            ["code"],
            registry=self.registry,
        )
        self.cache = Counter(
            "vouch_response_cache",
            "Public GraphQL answers served from the response cache (hit), or worked out with "
            "none kept (miss) or the one kept out of date (stale)",
            ["outcome"],
            registry=self.registry,
        )
        # Children by label values: labels() takes a lock and builds a key every call.
        self._children: dict[tuple[str, ...], tuple[Any, Any]] = {}

    def observe(
        self,
        path: str,
        field: str | None,
        operation_type: str | None,
        status: int,
        seconds: float,
    ) -> None:
        """Runs on the event loop's thread only. `field` is the schema's name for what the
        operation asked (api/schema/operation_report.py), None when it was never read."""
        route = _ROUTES.get(path, "site")
        if route == "graphql":
            name = field or "unknown"
            kind = operation_type or "unknown"
        else:
            name = kind = ""
        key = (route, name, kind, str(status))
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self.requests.labels(*key),
                self.duration.labels(route, name, kind),
            )
        children[0].inc()
        children[1].observe(seconds)

    def count_errors(self, codes: tuple[str, ...]) -> None:
        for code in codes:  # the server's own vocabulary: bounded
            self.errors.labels(code).inc()

    def count_cache(self, outcome: str) -> None:
        self.cache.labels(outcome).inc()  # "hit", "miss" or "stale": bounded

    def exposition(self, backlog: int | None) -> bytes:
        """Every process's counts, and the search index's backlog read just now."""
        if self.multiprocess:
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        else:
            registry = self.registry
        text = generate_latest(registry)
        if backlog is None:
            return text
        return text + generate_latest(_Backlog(backlog))


class _Backlog(Collector):
    """The search index's change-log backlog as a gauge, measured at scrape time."""

    def __init__(self, value: int) -> None:
        self.value = value

    def collect(self) -> list[GaugeMetricFamily]:
        return [
            GaugeMetricFamily(
                "vouch_search_index_backlog",
                "Change-log rows the search index has not applied yet (-1: the database "
                "could not be read)",
                value=self.value,
            )
        ]


BACKLOG_SECONDS = 2.0
"""How long a scrape waits for the backlog's count before it reports -1."""


def read_backlog(engine: Engine, index_dir: Path) -> int | None:
    """Change-log rows the index in `index_dir` has not applied; None without an index."""
    deadline = time.monotonic() + BACKLOG_SECONDS
    with Session(engine) as session, statement_deadline(session, deadline):
        return index_for(index_dir).backlog(session)


def scraper_allowed(header: str | None, token: str) -> bool:
    """Whether the Authorization header is `Bearer <token>`, compared in constant time."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def endpoint(
    metrics: RequestMetrics, engine: Engine, index_dir: Path, token: str | None
) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics: never cached, never rate limited, a 200 even with the database away,
    to the scraper with the token only. Without a token set there is nothing to scrape: a
    404, as for any path the service does not serve."""

    async def answer(request: Request) -> Response:
        if token is None:
            return Response("Not Found", status_code=404, media_type="text/plain")
        if not scraper_allowed(request.headers.get("authorization"), token):
            return Response(
                "GET /metrics needs the scraper's token: Authorization: Bearer <token>",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            )
        try:
            backlog = await asyncio.wait_for(
                asyncio.to_thread(read_backlog, engine, index_dir), BACKLOG_SECONDS
            )
        except (OperationalError, DBAPIError, TimeoutError):
            backlog = -1
        return Response(
            metrics.exposition(backlog),
            media_type=CONTENT_TYPE,
            headers={"Cache-Control": "no-store"},
        )

    return answer


def prepare_multiprocess_dir(folder: Path) -> Path:
    """Counts shared by `vouch serve --workers N`: a fresh folder, named before they start.

    An operator's own PROMETHEUS_MULTIPROC_DIR is kept (and left to them to empty).
    """
    given = os.environ.get(MULTIPROCESS_VARIABLE)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        return Path(given)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[MULTIPROCESS_VARIABLE] = str(folder.resolve())
    return folder
