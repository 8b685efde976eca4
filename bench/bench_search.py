"""Search: Vouch's search layer beside a bare whoosh searcher, same documents and queries.

    python bench/bench_search.py --docs 10000 [--docs 100000]

For each size: synthetic partner documents (80-word descriptions from a 3,000-word
vocabulary, Zipf-distributed, plus names, summaries, tags, places and facets) are indexed
twice, by Vouch's WhooshEngine and by raw whoosh with a plain schema; then the same
2-word queries with one country filter run on both, interleaved. "Raw" is parse + search
(top 20, the filter) + the stored slug of each hit, nothing else. "Vouch" is the whole
search layer without HTTP or SQL: parsing with fallbacks and typo tolerance, the blended
score, the total, five facets over the whole result, and a snippet per hit. Also: the full
build of each, and how long a changed partner takes to show in the next search.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.query import Term

from bench.common import machine
from search_index.documents import PartnerDocument
from search_index.engine import Filters, SearchRequest
from search_index.whoosh_engine import WhooshEngine

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


def raw_schema() -> Schema:
    words = StemmingAnalyzer()
    return Schema(
        slug=ID(stored=True),
        name=TEXT(analyzer=words),
        summary=TEXT(analyzer=words),
        description=TEXT(analyzer=words),
        tags=TEXT(analyzer=words),
        places=TEXT(analyzer=words),
        countries=KEYWORD(commas=True),
    )


def build_raw(folder: Path, count: int, words: list[str]) -> float:
    started = time.perf_counter()
    index = whoosh_index.create_in(str(folder), raw_schema())
    writer = index.writer(limitmb=256)
    for doc in documents(count, words):
        writer.add_document(
            slug=doc.slug,
            name=doc.name,
            summary=doc.summary,
            description=doc.description,
            tags=doc.tags,
            places=doc.places,
            countries=",".join(doc.countries),
        )
    writer.commit()
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def run(count: int, rounds: int) -> None:
    rng = random.Random(11)
    words = vocabulary(rng)
    common = words[:300]  # queries use words partners use often enough to match some
    queries = [
        (f"{rng.choice(common)} {rng.choice(common)}", rng.choice(COUNTRIES)) for _ in range(rounds)
    ]
    with tempfile.TemporaryDirectory() as temporary:
        ours_dir, raw_dir = Path(temporary, "ours"), Path(temporary, "raw")
        ours_dir.mkdir()
        raw_dir.mkdir()
        started = time.perf_counter()
        WhooshEngine().create(ours_dir, documents(count, words), lambda done: None)
        ours_build = time.perf_counter() - started
        raw_build = build_raw(raw_dir, count, words)

        ours = WhooshEngine().open(ours_dir)
        raw_index = whoosh_index.open_dir(str(raw_dir))
        raw_searcher = raw_index.searcher()
        parser = qparser.MultifieldParser(
            ["name", "summary", "description", "tags", "places"], raw_index.schema
        )

        def raw_search(text: str, country: str) -> int:
            results = raw_searcher.search(
                parser.parse(text), filter=Term("countries", country), limit=20
            )
            return len([hit["slug"] for hit in results])

        def our_search(text: str, country: str) -> int:
            page = ours.search(
                SearchRequest(text, Filters(countries=(country,)), 0, 20, "relevance", 30.0)
            )
            return len(page.hits)

        for text, country in queries[:20]:  # warm both: caches, postings, facet tables
            raw_search(text, country)
            our_search(text, country)
        raw_times: list[float] = []
        our_times: list[float] = []
        for text, country in queries:
            for timed, samples in ((raw_search, raw_times), (our_search, our_times)):
                started = time.perf_counter()
                timed(text, country)
                samples.append(time.perf_counter() - started)

        visible: list[float] = []
        for number in range(20):
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
            ours.update([changed], [])
            page = ours.search(SearchRequest(f"zebracorn{number}", Filters(), 0, 20))
            visible.append(time.perf_counter() - started)
            assert [hit.slug for hit in page.hits] == [changed.slug], page.hits
        ours.close()
        raw_searcher.close()
        shutil.rmtree(temporary, ignore_errors=True)

    raw_p50, raw_p95 = percentiles(raw_times)
    our_p50, our_p95 = percentiles(our_times)
    vis_p50, vis_p95 = percentiles(visible)
    print(f"## {count:,} partners, {rounds} two-word queries with one country filter")
    print(f"build: Vouch {ours_build:.1f} s, raw whoosh {raw_build:.1f} s")
    print(
        f"search: Vouch p50 {our_p50:.1f} ms p95 {our_p95:.1f} ms; "
        f"raw p50 {raw_p50:.1f} ms p95 {raw_p95:.1f} ms; "
        f"ratio of medians {our_p50 / raw_p50:.2f}x, of p95 {our_p95 / raw_p95:.2f}x"
    )
    print(f"a changed partner in the next search: p50 {vis_p50:.1f} ms p95 {vis_p95:.1f} ms")


def through_the_database(partners: int = 500, rounds: int = 20) -> None:
    """`vouch index build` on a SQLite demo data set (reading included), then profile edits
    committed and the next search: the whole path of a change."""
    from sqlalchemy import select

    from api import migrations
    from api.db import create_db_engine, session_factory, unit_of_work
    from api.demo_data import load_demo_data
    from api.models import Partner
    from api.services import changes
    from api.services.apikeys import Caller
    from api.services.figures_rebuild import rebuild
    from api.services.profile import update_profile
    from api.settings import parse_database_url
    from search_index import SearchIndex

    with tempfile.TemporaryDirectory() as temporary:
        url = parse_database_url(f"sqlite:///{Path(temporary) / 'demo.db'}")
        migrations.upgrade(url)
        engine = create_db_engine(url)
        load_demo_data(engine, partners=partners, seed=1)
        sessions = session_factory(engine)
        with unit_of_work(sessions) as session:
            rebuild(session=session, publish_all=True)
            changes.record(session, partner_id=None, reason="everything")
        index = SearchIndex(Path(temporary) / "index")
        with sessions() as session:
            built = index.build(session)
        print(
            f"full build from the database, {built.documents:,} demo partners (SQLite): "
            f"{built.seconds:.1f} s"
        )
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
                    changes={"summary": f"Quokkaworks{number} rollouts"},
                )
                slug = partner.slug
            started = time.perf_counter()
            with sessions() as session:
                page = index.search(
                    session,
                    f"quokkaworks{number}",
                    filters=Filters(),
                    offset=0,
                    limit=20,
                    order="relevance",
                    market_nps=0.0,
                )
            samples.append(time.perf_counter() - started)
            assert [hit.slug for hit in page.hits] == [slug], page.hits
        engine.dispose()
    p50, p95 = percentiles(samples)
    print(
        f"a profile edit, committed, found by the next search (change log, sync, search; "
        f"{partners:,} demo partners on SQLite): p50 {p50:.1f} ms p95 {p95:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, action="append", help="index sizes (default 10000)")
    parser.add_argument("--rounds", type=int, default=200, help="queries per size (default 200)")
    parser.add_argument(
        "--demo-partners",
        type=int,
        default=10_000,
        help="demo partners for the build and change measurements (default 10000)",
    )
    args = parser.parse_args()
    print(machine())
    through_the_database(args.demo_partners)
    for count in args.docs or [10_000]:
        run(count, args.rounds)


if __name__ == "__main__":
    main()
