"""On PostgreSQL a request that only reads sends no BEGIN nor COMMIT (issue 25): seen on
the wire, in libpq's own trace of the one connection the server holds."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from psycopg import pq
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import InternalError, OperationalError
from sqlalchemy.pool import Pool

from api import response_cache
from api.db import read_engine, read_sessions
from api.models import Partner
from api.request_turns import RequestTurns
from api.settings import Settings, parse_rate_limit
from tests.databases import Database
from tests.server import GraphQLClient, running_server

LIST = "{ partners(first: 5) { edges { node { slug name } } totalCount } }"
UPDATE = """
mutation Update($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { summary } errors { code }
  }
}
"""


@pytest.fixture
def postgres(db: Database) -> Database:
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite reads in a transaction of its own")
    return db


class Wire:
    """libpq's trace of every connection the process opens, read a block at a time."""

    def __init__(self) -> None:
        self.connections: list[Any] = []
        self.file: Any = None

    def connected(self, dbapi_connection: Any, _record: Any) -> None:
        self.connections.append(dbapi_connection)
        if self.file is not None:
            self._trace(dbapi_connection)

    def _trace(self, connection: Any) -> None:
        connection.pgconn.trace(self.file.fileno())
        connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    @contextlib.contextmanager
    def messages(self) -> Iterator[list[str]]:
        seen: list[str] = []
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "trace"
            with path.open("w") as self.file:
                for connection in self.connections:
                    self._trace(connection)
                try:
                    yield seen
                finally:
                    for connection in self.connections:
                        connection.pgconn.untrace()  # flushes
                    os.fsync(self.file.fileno())
                    self.file = None
            # What the client sent ("F"), a message a line (a statement's own line breaks
            # folded into it).
            messages = re.split(r"\n(?=[FB]\t)", path.read_text())
            seen += [message for message in messages if message.startswith("F")]


def sent(lines: list[str], word: str) -> int:
    return sum(f'"{word}' in line for line in lines)


@pytest.fixture
def served(postgres: Database, keys: dict[str, str], tmp_path: Path) -> Iterator[tuple[Wire, Any]]:
    # Every connection the server opens (its engine's, and its read engine's) is traced.
    wire = Wire()
    event.listen(Pool, "connect", wire.connected)
    postgres.engine.dispose()  # so that its connections too are opened, and seen, anew
    settings = Settings(data_dir=tmp_path, database_url=postgres.url, environment="test")
    try:
        with running_server(settings, postgres.engine) as url, httpx.Client(timeout=30) as http:
            api = GraphQLClient(base_url=url, http=http)
            # The read engine's first connection asks the server what it is: not traced.
            assert api.execute("{ __typename }") == {"data": {"__typename": "Query"}}
            yield wire, api
    finally:
        event.remove(Pool, "connect", wire.connected)


def test_a_public_read_sends_no_begin_nor_commit(served: tuple[Wire, GraphQLClient]) -> None:
    wire, api = served
    with wire.messages() as lines:
        answer = api.execute(LIST)
    assert [edge["node"]["slug"] for edge in answer["data"]["partners"]["edges"]] == [
        "alpha-health",
        "bravo-retail",
    ]
    assert lines, "the trace saw nothing: the request did not use the traced connection"
    assert sent(lines, "BEGIN") == 0, lines
    assert sent(lines, "COMMIT") == 0, lines
    # Its first statement (the data version's) set the request's timeout for the
    # connection: set_config's third parameter false (binary), not LOCAL.
    [bound] = [line for line in lines if "'statement_timeout'" in line]
    assert re.search(r"'statement_timeout' \d+ '\d+' 1 '\\x00'", bound), bound


def test_a_keyed_read_sends_no_begin_nor_commit(
    served: tuple[Wire, GraphQLClient], keys: dict[str, str]
) -> None:
    wire, api = served
    with wire.messages() as lines:
        answer = api.execute("{ viewer { role vendorSlug } }", key=keys["acme"])
    assert answer["data"]["viewer"] == {"role": "vendor", "vendorSlug": "acme"}
    assert sent(lines, "BEGIN") == 0, lines
    assert sent(lines, "COMMIT") == 0, lines


def test_a_write_keeps_its_transaction(
    served: tuple[Wire, GraphQLClient], keys: dict[str, str], postgres: Database
) -> None:
    wire, api = served
    variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "Kept."}}
    with wire.messages() as lines:
        answer = api.execute(UPDATE, variables, key=keys["alpha"])
    assert answer["data"]["updatePartnerProfile"] == {
        "partner": {"summary": "Kept."},
        "errors": [],
    }
    assert sent(lines, "BEGIN") == 1, lines
    assert sent(lines, "COMMIT") == 1, lines
    with postgres.session() as session:
        assert session.scalar(select(Partner.summary).where(Partner.slug == "alpha-health")) == (
            "Kept."
        )


