"""Engine and session factory: one place that knows how to connect."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import orjson
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Engine,
    String,
    bindparam,
    create_engine,
    event,
    exc,
    func,
    select,
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

    PostgreSQL cancels a statement past its statement_timeout (for this transaction only,
    or for the connection when it reads in autocommit: `read_sessions`); SQLite interrupts
    one whose progress handler says so. Either raises OperationalError. Opens the
    session's transaction, so a database that is down fails here, first.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        if session.info.get(_TIMEOUT_SET) != (session.get_transaction(), deadline):
            values = deadline_values(session, deadline)
            assert values is not None
            connection.execute(_DEADLINE_STATEMENT, values)
            deadline_carried(session, deadline)
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
    "statement_timeout",
    bindparam("vouch_statement_timeout_ms", type_=String()),
    bindparam("vouch_statement_timeout_local", type_=Boolean()),
)
"""set_config of the request's statement_timeout, its value a parameter (deadline_values),
for a request's first statement to carry: one round trip less than a SET of its own.
In a transaction it is SET LOCAL (this transaction only); a session that reads in
autocommit (read_sessions) has no transaction to scope it, so there it is the
connection's, until the next request's first statement sets its own. The same column
each time, so a statement that carries it is built and compiled once."""

_DEADLINE_STATEMENT = select(DEADLINE_COLUMN)

CONNECTION_TIMEOUT_FLOOR_MS = 1000
"""The least statement_timeout a request reading in autocommit leaves on its connection:
the next request's first statement runs under it, before setting its own. A request with
less than this left may see a statement run up to this far past its deadline; it then
ends with TIMEOUT at its next field (api/schema/execution.py)."""


def deadline_values(session: Session, deadline: float) -> dict[str, Any] | None:
    """On PostgreSQL, DEADLINE_COLUMN's parameters: what is left before `deadline`, and
    whether it holds for the transaction or, reading in autocommit, the connection. Call
    deadline_carried after the statement. None on SQLite (its deadline is a handler on
    the connection, set by statement_deadline): then the statement carries no such column."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        return None
    remaining = _remaining_ms(deadline)
    local = not reads_in_autocommit(session)
    if not local:
        remaining = max(remaining, CONNECTION_TIMEOUT_FLOOR_MS)
    return {
        "vouch_statement_timeout_ms": str(remaining),
        "vouch_statement_timeout_local": local,
    }


def deadline_carried(session: Session, deadline: float) -> None:
    """The statement with DEADLINE_COLUMN ran in the session's transaction and returned a
    row (set_config runs once a row: with none it never ran): a statement_deadline with
    the same deadline in that transaction need not set it again."""
    session.info[_TIMEOUT_SET] = (session.get_transaction(), deadline)


READS_IN_AUTOCOMMIT = "vouch.reads_in_autocommit"
AUTOCOMMIT = "AUTOCOMMIT"


def read_engine(engine: Engine) -> Engine:
    """An engine of `engine`'s database for requests that only read, on PostgreSQL: its
    connections in autocommit, so no BEGIN nor COMMIT, two of a read's four round trips
    (issue 25), and read-only (`default_transaction_read_only`): PostgreSQL refuses a
    write there, which would otherwise be committed at once, with no rollback.

    Under READ COMMITTED, PostgreSQL's default and Vouch's, every statement of a
    transaction already reads its own snapshot: a read in autocommit sees the same data.
    An engine of its own, set once a connection, costs a request nothing; switching one
    pool's connections back and forth on each checkout cost more than the round trips
    saved (bench/profile_list.py under callgrind, BENCHMARKS.md 2026-12-07 late).
    """
    if engine.dialect.name == "sqlite":
        raise ValueError("SQLite reads in a transaction of its own (api/request_turns.py)")
    options = " ".join(
        part
        for part in (engine.url.query.get("options"), "-c default_transaction_read_only=on")
        if isinstance(part, str)
    )
    reading = create_db_engine(
        engine.url.difference_update_query(["options"]),
        isolation_level=AUTOCOMMIT,
        connect_args={"options": options},
    )
    _PRIMARY[reading] = engine
    return reading


_PRIMARY: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()


def primary_engine(engine: Engine) -> Engine:
    """The engine a read_engine reads for, else `engine` itself: what is kept by database
    in this process (the match index) is kept by it."""
    return _PRIMARY.get(engine, engine)


def read_sessions(engine: Engine) -> sessionmaker[Session]:
    """Sessions of a read_engine: they know they read in autocommit (deadline_values)."""
    return sessionmaker(bind=engine, expire_on_commit=False, info={READS_IN_AUTOCOMMIT: True})


def reads_in_autocommit(session: Session) -> bool:
    return session.info.get(READS_IN_AUTOCOMMIT) is True


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
