"""Alembic driven from code, for `vouch db upgrade` and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from sqlalchemy.engine import URL

from alembic import command

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: URL) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "alembic"))
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
