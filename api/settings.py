"""Settings read from the environment, validated once, with messages naming the variable."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

ENVIRONMENTS = ("development", "test", "production")
SEARCH_ENGINES = ("whoosh", "tantivy")  # search_index.ENGINES: settings import no engine
DEFAULT_SEARCH_ENGINE = "whoosh"
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")
DEFAULT_RATE_LIMIT = "300/minute"
DEFAULT_RESPONSE_CACHE_MB = 32
DEFAULT_REQUEST_TIMEOUT = 10.0
MAX_REQUEST_TIMEOUT = 600.0
RATE_LIMIT_OFF = ("off", "none")
REDIS_SCHEMES = ("redis", "rediss", "unix")
METRICS_TOKEN = re.compile(r"[!-~]{32,256}")
"""Visible ASCII, no space: it travels in an Authorization header as it is."""


class SettingsError(ValueError):
    """An environment variable holds a value Vouch cannot use."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: URL
    environment: str
    # Requests per API key (or per client address without a key); None: no limit. Built
    # by hand (tests, tools) a Settings has none; from the environment, DEFAULT_RATE_LIMIT.
    rate_limit: RateLimitItem | None = None
    # Where the rate limiter keeps its counts, shared by every worker and instance;
    # None: in each process's memory.
    redis_url: str | None = None
    # Seconds a GraphQL request may run before it is cancelled and rolled back.
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    # The proxies whose X-Forwarded-For names the client (IPs and networks); empty: none,
    # so the address a request came from is its client's, whatever headers it sends.
    forwarded_allow_ips: tuple[str, ...] = ()
    # Megabytes of public answers each process keeps by data version (api/response_cache.py);
    # 0: none kept (ETags and 304s still work).
    response_cache_mb: int = DEFAULT_RESPONSE_CACHE_MB
    # The scraper's bearer token for GET /metrics; None: /metrics answers 404.
    metrics_token: str | None = None
    # Webhook URLs may name loopback and private addresses (a receiver on the same host or
    # network); off by default, since a URL is a request the server makes (forgery).
    webhook_allow_private: bool = False
    # The key webhook signing secrets are derived from (api/webhooks/signing.py); None:
    # one generated into VOUCH_DATA_DIR/webhook.key on first need.
    webhook_key: str | None = None
    # The search engine behind `search` (search_index.engines); an index built by another
    # is rebuilt in the background when first searched.
    search_engine: str = DEFAULT_SEARCH_ENGINE

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


def parse_rate_limit(raw: str, *, variable: str = "VOUCH_RATE_LIMIT") -> RateLimitItem | None:
    """'300/minute', '10 per second', ...; 'off' for no limit."""
    if raw.strip().lower() in RATE_LIMIT_OFF:
        return None
    try:
        items = parse_many(raw)
    except ValueError as exc:
        items = []
        reason = str(exc)
    else:
        reason = "give one limit" if len(items) > 1 else "the amount must be at least 1"
    if len(items) != 1 or items[0].amount < 1:
        raise SettingsError(
            f"{variable}={raw!r} is not a rate limit ({reason}); expected e.g. '300/minute', "
            "'10 per second', or 'off'"
        )
    return items[0]


def parse_request_timeout(raw: str, *, variable: str = "VOUCH_REQUEST_TIMEOUT") -> float:
    try:
        seconds = float(raw)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= MAX_REQUEST_TIMEOUT:
        raise SettingsError(
            f"{variable}={raw!r} is not a number of seconds between 0 and "
            f"{MAX_REQUEST_TIMEOUT:g} (exclusive of 0), e.g. '10' or '2.5'"
        )
    return seconds


def redis_installed() -> bool:
    return importlib.util.find_spec("redis") is not None


