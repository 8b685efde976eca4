"""The list queries at directory scale, in-process (no HTTP): p50/p95, statements, plans.

Loads N demo partners into a throwaway PostgreSQL database (or reads one already loaded,
--existing), then runs each list query through the schema as the public role would, in
a rolled-back transaction, and prints p50 and p95, the SQL statements each one ran, and
EXPLAIN ANALYZE of its page query.

    .venv/bin/python bench/bench_ranked_list.py --partners 100000
    .venv/bin/python bench/bench_ranked_list.py \\
        --existing postgresql+psycopg://postgres@127.0.0.1:5432/vouch_100k
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, event
from starlette.requests import Request
from starlette.responses import Response

from api.db import create_db_engine, session_factory, statement_deadline
from api.schema import create_schema
from api.schema.context import Context
from api.services.apikeys import PUBLIC
from api.settings import Settings, parse_database_url
from bench.bench_graphql_list import (
    BenchError,
    cpu_model,
    load_average,
    run_vouch,
    throwaway_postgres,
)

FIGURES = "metrics { nps { value low high n } rankingScore evidenceTier }"
QUERIES = {
    "default list (ranking order), with totalCount": (
        f"{{ partners(first: 20) {{ totalCount edges {{ node {{ slug name {FIGURES} }} }} }} }}"
    ),
    "default list (ranking order), no totalCount": (
        f"{{ partners(first: 20) {{ edges {{ node {{ slug name {FIGURES} }} }} }} }}"
    ),
    "default list, page 5 (after: offset 79)": (
        '{ partners(first: 20, after: "dm91Y2g6b2Zmc2V0Ojc5") '
        f"{{ edges {{ node {{ slug name {FIGURES} }} }} }} }}"
    ),
    "filtered (industry healthcare, country US), ranking order, with totalCount": (
        '{ partners(first: 20, filter: {industries: ["healthcare"], countries: ["US"]}) '
        f"{{ totalCount edges {{ node {{ slug name {FIGURES} }} }} }} }}"
    ),
    "by name, offices and industries, with totalCount": (
        "{ partners(first: 20, orderBy: NAME) { totalCount edges { node { slug name "
        "offices { city country } industries { slug } } } } }"
    ),
}


@contextlib.contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def collect(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.split(" ", 1)[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", collect)


def run_once(engine: Engine, settings: Settings, schema: Any, query: str) -> float:
    sessions = session_factory(engine)
    request = Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"})
    with sessions() as session:
        context = Context(
            request=request,
            response=Response(),
            session=session,
            caller=PUBLIC,
            settings=settings,
            request_id="bench",
        )
        began = time.perf_counter()
        with statement_deadline(session, context.deadline):
            result = schema.execute_sync(query, context_value=context)
        took = time.perf_counter() - began
        session.rollback()
    if result.errors:
        raise BenchError(f"{query}: {result.errors}")
    return took * 1000


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
        ).all()
        connection.rollback()
    return "\n".join(row[0] for row in rows)


def measure(database_url: str, repeat: int, show_plans: bool) -> None:
    url = parse_database_url(database_url)
    engine = create_db_engine(url)
    settings = Settings(data_dir=Path(tempfile.gettempdir()), database_url=url, environment="test")
    schema = create_schema(production=True)
    with engine.connect() as connection:
        partners = connection.exec_driver_sql("SELECT count(*) FROM partners").scalar_one()
    print(f"{partners:,} partners; {repeat} runs each after 5 warm-up runs; load {load_average()}")
    for name, query in QUERIES.items():
        for _ in range(5):
            run_once(engine, settings, schema, query)
        times = sorted(run_once(engine, settings, schema, query) for _ in range(repeat))
        with statements(engine) as seen:
            run_once(engine, settings, schema, query)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"\n{name}: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
            f"{len(seen)} statements"
        )
        for statement, _ in seen:
            print("   ", " ".join(statement.split())[:150])
        if show_plans:
            for statement in (s for s in seen if "FROM partners" in s[0]):
                print(f"  plan of: {' '.join(statement[0].split())[:90]}...")
                print("    " + plan(engine, *statement).replace("\n", "\n    "))
    if show_plans:
        print("\nfor comparison, the page as it was read before the stored keys (an exact")
        print("ORDER BY over every partner) and its count with the join:")
        for statement in before_keys(engine):
            print("    " + plan(engine, *statement).replace("\n", "\n    "))
    engine.dispose()


def before_keys(engine: Engine) -> list[tuple[str, Any]]:
    """The statements of the default list before migration 0007, compiled for this database."""
    from sqlalchemy import and_, func, select

    from api.models import Partner, published_tallies
    from api.readers.figures import market_overall_nps
    from api.readers.partners import _order_by

    with session_factory(engine)() as session:
        market = market_overall_nps(session)
    with_tally = and_(
        published_tallies.c.partner_id == Partner.id, published_tallies.c.kind == "all"
    )
    page = (
        select(Partner)
        .outerjoin(published_tallies, with_tally)
        .order_by(*_order_by("ranking_score", market))
        .limit(20)
    )
    count = select(func.count(Partner.id)).outerjoin(published_tallies, with_tally)
    compiled = []
    for statement in (page, count):
        sql = statement.compile(engine, compile_kwargs={"literal_binds": True})
        compiled.append((str(sql), {}))
    return compiled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--existing", help="a database already migrated and loaded: read only")
    parser.add_argument("--partners", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs (shared; medians)")
    try:
        if args.existing:
            measure(args.existing, args.repeat, not args.no_plans)
            return 0
        with (
            tempfile.TemporaryDirectory(prefix="vouch-ranked-") as work,
            throwaway_postgres(args.database_url) as (database_url, database),
        ):
            env = {**os.environ, "VOUCH_DATA_DIR": work, "VOUCH_DATABASE_URL": database_url}
            began = time.monotonic()
            run_vouch(["db", "upgrade"], env, timeout=300)
            run_vouch(["demo-data", "--partners", str(args.partners)], env, timeout=7200)
            print(f"{database}: loaded in {time.monotonic() - began:.0f} s")
            measure(database_url, args.repeat, not args.no_plans)
    except BenchError as error:
        print(f"bench_ranked_list: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
