"""The response cache holds no more memory than its cap, as tracemalloc counts it.

Counted by their bodies alone, 42,800 distinct tiny public answers grew a worker by 190 MB
against a 32 MB cap: an entry's key, strings, object and the dict's bookkeeping cost ten
times its body. Here tens of thousands of tiny answers, made as the app makes them, go
through the real cache with a small cap.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import pytest

from api.response_cache import Kept, ResponseCache, request_key

CAP = 512 * 1024
ANSWERS = 30_000
TOLERANCE = 16 * 1024
"""What the test's own bookkeeping may add to the measure (the last entry's locals...)."""
VERSION = 1_000_003
"""Above the ints Python shares: each request reads its own copy from the database."""


def tiny_answer(n: int) -> tuple[int, str, Kept]:
    """A distinct public GET of a few bytes and its answer, with fresh objects as in the app
    (the version read per request, the content type read from the answer's headers)."""
    alias = f"a{n}"
    key = request_key("GET", "*/*", f"query=%7B+{alias}%3A+viewer+%7B+role+%7D+%7D".encode())
    body = b'{"data":{"%s":{"role":"public"}}}' % alias.encode()
    operation = f"Q{n}" if n % 2 else None
    media_type = "".join(["application/", "json"])
    return int(str(VERSION)), key, Kept(body, media_type, operation, "query")


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
