"""A PostgreSQL cluster of the test's own, to stop and start: never the machine's server."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL

from tests.server import free_port


def bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    found = Path(
        subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
    )
    return found if (found / "initdb").exists() else None


def unavailable_reason() -> str | None:
    if bindir() is None:
        return "no initdb: install PostgreSQL's server package to run fault tests on a cluster"
    if shutil.which("runuser") is None:
        return "no runuser: the cluster must run as the postgres user"
    return None


@dataclass
class Cluster:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username="postgres",
            host="127.0.0.1",
            port=self.port,
            database="postgres",
        )

    def _as_postgres(self, *command: str, check: bool = True) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            check=check,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "start",
            "-w",
            "-D",
            str(self.folder / "data"),
            "-l",
            str(self.folder / "log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        )

    def stop(self, *, check: bool = True) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "stop",
            "-w",
            "-m",
            "immediate",
            "-D",
            str(self.folder / "data"),
            check=check,
        )


@contextmanager
def own_cluster() -> Iterator[Cluster]:
    """initdb in a temporary folder, started on a free port; stopped and removed after."""
    found = bindir()
    assert found is not None
    folder = Path(tempfile.mkdtemp(prefix="vouch-pg-"))
    shutil.chown(folder, "postgres")
    cluster = Cluster(folder=folder, port=free_port(), bin=found)
    cluster._as_postgres(
        str(found / "initdb"),
        "-D",
        str(folder / "data"),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
    )
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop(check=False)  # the test may have stopped it already
        shutil.rmtree(folder, ignore_errors=True)
