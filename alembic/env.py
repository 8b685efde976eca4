from __future__ import annotations

from sqlalchemy import Connection

from alembic import context
from api.db import create_db_engine
from api.models import Base
from api.settings import load_settings, parse_database_url

config = context.config
target_metadata = Base.metadata


def run_on(connection: Connection) -> None:
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
