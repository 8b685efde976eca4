from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from api.db import create_db_engine
from api.models import Base
from api.settings import load_settings, parse_database_url

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
    # (A caller's open transaction makes the pragma a no-op; only `vouch db upgrade` and
    # the tests call this, on a connection of their own.)
    sqlite = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if sqlite:
        # Batch mode copies a table and drops the old one: with foreign keys on, that drop
        # would cascade to every row that refers to it (offices, tallies, responses...).
        # The pragma only takes effect outside a transaction, so it comes first.
        _pragma(connection, "foreign_keys=OFF")
    try:
        _migrate(connection)
    finally:
        if sqlite:
            _pragma(connection, "foreign_keys=ON")
    if sqlite:
        broken = _pragma(connection, "foreign_key_check")
        if broken:
            raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")


def _pragma(connection: Connection, pragma: str) -> list[Any]:
    """Straight to the driver: SQLAlchemy would wrap it in the BEGIN of api.db."""
    cursor = connection.connection.driver_connection.execute(f"PRAGMA {pragma}")  # type: ignore[union-attr]
    return list(cursor.fetchall())


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    raw = config.get_main_option("sqlalchemy.url")
    url = parse_database_url(raw) if raw else load_settings().database_url
    engine = create_db_engine(url)
    with engine.connect() as conn:
        run_on(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Vouch runs migrations online only: `vouch db upgrade`")
run_migrations_online()
