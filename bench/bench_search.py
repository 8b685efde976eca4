"""Search: each engine behind Vouch's search layer, same documents and queries.

    python bench/bench_search.py --docs 10000 --docs 100000 [--engine whoosh --engine tantivy]

For each size: synthetic partner documents (80-word descriptions from a 3,000-word
vocabulary, Zipf-distributed, plus names, summaries, tags, places and facets) are indexed
by each engine (`search_index.engines`); then the same two-word queries with one country
filter run through the whole search layer without HTTP or SQL: parsing with fallbacks
and typo tolerance, the blended score, the total, five facets over the whole result, and
a snippet per hit of the first page of 20. Measured: the build, the queries one after
another, the same queries from a few client threads at once (as a `vouch serve` worker
answers them), and how long a changed partner takes to show in the next search.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine
from search_index.documents import PartnerDocument
from search_index.engine import Filters, OpenIndex, SearchRequest
from search_index.engines import ENGINES, engine_named

COUNTRIES = ("US", "DE", "GB", "FR", "NL", "ES", "IT", "SE", "PL", "CA", "AU", "JP", "IN", "BR")
INDUSTRIES = tuple(f"industry-{n}" for n in range(20))
PRODUCTS = tuple(f"product-{n}" for n in range(18))
TIERS = ("proven", "established", "emerging", "not_enough_evidence")
TYPES = ("implementation", "reseller", "managed_services", "support")


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghiklmnoprstuvw"
    words = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(3200)}
    return sorted(words)[:3000]


def documents(count: int, words: list[str], seed: int = 7) -> Iterator[PartnerDocument]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(words))]
    for number in range(count):
        text = rng.choices(words, weights, k=80)
        n = rng.choice((0, 0, 5, 12, 30, 60))
        yield PartnerDocument(
            partner_id=number + 1,
            slug=f"partner-{number:06d}",
            name=" ".join(rng.choices(words, k=2)).title(),
            summary=" ".join(text[:12]),
            description=" ".join(text),
            tags=" ".join(rng.choices(words, k=6)),
            places=rng.choice(("Berlin", "Chicago", "Lyon", "Osaka", "Leeds")),
            industries=tuple(rng.sample(INDUSTRIES, 3)),
            products=tuple(rng.sample(PRODUCTS, 2)),
            countries=tuple(rng.sample(COUNTRIES, rng.randint(1, 2))),
            partner_types=(rng.choice(TYPES),),
            capabilities=(),
            evidence_tier=rng.choice(TIERS),
            nps_n=n,
            nps=rng.uniform(-20, 80) if n else 0.0,
        )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


Query = tuple[str, str]


def timed(
    index: OpenIndex, queries: list[Query], samples: list[float], cpu: list[float] | None = None
) -> None:
    """Each query's wall time, and the CPU time of the thread that ran it: on a shared
    machine the second says what the search costs when it has a core to itself."""
    for text, country in queries:
        request = SearchRequest(text, Filters(countries=(country,)), 0, 20, "relevance", 30.0)
        started, cpu_started = time.perf_counter(), time.thread_time()
        index.search(request)
        samples.append(time.perf_counter() - started)
        if cpu is not None:
            cpu.append(time.thread_time() - cpu_started)


def concurrently(index: OpenIndex, queries: list[Query], clients: int) -> list[float]:
    """Each client thread sends its share of the queries, one after another."""
    samples: list[float] = []
    threads = [
        threading.Thread(target=timed, args=(index, queries[number::clients], samples))
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def changes_visible(index: OpenIndex, words: list[str], rounds: int = 20) -> list[float]:
    samples: list[float] = []
    for number in range(rounds):
        [doc] = list(documents(1, words, seed=1000 + number))
        changed = PartnerDocument(
            **{
                **doc.__dict__,
                "partner_id": 5 + number,
                "slug": f"partner-{4 + number:06d}",
                "name": f"Zebracorn{number} Partners",
            }
        )
        started = time.perf_counter()
        index.update([changed], [])
        page = index.search(SearchRequest(f"zebracorn{number}", Filters(), 0, 20))
        samples.append(time.perf_counter() - started)
        assert [hit.slug for hit in page.hits] == [changed.slug], page.hits
    return samples


def run(count: int, engines: list[str], rounds: int, clients: int) -> None:
    rng = random.Random(11)
    words = vocabulary(rng)
    common = words[:300]  # queries use words partners use often enough to match some
    queries = [
        (f"{rng.choice(common)} {rng.choice(common)}", rng.choice(COUNTRIES)) for _ in range(rounds)
    ]
    print(f"## {count:,} partners, {rounds} two-word queries with one country filter")
    print(
        "| engine | build | p50 / p95, one client | its CPU time, p50 / p95 | p50 / p95, "
        f"{clients} clients | a change in the next search, p50 / p95 |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name in engines:
        engine = engine_named(name)
        with tempfile.TemporaryDirectory() as temporary:
            started, cpu_started = time.perf_counter(), time.process_time()
            engine.create(Path(temporary), documents(count, words), lambda done: None)
            build = time.perf_counter() - started
            build_cpu = time.process_time() - cpu_started
            index = engine.open(Path(temporary))
            timed(index, queries[:20], [])  # warm: caches, postings, facet tables
            alone: list[float] = []
            cpu: list[float] = []
            timed(index, queries, alone, cpu)
            together = concurrently(index, queries, clients)
            visible = changes_visible(index, words)
            index.close()
        figures = [percentiles(samples) for samples in (alone, cpu, together, visible)]
        shown = " | ".join(f"{p50:.1f} / {p95:.1f} ms" for p50, p95 in figures)
        print(f"| {name} | {build:.1f} s (CPU {build_cpu:.1f} s) | {shown} |", flush=True)


def through_the_database(engines: list[str], partners: int, rounds: int = 20) -> None:
    """`vouch index build` on a SQLite demo data set (reading included), then profile edits
    committed and the next search: the whole path of a change, for each engine."""
    from api import migrations
    from api.db import create_db_engine, session_factory, unit_of_work
    from api.demo_data import load_demo_data
    from api.services import changes
    from api.services.figures_rebuild import rebuild
    from api.settings import parse_database_url

    with tempfile.TemporaryDirectory() as temporary:
        url = parse_database_url(f"sqlite:///{Path(temporary) / 'demo.db'}")
        migrations.upgrade(url)
        engine = create_db_engine(url)
        load_demo_data(engine, partners=partners, seed=1)
        sessions = session_factory(engine)
        with unit_of_work(sessions) as session:
            rebuild(session=session, publish_all=True)
            changes.record(session, partner_id=None, reason="everything")
        print(f"## {partners:,} demo partners on SQLite, through the database")
        print(
            "| engine | `vouch index build` (reading included) | an edit committed, "
            "found by the next search (change log, sync, search), p50 / p95 |"
        )
        print("| --- | --- | --- |")
        for name in engines:
            _edits_found(sessions, Path(temporary) / name, name, rounds)
        engine.dispose()


def _edits_found(sessions: Any, root: Path, name: str, rounds: int) -> None:
    from sqlalchemy import select

    from api.db import unit_of_work
    from api.models import Partner
    from api.services.apikeys import Caller
    from api.services.profile import update_profile
    from search_index import SearchIndex

    index = SearchIndex(root, engine_named(name))
    with sessions() as session:
        built = index.build(session)
    admin = Caller(role="admin", source="bench")
    samples: list[float] = []
    for number in range(rounds):
        with unit_of_work(sessions) as session:
            partner = session.scalars(select(Partner).offset(number).limit(1)).one()
            update_profile(
                session=session,
                caller=admin,
                slug=partner.slug,
                expected_version=partner.version,
                changes={"summary": f"Quokkaworks{number}{name} rollouts"},
            )
            slug = partner.slug
        started = time.perf_counter()
        with sessions() as session:
            page = index.search(
                session,
                f"quokkaworks{number}{name}",
                filters=Filters(),
                offset=0,
                limit=20,
                order="relevance",
                market_nps=0.0,
            )
        samples.append(time.perf_counter() - started)
        assert [hit.slug for hit in page.hits] == [slug], page.hits
    p50, p95 = percentiles(samples)
    print(f"| {name} | {built.seconds:.1f} s | {p50:.1f} / {p95:.1f} ms |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", help="index sizes (default 10000)")
    parser.add_argument("--engine", choices=ENGINES, action="append", help="default: both")
    parser.add_argument("--rounds", type=int, default=200, help="queries per size (default 200)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument(
        "--demo-partners",
        type=int,
        default=10_000,
        help="demo partners for the build and change measurements; 0 skips them",
    )
    args = parser.parse_args()
    engines = args.engine or list(ENGINES)
    print(machine())
    if args.demo_partners:
        through_the_database(engines, args.demo_partners)
    for count in args.docs or [10_000]:
        run(count, engines, args.rounds, args.clients)


if __name__ == "__main__":
    main()
