"""`vouch export` and `vouch load` at scale, both ways between SQLite and PostgreSQL.

    python bench/bench_dump.py --partners 10000 [--postgres postgresql+psycopg://...]

The demo data set (figures rebuilt and published) into a fresh SQLite file, then, each
timed as the operator runs it (a `vouch` process): export from SQLite, load into a new
SQLite file, load into a new PostgreSQL database (migrated by the load), export from
PostgreSQL. Prints rows, dump size and times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import URL

from api.settings import parse_database_url
from bench.common import machine, throwaway_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def vouch(*args: str, url: URL, data_dir: Path) -> tuple[float, float]:
    """Seconds, and the process's peak memory (RSS) in MB."""
    env = {
        **os.environ,
        "VOUCH_DATABASE_URL": url.render_as_string(hide_password=False),
        "VOUCH_DATA_DIR": str(data_dir),
    }
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"vouch {' '.join(args)} failed ({process.returncode})")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = parse_database_url(f"sqlite:///{work / 'source.db'}")
        vouch("db", "upgrade", url=source, data_dir=work)
        vouch("demo-data", "--partners", str(args.partners), url=source, data_dir=work)
        timed = {"export from SQLite": vouch("export", str(work / "a"), url=source, data_dir=work)}
        manifest = json.loads((work / "a" / "manifest.json").read_text())
        size = sum(p.stat().st_size for p in (work / "a").iterdir()) / 1e6
        copy = parse_database_url(f"sqlite:///{work / 'copy.db'}")
        timed["load into SQLite"] = vouch("load", str(work / "a"), url=copy, data_dir=work)
        with throwaway_database(args.postgres) as pg:
            timed["load into PostgreSQL"] = vouch("load", str(work / "a"), url=pg, data_dir=work)
            timed["export from PostgreSQL"] = vouch(
                "export", str(work / "b"), url=pg, data_dir=work
            )
    rows = sum(table["rows"] for table in manifest["tables"])
    largest = sorted(manifest["tables"], key=lambda table: -table["rows"])[:4]
    tables = len(manifest["tables"])
    print(f"{args.partners} partners: {rows:,} rows in {tables} tables, {size:.0f} MB")
    print("largest: " + ", ".join(f"{t['name']} {t['rows']:,}" for t in largest))
    for what, (seconds, peak) in timed.items():
        print(f"{what}: {seconds:.1f} s ({rows / seconds:,.0f} rows/s), peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
