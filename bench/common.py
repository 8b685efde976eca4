"""Shared by the benchmark scripts: the machine, medians, a throwaway database."""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from api.settings import parse_database_url


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = f", load {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else ""
    return (
        f"{platform.platform()}, {cpu}, {os.cpu_count()} CPUs{load}, "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def median_ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms"


@contextmanager
def throwaway_database(postgres: str | None) -> Iterator[URL]:
    """A fresh SQLite file, or a fresh database on the given PostgreSQL server."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            yield parse_database_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        return
    admin_url = parse_database_url(postgres)
    if admin_url.host not in ("127.0.0.1", "localhost", "::1", None):
        raise SystemExit("benchmarks only run against a database on this machine")
    name = f"vouch_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
