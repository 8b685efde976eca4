"""Settings read from the environment, validated once, with messages naming the variable."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("development", "test", "production")
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")


class SettingsError(ValueError):
    """An environment variable holds a value Vouch cannot use."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: URL
    environment: str

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def site_dir(self) -> Path:
        return self.data_dir / "site"


def _redacted(raw: str) -> str:
    """The URL as given, with any password replaced, fit for an error message."""
    return re.sub(r"(?<=:)[^:/@\s]*(?=@)", "***", raw)


def parse_database_url(raw: str, *, variable: str = "VOUCH_DATABASE_URL") -> URL:
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(
            f"{variable}={_redacted(raw)!r} is not a database URL ({exc}); expected e.g. "
            "'sqlite:///var/vouch.db' or 'postgresql+psycopg://user@host:5432/vouch'"
        ) from exc
    if url.drivername not in SUPPORTED_DRIVERS:
        raise SettingsError(
            f"{variable} uses the driver {url.drivername!r}; Vouch supports "
            "'sqlite' and 'postgresql+psycopg'"
        )
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername.startswith("postgresql") and not url.database:
        raise SettingsError(f"{variable} names no database: add '/<database>' to the URL")
    return url


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("VOUCH_DATA_DIR") or "var")
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"VOUCH_DATA_DIR={str(data_dir)!r} exists and is not a folder")
    raw_url = env.get("VOUCH_DATABASE_URL") or f"sqlite:///{data_dir / 'vouch.db'}"
    environment = env.get("VOUCH_ENV") or "development"
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"VOUCH_ENV={environment!r} is not one of: {', '.join(ENVIRONMENTS)}")
    return Settings(
        data_dir=data_dir,
        database_url=parse_database_url(raw_url),
        environment=environment,
    )
