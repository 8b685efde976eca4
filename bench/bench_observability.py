"""What the request log and /metrics add to each request: the RequestObserver middleware
around an app that answers at once, without and with the JSON log line (to /dev/null), and
naming the root field a parsed document asks (the /metrics label).

    .venv/bin/python bench/bench_observability.py
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from graphql import parse

from api.request_log import JSONFormatter, RequestObserver
from api.request_metrics import RequestMetrics
from api.schema import root_fields, schema

REQUESTS = 50_000
ROUNDS = 7


async def bare(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def send(message: Any) -> None:
    return None


def scope() -> dict[str, Any]:
    headers = [(b"host", b"vouch"), (b"content-type", b"application/json")]
    return {"type": "http", "method": "POST", "path": "/graphql", "headers": headers}


async def microseconds(app: Any) -> float:
    """The best of ROUNDS rounds, per request."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(REQUESTS):
            await app(scope(), receive, send)
        best = min(best, (time.perf_counter() - started) / REQUESTS * 1e6)
    return best


async def main() -> None:
    observed = RequestObserver(bare, RequestMetrics())
    alone = await microseconds(bare)
    counted = await microseconds(observed)
    log = logging.getLogger("vouch.requests")
    with open("/dev/null", "w") as null:
        handler = logging.StreamHandler(null)
        handler.setFormatter(JSONFormatter())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
        logged = await microseconds(observed)
        log.removeHandler(handler)
    print(f"the app alone:                 {alone:6.2f} us a request")
    print(f"+ counts and latency (metrics): {counted - alone:6.2f} us")
    print(f"+ metrics and the JSON line:    {logged - alone:6.2f} us")
    print(f"naming the root field:          {labelling():6.2f} us")


def labelling() -> float:
    """The best of ROUNDS rounds, per document: a page of partners with a fragment."""
    document = parse(
        "query Page($after: String) { ...Page } fragment Page on Query { "
        "partners(first: 20, after: $after) { edges { node { slug name metrics { nps { value } } "
        "} } pageInfo { endCursor } } }"
    )
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(REQUESTS):
            root_fields.label(schema._schema, document, "Page")
        best = min(best, (time.perf_counter() - started) / REQUESTS * 1e6)
    return best


if __name__ == "__main__":
    asyncio.run(main())