def parse_redis_url(raw: str, *, variable: str = "VOUCH_REDIS_URL") -> str:
    parts = urlsplit(raw)
    where = parts.path if parts.scheme == "unix" else parts.hostname
    if parts.scheme not in REDIS_SCHEMES or not where:
        raise SettingsError(
            f"{variable}={_redacted(raw)!r} is not a Redis URL; expected e.g. "
            "'redis://127.0.0.1:6379/0' or 'rediss://user:password@host:6380/0'"
        )
    if not redis_installed():
        raise SettingsError(
            f"{variable} is set but the 'redis' package is not installed: "
            "pip install 'vouch[redis]' (or unset it to count requests in memory)"
        )
    return raw


def parse_forwarded_allow_ips(
    raw: str, *, variable: str = "VOUCH_FORWARDED_ALLOW_IPS"
) -> tuple[str, ...]:
    """'10.0.0.5, 10.1.0.0/16, fd00::/8': the proxies to trust, normalised; '' for none."""
    trusted = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        try:
            trusted.append(str(ipaddress.ip_network(item)))
        except ValueError as exc:
            raise SettingsError(
                f"{variable}: {item!r} is not an IP address or network ({exc}); expected e.g. "
                "'10.0.0.5' or '10.0.0.0/24,fd00::/8', or unset to trust no proxy"
            ) from exc
    return tuple(trusted)


def parse_response_cache_mb(raw: str, *, variable: str = "VOUCH_RESPONSE_CACHE_MB") -> int:
    text = raw.strip()
    if not text.isdigit() or int(text) > 4096:
        raise SettingsError(f"{variable}={raw!r} must be a whole number of megabytes, 0 to 4096")
    return int(text)


def parse_metrics_token(
    raw: str,
    *,
    variable: str = "VOUCH_METRICS_TOKEN",
    unset: str = "unset it to turn /metrics off",
) -> str:
    """The token as given; the message never repeats it (it is a secret)."""
    if not METRICS_TOKEN.fullmatch(raw):
        visible = re.fullmatch(r"[!-~]*", raw) is not None
        found = f"{len(raw)} characters" if visible else "a space or a character not visible ASCII"
        raise SettingsError(
            f"{variable} must be 32 to 256 visible ASCII characters without spaces (it holds "
            f"{found}), e.g. the output of 'openssl rand -hex 32'; {unset}"
        )
    return raw


def parse_flag(raw: str, *, variable: str) -> bool:
    """'true' or 'false' (any case); '' is false."""
    text = raw.strip().lower()
    if text not in ("true", "false", ""):
        raise SettingsError(f"{variable}={raw!r} must be 'true' or 'false'")
    return text == "true"


def parse_search_engine(raw: str, *, variable: str = "VOUCH_SEARCH_ENGINE") -> str:
    if raw not in SEARCH_ENGINES:
        raise SettingsError(f"{variable}={raw!r} is not one of: {', '.join(SEARCH_ENGINES)}")
    return raw


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("VOUCH_DATA_DIR") or "var")
    if data_dir.exists() and not data_dir.is_dir():
        raise SettingsError(f"VOUCH_DATA_DIR={str(data_dir)!r} exists and is not a folder")
    raw_url = env.get("VOUCH_DATABASE_URL") or f"sqlite:///{data_dir / 'vouch.db'}"
    environment = env.get("VOUCH_ENV") or "development"
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"VOUCH_ENV={environment!r} is not one of: {', '.join(ENVIRONMENTS)}")
    redis_url = env.get("VOUCH_REDIS_URL") or None
    metrics_token = env.get("VOUCH_METRICS_TOKEN") or None
    webhook_key = env.get("VOUCH_WEBHOOK_KEY") or None
    return Settings(
        data_dir=data_dir,
        database_url=parse_database_url(raw_url),
        environment=environment,
        rate_limit=parse_rate_limit(env.get("VOUCH_RATE_LIMIT") or DEFAULT_RATE_LIMIT),
        redis_url=parse_redis_url(redis_url) if redis_url else None,
        request_timeout=parse_request_timeout(
            env.get("VOUCH_REQUEST_TIMEOUT") or str(DEFAULT_REQUEST_TIMEOUT)
        ),
        forwarded_allow_ips=parse_forwarded_allow_ips(env.get("VOUCH_FORWARDED_ALLOW_IPS", "")),
        response_cache_mb=parse_response_cache_mb(
            env.get("VOUCH_RESPONSE_CACHE_MB") or str(DEFAULT_RESPONSE_CACHE_MB)
        ),
        metrics_token=parse_metrics_token(metrics_token) if metrics_token else None,
        webhook_allow_private=parse_flag(
            env.get("VOUCH_WEBHOOK_ALLOW_PRIVATE", ""), variable="VOUCH_WEBHOOK_ALLOW_PRIVATE"
        ),
        webhook_key=(
            parse_metrics_token(
                webhook_key,
                variable="VOUCH_WEBHOOK_KEY",
                unset="unset it to keep one in VOUCH_DATA_DIR/webhook.key",
            )
            if webhook_key
            else None
        ),
        search_engine=parse_search_engine(env.get("VOUCH_SEARCH_ENGINE") or DEFAULT_SEARCH_ENGINE),
    )


