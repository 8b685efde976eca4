"""Where one uncached request of the bench list goes: cProfile over the ASGI app in-process.

    VOUCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/profile_list.py \
        [--keyed] [--requests 300] [--profile] [--top 40]

The database must hold the demo data (vouch db upgrade && vouch demo-data --partners 500).
Without --profile it prints the mean time of a request (after a warm-up), with the
response cache off and the rate limit off, as `vouch serve` in production.
PROFILE_QUERY=... runs another document instead of the bench list (`{ __typename }`: the
cost of the request's path alone); PROFILE_CALLERS=name prints who called that function.
The collector is set as `vouch serve` sets it (api/serving.settle_long_lived) unless
--python-gc; the time it took is printed by generation. Under `valgrind --tool=callgrind`,
the instructions of N requests less those of fewer are what a request costs
(BENCHMARKS.md, 2026-12-07).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import cProfile
import gc
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.bench_peers import LIST_VOUCH

BUCKETS = (
    ("sqlalchemy/orm", "sqlalchemy orm"),
    ("sqlalchemy/", "sqlalchemy core"),
    ("psycopg", "psycopg"),
    ("graphql/", "graphql-core"),
    ("strawberry/", "strawberry"),
    ("starlette/", "starlette"),
    ("httpx/", "httpx (the client)"),
    ("/api/", "api"),
    ("asyncio/", "asyncio"),
)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keyed", action="store_true", help="with a vendor key")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument(
        "--python-gc",
        action="store_true",
        help="keep Python's collector settings (vouch serve freezes start-up's objects)",
    )
    args = parser.parse_args()
    os.environ.update(
        {"VOUCH_ENV": "production", "VOUCH_RATE_LIMIT": "off", "VOUCH_RESPONSE_CACHE_MB": "0"}
    )
    from api.app import create_app
    from api.db import create_db_engine, session_factory, unit_of_work
    from api.services.apikeys import create_key
    from api.settings import load_settings

    settings = load_settings()
    engine = create_db_engine(settings.database_url)
    headers = {"content-type": "application/json"}
    if args.keyed:
        from sqlalchemy import text

        with unit_of_work(session_factory(engine)) as session:
            vendor = session.execute(text("SELECT slug FROM vendors LIMIT 1")).scalar_one()
            _, key = create_key(session=session, role="vendor", vendor_slug=vendor)
        headers["authorization"] = f"Bearer {key}"
    if args.profile:
        # cProfile sees one thread: the database steps run inline, in the event loop's.
        from api.request_turns import RequestTurns

        async def inline(self: RequestTurns, function: Any, *more: Any) -> Any:
            return function(*more)

        RequestTurns.in_worker = inline  # type: ignore[method-assign]
    app = create_app(settings, engine)
    if not args.python_gc:
        from api.serving import settle_long_lived

        settle_long_lived()  # as `vouch serve` does once the app is built
    body = {"query": os.environ.get("PROFILE_QUERY", LIST_VOUCH)}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def one() -> None:
            response = await client.post("/graphql", json=body, headers=headers)
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.text

        for _ in range(30):
            await one()
        collections_before = sum(s["collections"] for s in gc.get_stats())
        in_gc = [0.0, 0.0]
        by_generation = [0.0, 0.0, 0.0]

        def timed(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                in_gc[1] = time.perf_counter()
            else:
                spent = time.perf_counter() - in_gc[1]
                in_gc[0] += spent
                by_generation[info["generation"]] += spent

        gc.callbacks.append(timed)
        profiler = cProfile.Profile() if args.profile else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            await one()
        if profiler:
            profiler.disable()
        spent, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{args.requests} requests, {1000 * spent / args.requests:.2f} ms each, "
        f"{1000 * cpu / args.requests:.2f} ms of this process's CPU (client included)"
    )
    ran = sum(s["collections"] for s in gc.get_stats()) - collections_before
    print(
        f"{ran} garbage collections, {gc.get_stats()[2]['collections']} of the oldest ever, "
        f"{1000 * in_gc[0] / args.requests:.2f} ms a request (by generation: "
        + ", ".join(f"{1000 * t / args.requests:.2f}" for t in by_generation)
        + ")"
    )
    if profiler:
        stats = pstats.Stats(profiler)
        by_library: collections.Counter[str] = collections.Counter()
        for (filename, _, _), row in stats.stats.items():  # type: ignore[attr-defined]
            by_library[next((b for k, b in BUCKETS if k in filename), "other")] += row[2]
        total = sum(by_library.values())
        print("own time by library:")
        for name, seconds in by_library.most_common():
            print(f"  {100 * seconds / total:5.1f}%  {name}")
        stats.sort_stats(args.sort).print_stats(args.top)
        if os.environ.get("PROFILE_CALLERS"):
            stats.print_callers(os.environ["PROFILE_CALLERS"])
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
