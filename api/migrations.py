"""Alembic driven from code, for `vouch db upgrade` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.engine import URL

# Inside the package, so an installed wheel migrates from any folder.
SCRIPTS = Path(__file__).resolve().parent / "alembic"


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


def alembic_config_without_url() -> Config:
    return Config(str(SCRIPTS / "alembic.ini"))
