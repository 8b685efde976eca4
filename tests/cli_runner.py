"""Running `vouch` as the operator does: a real subprocess against a test database.

The one way tests start `vouch`: to its end (`vouch`, `vouch_at`), in the background
(`start`: a build to kill), as a server (`serving`), or paused mid-way to be killed there
(`paused`).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx
from sqlalchemy.engine import URL

from tests.databases import Database
from tests.paused_vouch import PAUSED
from tests.server import free_port

ROOT = Path(__file__).resolve().parent.parent
VOUCH = [sys.executable, "-m", "api.cli"]


def environment(url: URL | str, data_dir: Path, **settings: str | None) -> dict[str, str]:
    """This process's environment with the test's database and data folder; `settings`
    (VOUCH_ENV and such) added last, or taken out when None."""
    text = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    env = {
        **os.environ,
        "VOUCH_DATABASE_URL": text,
        "VOUCH_DATA_DIR": str(data_dir),
        "VOUCH_ENV": "test",
    }
    for name, value in settings.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def vouch(
    *args: str,
    db: Database | None,
    data_dir: Path,
    timeout: float = 300,
    memory_mb: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m api.cli ARGS`; without a database, VOUCH_DATABASE_URL is a fresh file."""
    url = db.url if db is not None else f"sqlite:///{data_dir / 'unused.db'}"
    return vouch_at(*args, url=url, data_dir=data_dir, timeout=timeout, memory_mb=memory_mb)


def vouch_at(
    *args: str,
    url: URL | str,
    data_dir: Path,
    timeout: float = 300,
    memory_mb: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m api.cli ARGS` with VOUCH_DATABASE_URL set to `url`.

    With `memory_mb`, the process's address space is capped there (RLIMIT_AS): a command
    that reads without bound fails with MemoryError instead of taking the machine's memory.
    """
    return subprocess.run(
        [*VOUCH, *args],
        cwd=ROOT,
        env=environment(url, data_dir),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=None if memory_mb is None else _address_space(memory_mb),
    )


def start(
    *args: str,
    url: URL | str,
    data_dir: Path,
    settings: dict[str, str | None] | None = None,
    command: list[str] = VOUCH,
    **popen: Any,
) -> subprocess.Popen[str]:
    """`command ARGS` (`python -m api.cli` unless told) started, not waited for."""
    env = environment(url, data_dir, **(settings or {}))
    return subprocess.Popen([*command, *args], cwd=ROOT, env=env, text=True, **popen)


@contextmanager
def serving(
    *options: str,
    url: URL | str,
    data_dir: Path,
    settings: dict[str, str | None] | None = None,
    stdout: IO[str] | int = subprocess.DEVNULL,
) -> Iterator[str]:
    """`vouch serve OPTIONS` on a free loopback port: its address once /healthz answers;
    stopped at the end."""
    port = free_port()
    with start(
        "serve",
        "--port",
        str(port),
        *options,
        url=url,
        data_dir=data_dir,
        settings=settings,
        stdout=stdout,
        stderr=subprocess.PIPE,
    ) as server:
        address = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(server, address)
            yield address
        finally:
            server.terminate()
            server.communicate(timeout=20)


def _wait_until_up(server: subprocess.Popen[str], address: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"vouch serve stopped: {server.communicate()[1]}")
        try:
            if httpx.get(f"{address}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("vouch serve did not answer within 30 s")


@contextmanager
def paused(
    table: str,
    count: int,
    *args: str,
    url: URL | str,
    data_dir: Path,
    settings: dict[str, str | None] | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """`vouch ARGS` stopped where tests/paused_vouch.py stops it (`table`, `count`): yielded
    once it says so, for the test to kill; killed at the end if the test did not."""
    command = [sys.executable, "-m", "tests.paused_vouch", table, str(count)]
    with start(
        *args,
        url=url,
        data_dir=data_dir,
        settings=settings,
        command=command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.strip() == PAUSED:
                break
        else:
            raise AssertionError(f"the command ended before pausing:\n{''.join(seen)}")
        try:
            yield process
        finally:
            process.kill()


def _address_space(megabytes: int) -> Callable[[], None]:
    def cap() -> None:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return cap
