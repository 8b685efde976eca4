"""Public answers by data version: ETags, 304s, and a small in-process cache.

Every transaction that changes what a buyer sees bumps `public_version` as it commits, and
sets each part of the data it changed (one partner, every partner, the market, the
catalogue) to the version it bumped to (api/services/changes.py). A public answer (no
Authorization) is tagged, and kept, by one of two versions:

- the data version read *before* its data: data read after it is at least as new, and a
  later change moves it on. Lists, rankings, search, the market: most answers;
- when it showed only a few parts (one partner's page, api/schema/answer_parts.py), the
  newest version of those parts, read *after* its data. No part newer than the data
  version read before means none changed while the data was read: the answer is exactly
  the parts at that version (else it falls back to the data version). A kept one is
  served while its parts are still at that version: another partner's publication or
  profile edit leaves it kept, and a change to any part it showed moves it on.

Keyed requests, mutations, errors and anything but a 200 are never tagged nor kept.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from api.db import DEADLINE_COLUMN, deadline_carried, deadline_values
from api.metrics.quarters import quarter_of
from api.models import public_parts, public_version
from api.models.base import utcnow
from api.readers.rows import plain_rows
from api.request_log import observed

CACHE_CONTROL = "public, max-age=0, must-revalidate"
"""Shared caches may keep an answer but must ask again (If-None-Match) before reusing it."""
PRIVATE = "private, no-store"
MAX_BYTES = 32 * 1024 * 1024
MAX_ENTRY_BYTES = 1024 * 1024


@dataclasses.dataclass(frozen=True, slots=True)
class Seen:
    """What a public request reads first: the data version (a microsecond clock, never
    shown), the salt that hides it, and the newest version of `parts`, those an answer
    kept for the request showed (None: it showed all the data, or none is kept)."""

    version: int
    salt: str
    parts: tuple[str, ...] | None = None
    parts_version: int = 0

    @property
    def kept_version(self) -> int:
        """The hidden version an answer that showed `parts` must have to be served now."""
        if self.parts is None:
            return hidden_version(self.version, self.salt)
        return hidden_parts_version(self.parts, self.parts_version, self.salt)


def current_version(
    session: Session, parts: tuple[str, ...] | None = None, deadline: float | None = None
) -> Seen | None:
    """The public data version (None: no version row, so nothing is tagged or kept), with
    the newest version of `parts` when given, in one statement; on PostgreSQL that
    statement also sets the request's `deadline` (api/db.DEADLINE_COLUMN), if given.

    Read as the first statement of the request's transaction. SQLite reads a snapshot per
    transaction, and one that only read must not wait for its turn to write (it could
    then not write): there the read ends it.
    """
    timeout = None if deadline is None else deadline_values(session, deadline)
    if parts:
        statement = _version_statement(parts, timeout is not None)
    else:
        statement = _every_version_statement(None, timeout is not None)
    row: Any = plain_rows(session, statement, timeout or {})[0]  # no FROM: one row
    if timeout is not None and deadline is not None:
        deadline_carried(session, deadline)
    _end_read(session)
    if row[0] is None:
        return None
    if not parts:
        return Seen(row[0], row[1])
    return Seen(row[0], row[1], parts, int(row[2] or 0))


def _version_statement(parts: tuple[str, ...] | None, timeout: bool) -> Select[Any]:
    """The data version and its salt, the newest version of `parts` if any, and the
    request's timeout if asked (api/db.DEADLINE_COLUMN), with no FROM: one row, so the
    timeout is set even when the version row is missing."""
    the_row = public_version.c.id == 1
    return select(
        select(public_version.c.version).where(the_row).scalar_subquery(),
        select(public_version.c.salt).where(the_row).scalar_subquery(),
        *([_newest(parts).scalar_subquery()] if parts else []),
        *([DEADLINE_COLUMN] if timeout else []),
    )


_every_version_statement = cache(_version_statement)
"""_version_statement built once for each shape without parts: the hot public path reads
it with every request."""


def parts_version(session: Session, parts: tuple[str, ...]) -> int:
    """The newest version of `parts` (0: none changed since their rows could be written)."""
    newest = session.scalar(_newest(parts))
    _end_read(session)
    return int(newest or 0)


def _newest(parts: tuple[str, ...]) -> Select[Any]:
    return select(func.max(public_parts.c.version)).where(public_parts.c.part.in_(parts))


def _end_read(session: Session) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.rollback()


def hidden_version(version: int, salt: str) -> int:
    """64 bits that change whenever the version does, or the quarter (programme feedback is
    published as a quarter ends, api/readers/program.py), and tell nothing without salt."""
    return _hidden(f"{version}/{quarter_of(utcnow())}", salt)


def hidden_parts_version(parts: tuple[str, ...], version: int, salt: str) -> int:
    """As hidden_version, for an answer that showed only `parts`, the newest at `version`."""
    return _hidden(f"{version}/{quarter_of(utcnow())}/{','.join(parts)}", salt)


def _hidden(seen: str, salt: str) -> int:
    digest = hashlib.blake2b(seen.encode(), key=salt.encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big")


def request_key(method: str, accept: str, payload: bytes) -> str:
    """What identifies one public request's answer, whatever the version."""
    digest = hashlib.blake2b(digest_size=12)
    for part in (method.encode(), accept.encode(), payload):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def key_of(request: Request) -> str:
    payload = request.url.query.encode() if request.method == "GET" else request._body
    return request_key(request.method, request.headers.get("accept", ""), payload)


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
    # The hidden version it is good for: of the parts it showed, or (None) of all the data.
    version: int = 0
    parts: tuple[str, ...] | None = None


