"""The directory at 100,000 partners, and 300,000 projected (issue 24, item 4).

    python bench/bench_scale.py --partners 10000 --partners 100000 [--db SIZE=PATH]

The search engine is the one VOUCH_SEARCH_ENGINE names (whoosh by default), for the index
build and the searches alike.

For each size, on a fresh SQLite copy of the demo data set (figures published), through
the `vouch` command a deployment runs:

1. the demo data set (or a copy of `--db SIZE=PATH`, a database this script made before);
2. `vouch index build` (the API's search index);
3. `vouch site build --full`, then `vouch site build` after 1 profile edit, after 100, and
   with nothing to redo;
4. search latency through the index's own entry point (what the GraphQL `search` field
   calls): a two-word query with a country filter, p50 and p95 over 200 queries;
5. the bytes a browser fetches for one search of the static site (the static index's files for
   that query), and the largest file of the site's search.

Then the 300,000-partner figures, projected from the growth between the two largest sizes
measured: each figure is fitted as a + b * partners through those two points (times and
sizes grow linearly in the number of pages, records and index fragments; search latency
and bytes a search fetches are fitted the same way, which overstates them when they grow
more slowly). The projection's assumptions are printed with it.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select

from api import migrations
from api.db import create_db_engine, session_factory
from api.demo_data import load_demo_data
from api.models import Partner
from api.services.apikeys import Caller
from api.services.figures_rebuild import rebuild
from api.services.profile import update_profile
from api.settings import parse_database_url
from bench.common import machine
from search_index.engine import Filters
from search_index.engines import DEFAULT_ENGINE
from search_index.service import index_for

VOUCH = Path(sys.executable).with_name("vouch")
QUERIES = ["cloud migration", "retail data", "salesforce health", "erp finance", "crm support"]


@dataclass
class Figures:
    partners: int
    seconds: dict[str, float] = field(default_factory=dict)
    sizes: dict[str, float] = field(default_factory=dict)


def vouch(data: Path, *args: str) -> float:
    env = dict(os.environ, VOUCH_DATA_DIR=str(data))
    env.pop("VOUCH_DATABASE_URL", None)
    started = time.perf_counter()
    subprocess.run([str(VOUCH), *args], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def demo_data(data: Path, partners: int, copy_from: Path | None) -> float:
    database = data / "vouch.db"
    started = time.perf_counter()
    if copy_from:
        shutil.copyfile(copy_from, database)
        migrations.upgrade(parse_database_url(f"sqlite:///{database}"))
        return 0.0
    url = parse_database_url(f"sqlite:///{database}")
    migrations.upgrade(url)
    engine = create_db_engine(url)
    load_demo_data(engine, partners=partners, seed=1, progress=False)
    with session_factory(engine)() as session, session.begin():
        rebuild(session=session, publish_all=True)
    engine.dispose()
    return time.perf_counter() - started


def edit(data: Path, count: int, seed: int) -> None:
    """`count` partners' summaries changed through the profile service (as the API does)."""
    engine = create_db_engine(parse_database_url(f"sqlite:///{data / 'vouch.db'}"))
    rng = random.Random(seed)
    with session_factory(engine)() as session:
        rows = session.execute(select(Partner.slug, Partner.version)).all()
        session.rollback()
        for slug, version in rng.sample(rows, count):
            with session.begin():
                update_profile(
                    session=session,
                    caller=Caller(role="admin", source="bench"),
                    slug=slug,
                    expected_version=version,
                    changes={"summary": f"Edited by the scale benchmark, round {seed}."},
                )
    engine.dispose()


def search_latency(data: Path) -> tuple[float, float]:
    engine = create_db_engine(parse_database_url(f"sqlite:///{data / 'vouch.db'}"))
    index = index_for(data / "index", os.environ.get("VOUCH_SEARCH_ENGINE", DEFAULT_ENGINE))
    samples = []
    with session_factory(engine)() as session:
        for number in range(220):
            text = QUERIES[number % len(QUERIES)]
            started = time.perf_counter()
            index.search(
                session,
                text,
                filters=Filters(countries=("US",)),
                offset=0,
                limit=20,
                order="relevance",
                market_nps=30.0,
            )
            if number >= 20:  # the first ones open the index and warm its caches
                samples.append((time.perf_counter() - started) * 1000)
            session.rollback()
    engine.dispose()
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95)]


def search_bytes(site: Path) -> tuple[float, float]:
    """KB a browser fetches for one static search, and the largest search file (KB)."""
    try:
        from bench.bench_search_box import fetched_for_search  # the static box's own count
    except ImportError:
        return float("nan"), float("nan")
    fetched, largest = fetched_for_search(site, "cloud migration")
    return fetched / 1e3, largest / 1e3


def measure(partners: int, copy_from: Path | None) -> Figures:
    figures = Figures(partners)
    with tempfile.TemporaryDirectory(prefix="vouch-scale-") as folder:
        data = Path(folder)
        figures.seconds["demo data"] = demo_data(data, partners, copy_from)
        figures.seconds["index build"] = vouch(data, "index", "build")
        figures.seconds["site build --full"] = vouch(data, "site", "build", "--full")
        edit(data, 1, seed=1)
        figures.seconds["site build, 1 edit"] = vouch(data, "site", "build")
        edit(data, 100, seed=2)
        figures.seconds["site build, 100 edits"] = vouch(data, "site", "build")
        figures.seconds["site build, nothing to redo"] = vouch(data, "site", "build")
        p50, p95 = search_latency(data)
        figures.sizes["search p50 (ms)"] = p50
        figures.sizes["search p95 (ms)"] = p95
        site = data / "site"
        files = [path for path in site.rglob("*") if path.is_file()]
        figures.sizes["site (MB)"] = sum(path.stat().st_size for path in files) / 1e6
        fetched, largest = search_bytes(site)
        figures.sizes["fetched for a search (KB)"] = fetched
        figures.sizes["largest search file (KB)"] = largest
        print(report(figures), flush=True)
    return figures


def report(figures: Figures) -> str:
    lines = [f"{figures.partners} partners:"]
    lines += [f"  {name}: {value:.1f} s" for name, value in figures.seconds.items()]
    lines += [f"  {name}: {value:.1f}" for name, value in figures.sizes.items()]
    return "\n".join(lines)


def projected(small: Figures, large: Figures, partners: int) -> Figures:
    out = Figures(partners)
    scale = (partners - large.partners) / (large.partners - small.partners)
    for table, small_table, large_table in (
        (out.seconds, small.seconds, large.seconds),
        (out.sizes, small.sizes, large.sizes),
    ):
        for name, value in large_table.items():
            table[name] = value + (value - small_table[name]) * scale
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, action="append")
    parser.add_argument("--db", action="append", default=[], help="SIZE=PATH: reuse a database")
    parser.add_argument("--project", type=int, default=300_000)
    args = parser.parse_args()
    copies = {int(size): Path(path) for size, path in (item.split("=", 1) for item in args.db)}
    print(f"machine: {machine()}")
    measured = [measure(n, copies.get(n)) for n in sorted(args.partners or [10_000, 100_000])]
    if len(measured) >= 2:
        print(f"projected, linear through the {measured[-2].partners} and "
              f"{measured[-1].partners} figures (assumes the demo data's mix of pages, "
              "industries and countries, one core per build worker as here, and the "
              "page cache holding the database):")  # fmt: skip
        print(report(projected(measured[-2], measured[-1], args.project)))


if __name__ == "__main__":
    main()
