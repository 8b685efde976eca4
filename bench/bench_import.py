"""`vouch import engagements --dry-run` of a large vendor export, as the operator runs it.

    python bench/bench_import.py [--rows 40000] [--runs 3] [--postgres postgresql+psycopg://...]

The demo data set (200 partners) into a fresh SQLite file and a fresh PostgreSQL database,
then a CSV of ROWS engagements for one vendor: every partner and industry in turn, a new
customer on each row, one row in four naming one of the vendor's products and one in ten
a customer the demo data already has. Each run is a `vouch` process checking the whole
file; prints per backend the median and slowest run's wall-clock seconds, the median CPU
seconds (user + system: steadier than the wall clock on a shared machine), and the peak
memory (RSS).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select
from sqlalchemy.engine import URL

from api.db import create_db_engine
from api.models import Customer, Industry, Partner, Product, Vendor
from api.services.import_csv import COLUMNS
from api.settings import parse_database_url
from bench.bench_dump import DEFAULT_POSTGRES, ROOT, vouch
from bench.common import machine, throwaway_database


def write_export(url: URL, path: Path, rows: int) -> str:
    """ROWS engagements for the database's first vendor; its slug."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            vendor_id, vendor = connection.execute(
                select(Vendor.id, Vendor.slug).order_by(Vendor.id).limit(1)
            ).one()
            partners = connection.scalars(select(Partner.slug).order_by(Partner.id)).all()
            industries = connection.scalars(select(Industry.slug).order_by(Industry.id)).all()
            products = connection.scalars(
                select(Product.slug).where(Product.vendor_id == vendor_id).order_by(Product.id)
            ).all()
            known = connection.scalars(select(Customer.email_domain).order_by(Customer.id)).all()
    finally:
        engine.dispose()
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for n in range(rows):
            domain = known[n % len(known)] if n % 10 == 0 else f"customer-{n}.example"
            writer.writerow(
                [
                    partners[n % len(partners)],
                    f"Customer {n}",
                    domain,
                    industries[n % len(industries)],
                    ("proposed", "in_progress", "completed")[n % 3],
                    products[n % len(products)] if n % 4 == 0 else "",
                    str(1000 * (n % 500)) if n % 2 else "",
                    f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
                    "",
                    "peer_referral" if n % 5 == 0 else "",
                    "DE" if n % 7 == 0 else "",
                    "",
                ]
            )
    return str(vendor)


def dry_run(export: Path, vendor: str, url: URL, data_dir: Path) -> tuple[float, float, float]:
    """Wall-clock seconds, CPU seconds and peak memory (MB) of one `vouch` dry run."""
    env = {
        **os.environ,
        "VOUCH_DATABASE_URL": url.render_as_string(hide_password=False),
        "VOUCH_DATA_DIR": str(data_dir),
    }
    command = ["import", "engagements", str(export), "--vendor", vendor, "--dry-run"]
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", *command], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"vouch {' '.join(command)} failed")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss / 1024


def bench(url: URL, work: Path, rows: int, runs: int) -> str:
    vouch("db", "upgrade", url=url, data_dir=work)
    vouch("demo-data", "--partners", "200", "--seed", "1", url=url, data_dir=work)
    export = work / f"export-{url.get_backend_name()}.csv"
    vendor = write_export(url, export, rows)
    timed = [dry_run(export, vendor, url, work) for _ in range(runs)]
    seconds = [wall for wall, _, _ in timed]
    return (
        f"median {statistics.median(seconds):.2f} s, slowest {max(seconds):.2f} s, "
        f"median CPU {statistics.median(cpu for _, cpu, _ in timed):.2f} s, "
        f"peak memory {max(peak for _, _, peak in timed):.0f} MB ({runs} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    print(machine())
    print(f"dry run of {args.rows:,} rows:")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        sqlite = parse_database_url(f"sqlite:///{work / 'bench.db'}")
        print(f"  SQLite: {bench(sqlite, work, args.rows, args.runs)}")
        with throwaway_database(args.postgres) as pg:
            print(f"  PostgreSQL: {bench(pg, work, args.rows, args.runs)}")


if __name__ == "__main__":
    main()
