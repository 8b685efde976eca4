"""Running `vouch` as the operator does: a real subprocess against a test database."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.databases import Database

ROOT = Path(__file__).resolve().parent.parent


def vouch(
    *args: str,
    db: Database | None,
    data_dir: Path,
    timeout: float = 120,
    memory_mb: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m api.cli ARGS`; without a database, VOUCH_DATABASE_URL is a fresh file."""
    url = (
        db.url.render_as_string(hide_password=False)
        if db is not None
        else f"sqlite:///{data_dir / 'unused.db'}"
    )
    return vouch_at(*args, url=url, data_dir=data_dir, timeout=timeout, memory_mb=memory_mb)


def vouch_at(
    *args: str, url: str, data_dir: Path, timeout: float = 120, memory_mb: int | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m api.cli ARGS` with VOUCH_DATABASE_URL set to `url`.

    With `memory_mb`, the process's address space is capped there (RLIMIT_AS): a command
    that reads without bound fails with MemoryError instead of taking the machine's memory.
    """
    env = {
        **os.environ,
        "VOUCH_DATABASE_URL": url,
        "VOUCH_DATA_DIR": str(data_dir),
        "VOUCH_ENV": "test",
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=None if memory_mb is None else _address_space(memory_mb),
    )


def _address_space(megabytes: int) -> Callable[[], None]:
    def cap() -> None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap
