"""One JSON line per HTTP request on the `vouch.requests` logger, and its count in /metrics.

RequestObserver times every request and hands an Observed record down in the ASGI scope;
the GraphQL view fills in what only it knows (the caller's role, the operation, the error
codes). Nothing a client sends as a secret is ever put in the record: no header but the
request id, no query string, no document, no variables.
"""

from __future__ import annotations

import copy
import logging
import re
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.request_metrics import RequestMetrics

log = logging.getLogger("vouch.requests")

SCOPE_KEY = "vouch.observed"
# A request id a client sends is echoed and logged: only a short, plain one is taken.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_OPERATION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_SHOWN_PATH = 256
"""Characters of a path kept in the log: a client picks the path, the log stays bounded."""


@dataclass(slots=True)
class Observed:
    """What the log line and the metrics say about one request."""

    request_id: str
    role: str | None = None
    operation: str | None = None
    operation_type: str | None = None
    field: str | None = None  # the root field it asked, named by the schema
    errors: tuple[str, ...] = ()
    # A public answer: "hit" (served kept), "miss" (none kept), "stale" (kept, out of date).
    cache: str | None = None


def shown_name(name: str) -> str:
    """The client's operation name as logged: itself if it is a plain name, else "invalid"."""
    return name if _OPERATION_NAME.fullmatch(name) else "invalid"


def request_id(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's X-Request-Id when it is short and plain, else a new one."""
    for name, value in headers:
        if name == b"x-request-id":
            given = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


def observed(request: Request) -> Observed:
    """The request's record (a detached one when no RequestObserver is in front)."""
    found = request.scope.get(SCOPE_KEY)
    if isinstance(found, Observed):
        return found
    return Observed(request_id(request.scope.get("headers", [])))


class RequestObserver:
    """ASGI middleware: a log line and the metrics for every HTTP request, whatever its end."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        record = scope[SCOPE_KEY] = Observed(request_id(scope["headers"]))
        status = 500  # unless a response starts: an exception is answered 500 outside

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            path: str = scope["path"]
            self.metrics.observe(path, record.field, record.operation_type, status, seconds)
            self.metrics.count_errors(record.errors)
            if record.cache is not None:
                self.metrics.count_cache(record.cache)
            if log.isEnabledFor(logging.INFO):
                _log(scope["method"], path, record, status, seconds)


def _log(method: str, path: str, record: Observed, status: int, seconds: float) -> None:
    fields: dict[str, Any] = {
        "request_id": record.request_id,
        "method": method,
        "path": path[:_SHOWN_PATH],
        "operation": record.operation and shown_name(record.operation),
        "operation_type": record.operation_type,
        "field": record.field,
        "role": record.role,
        "status": status,
        "duration_ms": round(seconds * 1000, 3),
    }
    if record.errors:
        fields["errors"] = list(record.errors)
    if record.cache is not None:
        fields["cache"] = record.cache
    log.info("%s %s %d", method, fields["path"], status, extra={"fields": fields})


class JSONFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


def print_to_stdout() -> None:
    """The request log as JSON lines on stdout, unless a logging config already sends it."""
    if not log.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JSONFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def logging_config(base: dict[str, Any]) -> dict[str, Any]:
    """Uvicorn's logging config (`base`) with the request log as JSON lines on stdout."""
    config = copy.deepcopy(base)
    config["formatters"]["json"] = {"()": f"{__name__}.JSONFormatter"}
    config["handlers"]["vouch.requests"] = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stdout",
    }
    config["loggers"][log.name] = {
        "handlers": ["vouch.requests"],
        "level": "INFO",
        "propagate": False,
    }
    return config
