"""Alembic driven from code, for `vouch db upgrade` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

# Inside the package, so an installed wheel migrates from any folder.
SCRIPTS = Path(__file__).resolve().parent / "alembic"


class SchemaNotCurrent(Exception):
    """The database is not at this code's revision; the message says what to do."""


def alembic_config(url: URL) -> Config:
    config = alembic_config_without_url()
    config.set_main_option(
        "sqlalchemy.url", url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(url: URL, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: URL, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def check(url: URL) -> None:
    """Raise if the models and the migrations disagree."""
    command.check(alembic_config(url))


def head_revision() -> str:
    """The revision this code's models are at: the newest migration."""
    head = ScriptDirectory.from_config(alembic_config_without_url()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def known_revisions() -> list[str]:
    """Every revision of this code, oldest first."""
    script = ScriptDirectory.from_config(alembic_config_without_url())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def current_revision(connection: Connection) -> str | None:
    """The database's revision; None for a database never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def require_current(engine: Engine) -> None:
    """Raise SchemaNotCurrent, in one line, unless the database is at this code's revision.

    Every command but `vouch db upgrade` and `vouch load` (which migrate) and the server
    call this first: otherwise the first query fails with a raw "no such table".
    """
    with engine.connect() as connection:
        revision = current_revision(connection)
    head = head_revision()
    if revision == head:
        return
    where = f"the database at {engine.url.render_as_string(hide_password=True)}"
    if revision is None:
        raise SchemaNotCurrent(f"{where} has no Vouch tables: run `vouch db upgrade`")
    if revision in known_revisions():
        raise SchemaNotCurrent(
            f"{where} is at revision {revision}, behind this Vouch's {head}: run `vouch db upgrade`"
        )
    raise SchemaNotCurrent(
        f"{where} is at revision {revision}, which this Vouch ({head}) does not know: "
        "a newer Vouch migrated it; install that version"
    )


def alembic_config_without_url() -> Config:
    return Config(str(SCRIPTS / "alembic.ini"))
