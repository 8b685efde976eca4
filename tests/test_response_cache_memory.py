"""The response cache holds no more memory than its cap, as tracemalloc counts it.

Counted by their bodies' lengths, 42,800 distinct tiny public answers grew a worker by
190 MB against a 32 MB cap: orjson's bytes keep the 4 KB buffer they were written in (33
bytes of answer), and an entry's key, strings, object and the dict's bookkeeping cost ten
times a tiny body again. Here tens of thousands of tiny answers, made as the app makes them
(encoded by orjson), go through the real cache with a small cap.
"""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
from sqlalchemy import insert

from api.app import VouchGraphQL, create_app
from api.models import public_version
from api.response_cache import Kept, ResponseCache, request_key
from api.settings import Settings
from tests.databases import Database

CAP = 512 * 1024
ANSWERS = 30_000
APP_CAP = 32 * 1024
"""Through the app (slower, under tracemalloc): a few hundred answers are past this cap."""
TOLERANCE = 16 * 1024
"""What the test's own bookkeeping may add to the measure (the last entry's locals...)."""
VERSION = 1_000_003
"""Above the ints Python shares: each request reads its own copy from the database."""


def tiny_answer(n: int) -> tuple[str, Kept]:
    """A distinct public GET of a few bytes and its answer, with fresh objects as in the app
    (the version read per request, the body encoded by orjson as VouchGraphQL.encode_json
    does, the content type read from the answer's headers)."""
    alias = f"a{n}"
    key = request_key("GET", "*/*", f"query=%7B+{alias}%3A+viewer+%7B+role+%7D+%7D".encode())
    body = orjson.dumps({"data": {alias: {"role": "public"}}})
    operation = f"Q{n}" if n % 2 else None
    media_type = "".join(["application/", "json"])
    return key, Kept(body, media_type, operation, "query", version=int(str(VERSION)))


@pytest.fixture
def traced() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def memory() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_tens_of_thousands_of_tiny_answers_stay_under_the_cap(traced: None) -> None:
    # given a cache with a small cap, filled with tiny distinct answers
    cache = ResponseCache(CAP)
    for n in range(ANSWERS):
        cache.put(*tiny_answer(n))
    kept = len(cache)

    # when it is dropped, what it held is freed: that is its real size
    filled = memory()
    del cache
    held = filled - memory()

    # then it held no more than the cap, and it still kept the hundreds that fit
    assert held <= CAP + TOLERANCE, f"{kept} answers held {held} bytes against a {CAP} cap"
    assert kept > 500


def test_the_cache_counts_no_less_than_what_it_holds(traced: None) -> None:
    # given a cache that never drops anything
    cache = ResponseCache(1 << 40)
    for n in range(ANSWERS):
        cache.put(*tiny_answer(n))

    filled = memory()
    counted = cache.size
    del cache
    held = filled - memory()

    # then its own count is at least what tracemalloc measures, and not far above it
    assert held <= counted <= 1.5 * held


async def distinct_public_gets(app: httpx.ASGITransport, count: int) -> None:
    async with httpx.AsyncClient(transport=app, base_url="http://vouch") as client:
        for n in range(count):
            query = f"{{ a{n}: viewer {{ role }} }}"
            response = await client.get("/graphql", params={"query": query})
            assert "etag" in response.headers, response.text


def test_the_app_holds_its_kept_answers_to_the_cap(
    db: Database, tmp_path: Path, traced: None
) -> None:
    # given the app in-process with a 32 KB cache and the public version row (wiped by the test)
    if db.backend != "sqlite":
        pytest.skip("the cache is the same whatever the database; once is enough")
    with db.session() as session, session.begin():
        session.execute(insert(public_version).values(id=1, version=VERSION))
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="test")
    app = create_app(settings, db.engine)
    [graphql] = [
        route.app for route in app.routes if isinstance(getattr(route, "app", None), VouchGraphQL)
    ]
    graphql.cache = ResponseCache(APP_CAP)

    # when more distinct tiny public answers than it can keep go through it
    try:
        asyncio.run(distinct_public_gets(httpx.ASGITransport(app=app), 200))
    finally:
        graphql.turns.workers.shutdown()  # what the app's lifespan does; the transport runs none
    kept = len(graphql.cache)

    # then dropping the cache frees no more than its cap
    filled = memory()
    graphql.cache = None
    held = filled - memory()
    assert held <= APP_CAP + TOLERANCE, f"{kept} answers held {held} bytes against {APP_CAP}"
    assert kept > 30
