"""How long best-fit matching takes: needs against 10,000 demo partners, one process, no HTTP.

Loads the demo data (10,000 partners, about 200,000 responses) into a fresh SQLite file
(or PostgreSQL with --postgres URL, or reuses --database URL), publishes it, then asks
generated needs through api.matching.best_fit in one session, as one API worker would.
Prints the cold start (the match index reading every partner), the time of a need
(median and p95), the SQL statements per need, and the time of the first need after one
partner's figures are republished (the index reads that partner again).

    .venv/bin/python bench/bench_match.py
    .venv/bin/python bench/bench_match.py --postgres postgresql+psycopg://postgres@127.0.0.1/postgres
    .venv/bin/python bench/bench_match.py --database sqlite:////tmp/demo.db --needs 500
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, event, select  # noqa: E402

from api import migrations  # noqa: E402
from api.db import create_db_engine, session_factory, unit_of_work  # noqa: E402
from api.demo_data import load_demo_data  # noqa: E402
from api.demo_data.cities import CITIES  # noqa: E402
from api.matching import Need, Requirements, best_fit  # noqa: E402
from api.matching.index import index_for  # noqa: E402
from api.models import Industry, Partner, Product, SurveyResponse  # noqa: E402
from api.services import changes  # noqa: E402
from api.services.figures_rebuild import rebuild  # noqa: E402
from api.settings import parse_database_url  # noqa: E402
from api.vocabulary import CAPABILITIES  # noqa: E402
from bench.common import machine, throwaway_database  # noqa: E402


def needs(engine: Engine, count: int, seed: int) -> list[Need]:
    """Needs as vendors would send them: an industry, one or two products, a city, a
    budget; some with a capability or a language to have, a few with weights."""
    rng = random.Random(seed)
    with session_factory(engine)() as session:
        industries = list(session.scalars(select(Industry.slug)))
        products = list(session.scalars(select(Product.slug)))
    made = []
    for _ in range(count):
        city = rng.choice(CITIES)
        roll = rng.random()
        made.append(
            Need(
                industry=rng.choice(industries),
                products=tuple(rng.sample(products, rng.choice((1, 1, 2)))),
                country=city.country,
                latitude=city.latitude,
                longitude=city.longitude,
                budget=int(rng.lognormvariate(11.5, 0.8)),
                capabilities=(rng.choice(CAPABILITIES),) if roll < 0.2 else (),
                languages=("en",) if 0.2 <= roll < 0.4 else (),
                require=Requirements(min_responses=5) if 0.4 <= roll < 0.5 else Requirements(),
                weights={"proximity": 0.3} if 0.5 <= roll < 0.6 else {},
            )
        )
    return made


def load(engine: Engine, partners: int, seed: int) -> None:
    started = time.perf_counter()
    summary = load_demo_data(engine, partners=partners, seed=seed, progress=False)
    with unit_of_work(session_factory(engine)) as session:
        rebuild(session=session, publish_all=True)
        changes.record(session, partner_id=None, reason="everything")
    took = time.perf_counter() - started
    print(f"loaded {summary.partners} partners, {summary.responses} responses in {took:.0f} s")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run(engine: Engine, count: int, seed: int, first: int) -> None:
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(str(a[2])))
    asked = needs(engine, count, seed)
    with session_factory(engine)() as session:
        partners = session.scalar(select(Partner.id).order_by(Partner.id.desc()).limit(1))
        responses = len(session.scalars(select(SurveyResponse.id)).all())
        print(f"database: {partners} partners, {responses} responses")
        started = time.perf_counter()
        best_fit(session=session, need=asked[0], first=first)
        cold = time.perf_counter() - started
        print(f"cold start (the match index reads every partner): {cold:.2f} s")
        for need in asked[:20]:  # each industry's and product's columns, once per snapshot
            best_fit(session=session, need=need, first=first)
        times, cpu, counts = [], [], []
        for need in asked:
            statements.clear()
            started, cpu_started = time.perf_counter(), time.process_time()
            best_fit(session=session, need=need, first=first)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            counts.append(len(statements))
        session.rollback()
    print(
        f"{count} needs, first={first}: median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; "
        f"SQL statements per need: {sorted(set(counts))}"
    )
    # On a shared machine the wall clock waits for other processes; this process's CPU
    # time is what a need costs when it has a core to itself.
    print(
        f"CPU time of this process per need: median {statistics.median(cpu) * 1000:.1f} ms, "
        f"p95 {percentile(cpu, 0.95) * 1000:.1f} ms"
    )
    refreshed(engine, asked, first)


def refreshed(engine: Engine, asked: list[Need], first: int) -> None:
    """One partner's figures published again: the next need reads that partner again."""
    samples = []
    for number in range(5):
        with unit_of_work(session_factory(engine)) as session:
            changes.record(session, partner_id=number + 1, reason="figures")
        with session_factory(engine)() as session:
            started = time.perf_counter()
            best_fit(session=session, need=asked[number], first=first)
            samples.append(time.perf_counter() - started)
            index = index_for(session)
    print(
        f"first need after a partner's figures changed: median "
        f"{statistics.median(samples) * 1000:.1f} ms (index rebuilds so far: {index.rebuilds})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=10_000, help="demo partners (10000)")
    parser.add_argument("--needs", type=int, default=300, help="timed needs (300)")
    parser.add_argument("--first", type=int, default=10, help="partners per need (10)")
    parser.add_argument("--seed", type=int, default=1, help="demo data and needs seed (1)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to load into")
    where.add_argument("--database", metavar="URL", help="an already loaded database to use")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    if args.database:
        engine = create_db_engine(parse_database_url(args.database))
        run(engine, args.needs, args.seed, args.first)
        return 0
    with throwaway_database(args.postgres) as url:
        migrations.upgrade(url)
        engine = create_db_engine(url)
        try:
            load(engine, args.partners, args.seed)
            run(engine, args.needs, args.seed, args.first)
        finally:
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
