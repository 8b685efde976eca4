"""`vouch figures rebuild` on the demo data set: N partners (default 10,000, about
200,000 responses), three rebuilds, each in its own transaction.

    .venv/bin/python bench/bench_rebuild.py
    .venv/bin/python bench/bench_rebuild.py --partners 10000 --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api import migrations
from api.db import create_db_engine, session_factory, unit_of_work
from api.demo_data import load_demo_data
from api.services.figures_rebuild import rebuild
from bench.common import machine, throwaway_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with throwaway_database(args.postgres) as url:
        migrations.upgrade(url)
        engine = create_db_engine(url)
        summary = load_demo_data(engine, partners=args.partners, seed=1, progress=True)
        print(f"data: {summary.partners} partners, {summary.responses} responses")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with unit_of_work(session_factory(engine)) as session:
                result = rebuild(session=session)
            times.append(time.perf_counter() - started)
            print(f"  rebuild {times[-1]:.2f} s: {result}")
        engine.dispose()
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"figures rebuild ({backend}): median {statistics.median(times):.2f} s of {args.runs}")


if __name__ == "__main__":
    main()
