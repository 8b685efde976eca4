"""Vouch under load: `vouch serve --workers 4` on PostgreSQL, many concurrent clients of mixed
traffic (list, partner, search, match, profile update, survey submit) for a bounded time, on
loopback. Then every acknowledged write must be in the database, and every stored figure must
equal a rebuild from the raw responses. Exits 1 on a server error, a failed or refused
request, a lost write or a figure that differs; answers past the request's time budget
(TIMEOUT: nothing kept) are counted apart, as a sign of overload.

    .venv/bin/python bench/bench_load.py                     # 50 clients, 60 s, 500 partners
    .venv/bin/python bench/bench_load.py --clients 10 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from api.db import create_db_engine
from bench import load_traffic
from bench.common import machine, throwaway_database

VOUCH = str(Path(sys.executable).with_name("vouch"))
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--editors", type=int, default=20, help="partners whose profiles change")
    parser.add_argument("--invitations", type=int, default=2500, help="survey tokens to answer")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a local PostgreSQL server")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=list(load_traffic.MIX),
        help="leave an operation out of the mix (repeatable)",
    )
    parser.add_argument("--server-log", type=Path, help="where the server's output goes")
    args = parser.parse_args()
    mix = {name: weight for name, weight in load_traffic.MIX.items() if name not in args.without}
    print(f"machine: {machine()}")
    with throwaway_database(args.postgres) as url, tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "VOUCH_DATABASE_URL": url.render_as_string(hide_password=False),
            "VOUCH_DATA_DIR": folder,
            "VOUCH_RATE_LIMIT": "off",
        }
        for command in (
            ["db", "upgrade"],
            ["demo-data", "--partners", str(args.partners), "--seed", "1"],
            ["index", "build"],
        ):
            subprocess.run([VOUCH, *command], env=env, check=True, stdout=subprocess.DEVNULL)
        engine = create_db_engine(url)
        slugs, keys, vendor_key, need = load_traffic.make_keys(engine, args.editors)
        engagements = (args.invitations + 4) // 5
        confirmers = load_traffic.confirming_keys(engine, slugs[:engagements])
        with serving(env, args.workers, args.server_log) as base_url:
            started = time.perf_counter()
            tokens = asyncio.run(
                load_traffic.make_tokens(
                    base_url,
                    vendor_key,
                    need,
                    confirmers,
                    engagements=engagements,
                    per_engagement=5,
                )
            )
            print(f"{len(tokens)} survey invitations made in {time.perf_counter() - started:.0f} s")
            invitations = len(tokens)
            world = load_traffic.World(slugs, keys, vendor_key, need, tokens)
            before = load_traffic.versions(engine, list(keys))
            load = os.getloadavg()[0]
            results = asyncio.run(
                load_traffic.run_clients(
                    base_url, world, clients=args.clients, seconds=args.seconds, mix=mix
                )
            )
            load = max(load, os.getloadavg()[0])
        lost = load_traffic.missing_writes(engine, results, before)
        differ = load_traffic.figures_differ_from_rebuild(engine)
        engine.dispose()
    report(args, results, lost, differ, invitations, load)
    if results.server_errors or results.failures or lost or differ:
        sys.exit(1)


@contextmanager
def serving(env: dict[str, str], workers: int, log: Path | None) -> Iterator[str]:
    port = free_port()
    output = open(log or os.devnull, "w")  # noqa: SIM115 - closed after the server ends
    server = subprocess.Popen(
        [VOUCH, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("`vouch serve` did not start")
            time.sleep(0.2)
        yield base_url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        output.close()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def report(
    args: argparse.Namespace,
    results: load_traffic.Results,
    lost: list[str],
    differ: list[str],
    invitations: int,
    load: float,
) -> None:
    total = sum(len(samples) for samples in results.samples.values())
    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s, {args.workers} workers, PostgreSQL, "
        f"{args.partners} partners; load average up to {load:.1f}"
    )
    print("| operation | count | per second | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for operation in load_traffic.MIX:
        samples = sorted(results.samples.get(operation, []))
        if not samples:
            continue
        p50, p95, p99 = (percentile(samples, share) * 1000 for share in (0.50, 0.95, 0.99))
        rate = len(samples) / results.seconds
        print(f"| {operation} | {len(samples)} | {rate:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} |")
    print(f"| all | {total} | {total / results.seconds:.1f} | | | |")
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(results.statuses.items()))
    print(f"\nHTTP requests {results.requests} ({statuses}); server errors {results.server_errors}")
    timeouts = ", ".join(f"{name} {count}" for name, count in results.timeouts.items())
    print(f"past the 10 s request budget (TIMEOUT, nothing kept): {timeouts or 'none'}")
    print(f"other failures {len(results.failures)}: {results.failures[:3]}")
    edits = sum(len(found) for found in results.updates.values())
    print(
        f"acknowledged: {len(results.submitted)} submits (of {invitations} invitations), "
        f"{edits} profile updates ({results.conflicts} version conflicts retried)"
    )
    print(f"missing from the database: {len(lost)} {lost[:3]}")
    print(f"figures differing from a rebuild: {len(differ)} {differ[:3]}")


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


if __name__ == "__main__":
    main()
