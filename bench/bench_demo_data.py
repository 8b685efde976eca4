"""How long `load_demo_data` takes: N partners into a fresh SQLite file, three times.

Each run gets a new database file in a temporary folder (created with the ORM metadata,
opened through `api.db.create_db_engine`, so the same pragmas as the application), loads
the demo data without a progress bar and is timed on its own. Prints every run, the
median, the row counts and the machine.

    .venv/bin/python bench/bench_demo_data.py            # 10,000 partners
    .venv/bin/python bench/bench_demo_data.py 2000
    .venv/bin/python bench/bench_demo_data.py --partners 10000 --runs 3 --seed 1
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from api.db import create_db_engine  # noqa: E402
from api.demo_data import DemoSummary, load_demo_data  # noqa: E402
from api.models import Base  # noqa: E402
from api.settings import parse_database_url  # noqa: E402


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_seconds: float  # of this process: well below `seconds` means a busy machine
    summary: DemoSummary


def one_run(folder: Path, partners: int, seed: int) -> Run:
    engine = create_db_engine(parse_database_url(f"sqlite:///{folder / 'demo.db'}"))
    try:
        Base.metadata.create_all(engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = load_demo_data(engine, partners=partners, seed=seed, progress=False)
        return Run(time.perf_counter() - started, time.process_time() - cpu_started, summary)
    finally:
        engine.dispose()


def machine() -> str:
    return (
        f"{platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"SQLite {sqlite3.sqlite_version}"
    )


def load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, help="partners to load (10000)")
    parser.add_argument("--partners", type=int, help="the same as the positional argument")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (3)")
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (1)")
    args = parser.parse_args(argv)
    if args.count is not None and args.partners is not None and args.count != args.partners:
        parser.error("give the number of partners once")
    partners = args.partners if args.partners is not None else args.count
    partners = 10_000 if partners is None else partners
    if partners < 1 or args.runs < 1:
        parser.error("partners and runs must be at least 1")

    print(f"machine: {machine()}")
    print(f"load average before: {load_average()}")
    print(f"loading {partners} partners (seed {args.seed}) into fresh SQLite files")
    runs = []
    for number in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="vouch-bench-") as folder:
            run = one_run(Path(folder), partners, args.seed)
        runs.append(run)
        print(f"run {number}: {run.seconds:.2f} s (CPU {run.cpu_seconds:.2f} s)")
    print(f"rows: {runs[-1].summary}")
    print(f"load average after: {load_average()}")
    median = statistics.median(run.seconds for run in runs)
    cpu_median = statistics.median(run.cpu_seconds for run in runs)
    print(f"median of {args.runs} runs: {median:.2f} s (CPU {cpu_median:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