ENTRY_OVERHEAD = 280
"""Bytes an entry costs besides its key, body, strings and parts (each counted by
sys.getsizeof): the Kept object and its version's int, and the OrderedDict's share of its
hash table, entry array and link nodes. tracemalloc measured 170 to 210 bytes an entry
before the version was kept in it (Python 3.11, 1,000 to 90,000 entries, more just after
the table grows); with it a tiny answer costs about 540 bytes, its body 70.
tests/test_response_cache_memory.py holds the cache to its cap."""


def cost(key: str, kept: Kept) -> int:
    """The memory one entry holds, counted as at least what tracemalloc measures: for a tiny
    answer, the body is a tenth of it. An answer's parts are strings shared with nobody."""
    parts = (key, kept.body, kept.media_type, kept.operation, kept.operation_type, kept.field)
    shown = (kept.parts, *kept.parts) if kept.parts is not None else ()
    return ENTRY_OVERHEAD + sum(
        sys.getsizeof(part) for part in (*parts, *shown) if part is not None
    )


class ResponseCache:
    """The newest public answer to each request, at most max_bytes of memory."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, Kept] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: str) -> Kept | None:
        """The answer kept for `key`, good or not."""
        return self._entries.get(key)

    def get(self, key: str, version: int) -> tuple[Kept | None, str]:
        """The answer kept for `key` if it is good for `version`, and what was found: "hit",
        "miss" (nothing kept) or "stale" (kept for an older version)."""
        kept = self._entries.get(key)
        if kept is None:
            return None, "miss"
        if kept.version != version:
            return None, "stale"
        self._entries.move_to_end(key)
        return kept, "hit"

    def put(self, key: str, kept: Kept) -> None:
        if len(kept.body) > MAX_ENTRY_BYTES:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= cost(key, old)
        # orjson's bytes keep the buffer they were written in, 4 KB for a 33-byte answer,
        # which sys.getsizeof does not see: a copy holds its length and no more.
        kept = dataclasses.replace(kept, body=memoryview(kept.body).tobytes())
        self._entries[key] = kept
        self.size += cost(key, kept)
        while self.size > self.max_bytes:
            dropped_key, dropped = self._entries.popitem(last=False)
            self.size -= cost(dropped_key, dropped)


async def answer_public(
    request: Request,
    key: str,
    seen: Seen | None,
    cache: ResponseCache | None,
    run: Callable[[], Awaitable[Response]],
    newest: Callable[[tuple[str, ...]], Awaitable[int | None]],
) -> Response:
    """A public request's answer: a 304 or a kept answer when its version allows, else what
    `run` answers, tagged and kept when it may be. `seen` was read before anything else
    (with the parts of the answer kept for `key`, if any); None when nothing is kept for
    `key`: then `run` reads it first, in the operation's own step, into
    `request.state.seen`. `newest` reads the newest version of some parts (None: it could
    not).

    A 304 stands for a kept or cacheable answer only (If-None-Match: * matches an answer
    that exists, RFC 9110 13.1.2): an error or a mutation over GET is answered as it would
    be without the header.
    """
    if_none_match = request.headers.get("if-none-match") if request.method == "GET" else None
    record = observed(request)
    if cache is not None and seen is None:
        record.cache = "miss"  # nothing was kept for it
    elif cache is not None and seen is not None:
        kept, record.cache = cache.get(key, seen.kept_version)
        if kept is not None:
            record.operation, record.operation_type = kept.operation, kept.operation_type
            record.field = kept.field
            headers = {"ETag": etag(kept.version, key), "Cache-Control": CACHE_CONTROL}
            if matches(if_none_match, headers["ETag"]):
                return Response(status_code=304, headers=headers)
            return Response(kept.body, media_type=kept.media_type, headers=headers)
    response = await run()
    if response.status_code != 200 or not getattr(request.state, "cacheable", False):
        response.headers["Cache-Control"] = PRIVATE
        return response
    if seen is None:
        seen = getattr(request.state, "seen", None)
        if seen is None:
            return response  # no version row: nothing is tagged or kept
    parts: tuple[str, ...] | None = getattr(request.state, "parts", None)
    version = hidden_version(seen.version, seen.salt)
    if parts:
        # Read after the data: a part newer than the version read before it changed while
        # the data was read, which may or may not show it.
        parts_version = await newest(parts)
        if parts_version is not None and parts_version <= seen.version:
            version = hidden_parts_version(parts, parts_version, seen.salt)
        else:
            parts = None
    headers = {"ETag": etag(version, key), "Cache-Control": CACHE_CONTROL}
    if cache is not None:
        media_type = response.headers.get("content-type", "application/json")
        body = bytes(response.body)
        cache.put(
            key,
            Kept(
                body,
                media_type,
                record.operation,
                record.operation_type,
                record.field,
                version,
                parts,
            ),
        )
    if matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response
