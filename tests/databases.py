"""Real test databases: a SQLite file, and a throwaway PostgreSQL database when one runs."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api import migrations
from api.db import create_db_engine, primary_engine, session_factory
from api.models import Base
from api.settings import parse_database_url

POSTGRES_URL = os.environ.get(
    "VOUCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_unavailable_reason() -> str | None:
    """None when PostgreSQL answers, else why not (shown as the skip message)."""
    engine = create_engine(parse_database_url(POSTGRES_URL, variable="VOUCH_TEST_POSTGRES_URL"))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        first = str(error.orig or error).strip().splitlines()[0]
        return f"PostgreSQL tests skipped: no PostgreSQL at {POSTGRES_URL} ({first})"
    finally:
        engine.dispose()
    return None


@contextmanager
def throwaway_postgres() -> Iterator[URL]:
    """A fresh database on the PostgreSQL server, dropped afterwards."""
    admin_url = parse_database_url(POSTGRES_URL, variable="VOUCH_TEST_POSTGRES_URL")
    name = f"vouch_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


SQLITE_NO_DELETE = (
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)


@dataclass
class Database:
    backend: str
    url: URL
    engine: Engine

    def session(self) -> Session:
        return session_factory(self.engine)()

    def wipe(self) -> None:
        tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
        with self.engine.begin() as connection:
            if self.backend == "postgresql":
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                # The audit log refuses DELETE (migration 0004); a test database may forget.
                connection.execute(text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))
                connection.execute(text(SQLITE_NO_DELETE))


@contextmanager
def migrated_database(backend: str, tmp_dir: Path) -> Iterator[Database]:
    with _url_for(backend, tmp_dir) as url:
        migrations.upgrade(url)
        engine = create_db_engine(url)
        try:
            yield Database(backend=backend, url=url, engine=engine)
        finally:
            engine.dispose()


@contextmanager
def _url_for(backend: str, tmp_dir: Path) -> Iterator[URL]:
    if backend == "postgresql":
        with throwaway_postgres() as url:
            yield url
    else:
        yield parse_database_url(f"sqlite:///{tmp_dir / 'vouch.db'}")


TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect every SQL statement the engine runs inside the block (not BEGIN and such),
    and the engine an app reads through beside it (api/db.read_engine)."""
    statements: list[str] = []

    def collect(connection: Connection, *args: object) -> None:
        if primary_engine(connection.engine) is not engine:
            return
        statement = str(args[1])
        if statement.split(" ", 1)[0].upper() not in TRANSACTION_CONTROL:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", collect)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", collect)