SETTINGS_HELP = (
    (
        "VOUCH_DATABASE_URL",
        "the database, e.g. postgresql+psycopg://vouch@db:5432/vouch "
        "(default: the SQLite file vouch.db in VOUCH_DATA_DIR)",
    ),
    (
        "VOUCH_DATA_DIR",
        "the folder of the SQLite file, the search index and the site (default: var)",
    ),
    ("VOUCH_ENV", f"one of {', '.join(ENVIRONMENTS)} (default: development)"),
    (
        "VOUCH_RATE_LIMIT",
        "requests per API key, or per client address without a key, e.g. '10 per second'; "
        f"'off' for no limit (default: {DEFAULT_RATE_LIMIT})",
    ),
    (
        "VOUCH_REDIS_URL",
        "the Redis that every worker and host counts the rate limit in, e.g. "
        "redis://127.0.0.1:6379/0 (default: none; each process counts in its own memory)",
    ),
    (
        "VOUCH_REQUEST_TIMEOUT",
        f"seconds a GraphQL request may run (default: {DEFAULT_REQUEST_TIMEOUT:g})",
    ),
    (
        "VOUCH_FORWARDED_ALLOW_IPS",
        "the proxies whose X-Forwarded-For names the client, IPs or networks separated by "
        "commas, e.g. 10.0.0.0/8 (default: none; no proxy is believed)",
    ),
    (
        "VOUCH_RESPONSE_CACHE_MB",
        "megabytes of public answers each API process keeps in memory, 0 to 4096; 0 keeps "
        f"none (default: {DEFAULT_RESPONSE_CACHE_MB})",
    ),
    (
        "VOUCH_METRICS_TOKEN",
        "the token a Prometheus scraper sends to GET /metrics (Authorization: Bearer ...), "
        "32 to 256 visible characters, e.g. from 'openssl rand -hex 32' (default: none; "
        "/metrics answers 404)",
    ),
    (
        "VOUCH_WEBHOOK_ALLOW_PRIVATE",
        "'true' lets webhook URLs name loopback and private addresses, e.g. a receiver on "
        "the same network (default: false; they are refused)",
    ),
    (
        "VOUCH_WEBHOOK_KEY",
        "the key webhook signing secrets are derived from, 32 to 256 visible characters, the "
        "same on every host (default: one generated into VOUCH_DATA_DIR/webhook.key)",
    ),
    (
        "VOUCH_SEARCH_ENGINE",
        f"the engine behind search, one of {', '.join(SEARCH_ENGINES)}; an index built by "
        f"the other is rebuilt when first searched (default: {DEFAULT_SEARCH_ENGINE})",
    ),
)
"""Every variable load_settings reads, what it means and its default, for `vouch --help`."""