def test_a_read_that_names_the_word_mutation_is_taken_to_write(
    served: tuple[Wire, GraphQLClient],
) -> None:
    # The word anywhere (here a comment) takes the transaction: the check never parses.
    wire, api = served
    with wire.messages() as lines:
        answer = api.execute("# no mutation here\n" + LIST)
    assert len(answer["data"]["partners"]["edges"]) == 2
    assert sent(lines, "BEGIN") == 1, lines
    assert sent(lines, "COMMIT") == 1, lines


def test_a_session_that_reads_refuses_to_write(postgres: Database, keys: dict[str, str]) -> None:
    # PostgreSQL itself refuses: the read engine's transactions are read-only.
    engine = read_engine(postgres.engine)
    try:
        with read_sessions(engine)() as session:
            with pytest.raises(InternalError, match="cannot execute UPDATE in a read-only"):
                session.execute(update(Partner).values(summary="written"))
            session.rollback()
            # A read with a CTE is a read; the timeout is set for the connection.
            assert session.execute(text("WITH x AS (SELECT 1 AS one) SELECT one FROM x")).scalar()
    finally:
        engine.dispose()
    with postgres.session() as session:
        assert "written" not in session.scalars(select(Partner.summary)).all()
        assert session.scalar(select(Partner.id).limit(1)) is not None


def test_read_sessions_are_for_postgresql_only(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only")
    with pytest.raises(ValueError, match="SQLite reads in a transaction"):
        read_engine(db.engine)


@pytest.mark.parametrize("who", ["public", "keyed"])
def test_a_read_is_one_worker_step(
    db: Database,
    keys: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    who: str,
) -> None:
    """Its first statement (a public request's data version, a keyed one's key, with the
    key's rate limit) and its operation run in one worker step: each step is a hand-off
    from the event loop to a thread and back (issue 25)."""
    steps: list[str] = []
    in_worker = RequestTurns.in_worker

    async def counted(self: RequestTurns, function: Any, *args: Any) -> Any:
        steps.append(getattr(function, "__name__", repr(function)))
        return await in_worker(self, function, *args)

    monkeypatch.setattr(RequestTurns, "in_worker", counted)
    settings = Settings(
        data_dir=tmp_path,
        database_url=db.url,
        environment="test",
        response_cache_mb=0,
        rate_limit=parse_rate_limit("1000/minute"),
    )
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        api = GraphQLClient(base_url=url, http=http)
        key = keys["acme"] if who == "keyed" else None
        answer = api.execute(LIST, key=key)
        assert answer["data"]["partners"]["totalCount"] == 2
        # A wrong key is still refused, before the operation runs.
        refused = api.post(LIST, key="vouch_nope_nope")
        assert refused.status_code == 401
    # On SQLite a public request reads its version in a step of its own, which ends that
    # read before the operation takes its turn (api/response_cache.current_version).
    first = ["current_version"] if who == "public" and db.backend == "sqlite" else []
    # The refused one: its key, in its one step, then nothing more.
    assert steps == [*first, "run_operation", "run_operation"]


@pytest.mark.parametrize(("left", "expected"), [(0.3, "1s"), (5.0, "5s")])
def test_a_read_sets_its_timeout_for_the_connection_and_never_below_a_second(
    postgres: Database, left: float, expected: str
) -> None:
    """In autocommit there is no transaction to scope a SET LOCAL: the first statement sets
    the connection's statement_timeout (what is left, at least a second: the next request's
    first statement runs under it), and later statements are held to it."""
    engine = read_engine(postgres.engine)
    try:
        with read_sessions(engine)() as session:
            response_cache.current_version(session, None, time.monotonic() + left)
            shown = session.execute(text("SHOW statement_timeout")).scalar_one()
            # 4999 ms shows as "4999ms": allow the milliseconds spent getting here.
            assert shown == expected or (expected == "5s" and 4900 <= int(shown[:-2]) < 5000)
            if expected == "1s":
                started = time.monotonic()
                with pytest.raises(OperationalError, match="statement timeout"):
                    session.execute(text("SELECT pg_sleep(3)"))
                assert 0.9 < time.monotonic() - started < 2.5
    finally:
        engine.dispose()
