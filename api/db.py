"""Engine and session factory: one place that knows how to connect."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    bindparam,
    create_engine,
    event,
    exc,
    func,
    text,
)
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection


def create_db_engine(url: URL, **kwargs: Any) -> Engine:
    # JSON columns (a partner's types, languages, capabilities) read with orjson: a page
    # of partners decodes three a row (json.loads: about 2% of an uncached list's time).
    kwargs.setdefault("json_deserializer", orjson.loads)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "checkin", _clear_deadline)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _idle_from_now)
    event.listen(engine, "checkin", _idle_from_now)
    dialect = engine.dialect

    def ping_if_idle(
        dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError(str(error)) from error
        if not alive:
            raise exc.DisconnectionError("the database did not answer a ping")

    event.listen(engine, "checkout", ping_if_idle)
    return engine


PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled connection idle this long is pinged before use (SQLAlchemy's pre-ping), and
replaced if the server no longer answers it. One back in use sooner is not: under load
the ping was a round trip a request (about a tenth of an uncached list's time, issue 25).
A server restart takes longer than this, so a connection from before one is pinged; one
that meets a failure anyway fails its request with a 503, and SQLAlchemy then replaces
every connection the pool held before it."""


def _idle_from_now(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["idle_since"] = time.monotonic()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite begins a transaction lazily, at the first write, so a SAVEPOINT before it
    # would commit on release. Take BEGIN into our own hands (the SQLAlchemy recipe).
    dbapi_connection.isolation_level = None
    # SQLite ignores foreign keys unless asked, and WAL lets readers run beside a writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _clear_deadline(dbapi_connection: Any, _record: Any) -> None:
    # A connection given back to the pool carries no request's deadline to its next user.
    if dbapi_connection is not None:
        dbapi_connection.set_progress_handler(None, 0)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: committed if the block finishes, rolled back if it raises."""
    with factory() as session, session.begin():
        yield session


SQLITE_CHECK_EVERY = 10_000
"""SQLite virtual-machine steps between two looks at the clock (well under a millisecond)."""


@contextmanager
def statement_deadline(session: Session, deadline: float) -> Iterator[None]:
    """Stops the session's SQL once time.monotonic() passes `deadline`.

    PostgreSQL cancels a statement past its statement_timeout (for this transaction only);
    SQLite interrupts one whose progress handler says so. Either raises OperationalError.
    Opens the session's transaction, so a database that is down fails here, first.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        if session.info.get(_TIMEOUT_SET) != (session.get_transaction(), deadline):
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {_remaining_ms(deadline)}")
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.set_progress_handler(lambda: time.monotonic() > deadline, SQLITE_CHECK_EVERY)
    try:
        yield
    finally:
        # A commit or rollback in the block gave the connection back to the pool, which
        # cleared the handler (_clear_deadline): by now it may serve another request, or be
        # closed. Clear it here only while this session still holds it.
        if session.in_transaction() and session.connection().connection.dbapi_connection is raw:
            raw.set_progress_handler(None, 0)


_TIMEOUT_SET = "vouch.statement_timeout_set"


def _remaining_ms(deadline: float) -> int:
    return max(1, int((deadline - time.monotonic()) * 1000))


DEADLINE_COLUMN: ColumnElement[Any] = func.set_config(
    "statement_timeout", bindparam("vouch_statement_timeout_ms", type_=String()), True
)
"""set_config(..., true) (SET LOCAL) of this transaction's statement_timeout, its value a
parameter (deadline_values), for a transaction's first statement to carry: one round trip
less than statement_deadline's own SET. The same column each time, so a statement that
carries it is built and compiled once."""


def deadline_values(session: Session, deadline: float) -> dict[str, str] | None:
    """On PostgreSQL, DEADLINE_COLUMN's parameter: what is left before `deadline`. Call
    deadline_carried after the statement. None on SQLite (its deadline is a handler on the
    connection, set by statement_deadline): then the statement carries no such column."""
    if session.get_bind().dialect.name == "sqlite":
        return None
    return {"vouch_statement_timeout_ms": str(_remaining_ms(deadline))}


def deadline_carried(session: Session, deadline: float) -> None:
    """The statement with DEADLINE_COLUMN ran in the session's transaction and returned a
    row (set_config runs once a row: with none it never ran): a statement_deadline with
    the same deadline in that transaction need not set it again."""
    session.info[_TIMEOUT_SET] = (session.get_transaction(), deadline)


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
