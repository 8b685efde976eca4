"""GET /metrics: request counts and latencies per route and GraphQL operation, in Prometheus
text format, summed over every worker process (prometheus-client's multiprocess mode).

Operation names come from clients, so their label is bounded: a name that is not a plain
GraphQL name of at most 64 characters counts as "invalid", and past MAX_OPERATION_NAMES
distinct names in a process the rest count as "other".
"""

from __future__ import annotations

import asyncio
import os
import re
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
MAX_OPERATION_NAMES = 100
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
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
            "HTTP requests answered, by route, GraphQL operation (name and type) and status",
            ["route", "operation", "type", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "vouch_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route and operation",
            ["route", "operation", "type"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "vouch_request_errors",
            "Error codes answered (UNAVAILABLE: the database could not serve the request)",
            ["code"],
            registry=self.registry,
        )
        self._names: set[str] = set()
        # Children by label values: labels() takes a lock and builds a key every call.
        self._children: dict[tuple[str, ...], tuple[Any, Any]] = {}

    @staticmethod
    def shown_name(name: str) -> str:
        """The operation name as logged: itself if it is a plain name, else "invalid"."""
        return name if _OPERATION_NAME.fullmatch(name) else "invalid"

    def _bounded_name(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if name in self._names:
            return name
        shown = self.shown_name(name)
        if shown != name:
            return shown
        if len(self._names) >= MAX_OPERATION_NAMES:
            return "other"
        self._names.add(name)
        return name

    def observe(
        self,
        path: str,
        operation: str | None,
        operation_type: str | None,
        status: int,
        seconds: float,
    ) -> None:
        """Runs on the event loop's thread only: no lock around the names."""
        route = _ROUTES.get(path, "site")
        if route == "graphql":
            name = self._bounded_name(operation) if operation_type else "unknown"
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


def endpoint(
    metrics: RequestMetrics, engine: Engine, index_dir: Path
) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics: never cached, never rate limited, a 200 even with the database away."""

    async def answer(request: Request) -> Response:
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
