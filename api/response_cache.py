"""Public answers by data version: ETags, 304s, and a small in-process cache.

Every transaction that changes what a buyer sees bumps `public_version` as it commits
(api/services/changes.py: it records a change, or writes a table buyers read as it is).
So a public answer (no Authorization) to a query is tagged with the version read *before*
its data: data read after the version is at least as new, and a later change moves the
version on, so no tag or cached body outlives what it shows. Keyed requests, mutations, errors and
anything but a 200 are never tagged nor kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from api.metrics.quarters import quarter_of
from api.models import public_version
from api.models.base import utcnow
from api.request_log import observed

CACHE_CONTROL = "public, max-age=0, must-revalidate"
"""Shared caches may keep an answer but must ask again (If-None-Match) before reusing it."""
PRIVATE = "private, no-store"
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024


def current_version(session: Session) -> int | None:
    """The public data version, as the public may see it (None: no version row, so nothing
    is tagged or kept): a keyed hash of the stored one, which is a microsecond clock that
    would tell when the last publication (and so an answer) happened.

    Read as the first statement of the request's transaction. SQLite reads a snapshot per
    transaction, and one that only read must not wait for its turn to write (it could
    then not write): there the read ends it.
    """
    row = session.execute(
        select(public_version.c.version, public_version.c.salt).where(public_version.c.id == 1)
    ).first()
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()
    return None if row is None else hidden_version(row.version, row.salt)


def hidden_version(version: int, salt: str) -> int:
    """64 bits that change whenever the version does, or the quarter (programme feedback is
    published as a quarter ends, api/readers/program.py), and tell nothing without salt."""
    seen = f"{version}/{quarter_of(utcnow())}"
    digest = hashlib.blake2b(seen.encode(), key=salt.encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


def request_key(method: str, accept: str, payload: bytes) -> str:
    """What identifies one public request's answer, whatever the version."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (method.encode(), accept.encode(), payload):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def etag(version: int, key: str) -> str:
    return f'W/"{version}-{key}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether If-None-Match names the tag of an answer that exists (`*`: any tag does)."""
    if not if_none_match:
        return False
    given = {part.strip() for part in if_none_match.split(",")}
    return "*" in given or tag in given or tag.removeprefix("W/") in given


@dataclasses.dataclass(frozen=True, slots=True)
class Kept:
    body: bytes
    media_type: str
    # The operation it answered, for the request log and /metrics of the answers it serves.
    operation: str | None = None
    operation_type: str | None = None
    field: str | None = None


ENTRY_OVERHEAD = 256
"""Bytes an entry costs besides its key, body and strings (each counted by sys.getsizeof):
the (version, key) tuple and the version's int, the Kept object, and the OrderedDict's share
of its hash table, entry array and link nodes. tracemalloc measured 170 to 210 bytes an
entry (Python 3.11, 1,000 to 90,000 entries, more just after the table grows); with it a
tiny answer costs about 520 bytes, its body 70. tests/test_response_cache_memory.py holds
the cache to its cap."""


def cost(key: str, kept: Kept) -> int:
    """The memory one entry holds, counted as at least what tracemalloc measures: for a tiny
    answer, the body is a tenth of it."""
    parts = (key, kept.body, kept.media_type, kept.operation, kept.operation_type, kept.field)
    return ENTRY_OVERHEAD + sum(sys.getsizeof(part) for part in parts if part is not None)


class ResponseCache:
    """The newest public answers, at most max_bytes of memory, each under (version, key)."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[tuple[int, str], Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, version: int, key: str) -> Kept | None:
        kept = self._entries.get((version, key))
        if kept is not None:
            self._entries.move_to_end((version, key))
        return kept

    def put(self, version: int, key: str, kept: Kept) -> None:
        if len(kept.body) > MAX_ENTRY_BYTES or (version, key) in self._entries:
            return
        # orjson's bytes keep the buffer they were written in, 4 KB for a 33-byte answer,
        # which sys.getsizeof does not see: a copy holds its length and no more.
        kept = dataclasses.replace(kept, body=memoryview(kept.body).tobytes())
        self._entries[(version, key)] = kept
        self.size += cost(key, kept)
        while self.size > self.max_bytes:
            (_, dropped_key), dropped = self._entries.popitem(last=False)
            self.size -= cost(dropped_key, dropped)


async def answer_public(
    request: Request,
    version: int,
    cache: ResponseCache | None,
    run: Callable[[], Awaitable[Response]],
) -> Response:
    """A public request's answer: a 304 or a kept answer when the data version allows, else
    what `run` answers, tagged and kept when it may be.

    A 304 stands for a kept or cacheable answer only (If-None-Match: * matches an answer
    that exists, RFC 9110 13.1.2): an error or a mutation over GET is answered as it would
    be without the header.
    """
    payload = request.url.query.encode() if request.method == "GET" else request._body
    key = request_key(request.method, request.headers.get("accept", ""), payload)
    tag = etag(version, key)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    not_modified = request.method == "GET" and matches(request.headers.get("if-none-match"), tag)
    kept = cache.get(version, key) if cache is not None else None
    record = observed(request)
    if kept is not None:
        record.operation, record.operation_type = kept.operation, kept.operation_type
        record.field = kept.field
        if not_modified:
            return Response(status_code=304, headers=headers)
        return Response(kept.body, media_type=kept.media_type, headers=headers)
    response = await run()
    if response.status_code != 200 or not getattr(request.state, "cacheable", False):
        response.headers["Cache-Control"] = PRIVATE
        return response
    if cache is not None:
        media_type = response.headers.get("content-type", "application/json")
        kept = Kept(
            bytes(response.body), media_type, record.operation, record.operation_type, record.field
        )
        cache.put(version, key, kept)
    if not_modified:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
