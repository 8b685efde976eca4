"""Vouch beside PostGraphile and a plain starlette endpoint, on the same PostgreSQL data.

One throwaway PostgreSQL database (migrated, demo data loaded, plus the view
`partner_rankings` PostGraphile reads the published figures through); three servers on
loopback ports, each with the same number of worker processes:

- Vouch: `vouch serve --workers N` (VOUCH_ENV=production, rate limit off);
- PostGraphile 4.14.1, installed by npm into tools/peers (`npm ci`, node_modules ignored);
- the floor: a starlette endpoint answering each query with one SQL statement that builds
  the whole JSON (json_build_object/json_agg), under uvicorn.

For each query the three answers are first checked to hold the same content (nested lists
compared as sets: PostGraphile lists a partner's offices and industries by key), then wrk
runs interleaved rounds (the order rotates each round) and the medians are printed with
the ratios. The machine is shared: only ratios from one run mean much.

    .venv/bin/python bench/bench_peers.py
    .venv/bin/python bench/bench_peers.py --workers 1 --workers 2 --workers 4 --rounds 3
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_graphql_list import (
    HOST,
    REPO,
    BenchError,
    cpu_model,
    free_port,
    git_revision,
    load_average,
    run_vouch,
    stop_server,
    tail,
    throwaway_postgres,
    vouch_command,
)
from bench.peers_sql import FLOOR_LIST, FLOOR_RANKED, RANKINGS_VIEW

PEERS = REPO / "tools" / "peers"
SERVERS = ("vouch", "vouch-uncached", "postgraphile", "floor")
FLOOR_MODE = "_floor"  # argv[1] of the floor server process

LIST_VOUCH = (
    "query BenchList { partners(first: 20, orderBy: NAME) { totalCount edges { node "
    "{ slug name offices { city country } industries { slug } } } } }"
)
LIST_POSTGRAPHILE = (
    "query BenchList { allPartners(first: 20, orderBy: [NAME_ASC, ID_ASC]) { totalCount "
    "edges { node { slug name officesByPartnerId { nodes { city country } } "
    "partnerIndustriesByPartnerId { nodes { industryByIndustryId { slug } } } } } } }"
)
RANKED_VOUCH = (
    "query BenchRanked { partners(first: 20) { totalCount edges { node { slug name "
    "metrics { nps { value low high n } rankingScore evidenceTier } } } } }"
)
RANKED_POSTGRAPHILE = (
    "query BenchRanked { allPartnerRankings(first: 20, orderBy: [RANKING_SCORE_DESC, "
    "NAME_ASC, ID_ASC]) { totalCount edges { node { slug name npsValue npsLow npsHigh "
    "npsN rankingScore evidenceTier } } } }"
)


@dataclass(frozen=True)
class Query:
    name: str
    vouch: str
    postgraphile: str
    floor_path: str


QUERIES = {
    "list": Query(
        "20 partners by name, offices and industries", LIST_VOUCH, LIST_POSTGRAPHILE, "/list"
    ),
    "ranked": Query(
        "20 partners by ranking score, NPS with interval, score and tier",
        RANKED_VOUCH,
        RANKED_POSTGRAPHILE,
        "/ranked",
    ),
}


# ------------------------------------------------------------------ the same content


def _nps(value: Any, low: Any, high: Any, n: Any) -> Any:
    if value is None:
        return None
    return {"value": value, "low": low, "high": high, "n": n}


def same(one: Any, other: Any) -> bool:
    """Equal content; floats (worked out in SQL or in Python) to within 1e-9."""
    if isinstance(one, float) or isinstance(other, float):
        return (
            isinstance(one, (int, float))
            and isinstance(other, (int, float))
            and (abs(one - other) <= 1e-9 * max(1.0, abs(one)))
        )
    if isinstance(one, dict) and isinstance(other, dict):
        return one.keys() == other.keys() and all(same(one[k], other[k]) for k in one)
    if isinstance(one, list) and isinstance(other, list):
        return len(one) == len(other) and all(map(same, one, other))
    return bool(one == other)


def normalised(server: str, query: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The content of an answer, the same shape whoever gave it."""
    if answer.get("errors"):
        raise BenchError(f"{server} answered errors: {answer['errors']}")
    data = answer["data"]
    if server == "postgraphile":
        page = data["allPartners" if query == "list" else "allPartnerRankings"]
    else:
        page = data["partners"]
    partners = []
    for edge in page["edges"]:
        node = edge["node"]
        item: dict[str, Any] = {"slug": node["slug"], "name": node["name"]}
        if query == "list":
            offices = node.get("offices") or node.get("officesByPartnerId", {}).get("nodes")
            industries = node.get("industries")
            if industries is None:
                links = node["partnerIndustriesByPartnerId"]["nodes"]
                industries = [link["industryByIndustryId"] for link in links]
            item["offices"] = sorted((o["city"], o["country"]) for o in offices)
            item["industries"] = sorted(i["slug"] for i in industries)
        elif server == "postgraphile":
            item["nps"] = _nps(node["npsValue"], node["npsLow"], node["npsHigh"], node["npsN"])
            item["rankingScore"] = node["rankingScore"]
            item["evidenceTier"] = node["evidenceTier"]
        else:
            metrics = node["metrics"]
            nps = metrics["nps"] or {}
            item["nps"] = _nps(nps.get("value"), nps.get("low"), nps.get("high"), nps.get("n"))
            item["rankingScore"] = metrics["rankingScore"]
            item["evidenceTier"] = metrics["evidenceTier"]
        partners.append(item)
    return {"totalCount": page["totalCount"], "partners": partners}


def first_difference(one: dict[str, Any], other: dict[str, Any]) -> str:
    if one["totalCount"] != other["totalCount"]:
        return f"totalCount {one['totalCount']} != {other['totalCount']}"
    for index, (mine, theirs) in enumerate(zip(one["partners"], other["partners"], strict=False)):
        if not same(mine, theirs):
            return f"partner {index}: {json.dumps(mine)}\n       != {json.dumps(theirs)}"
    return f"{len(one['partners'])} partners != {len(other['partners'])}"


def post(url: str, body: bytes) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url, data=body, headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        answer: dict[str, Any] = json.load(response)
        return answer


# ------------------------------------------------------------------------------- wrk

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
bad = 0
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function setup(thread) table.insert(threads, thread) end
threads = {{}}
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, " ..
    "\\"p95_us\\": %d, \\"bad\\": %d, \\"socket_errors\\": %d}}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    b, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Sample:
    rps: float
    p50_ms: float
    p95_ms: float
    bad: int


def run_wrk(url: str, body: str, seconds: float, connections: int, work: Path) -> Sample:
    if "]==]" in body:
        raise BenchError("the body cannot be embedded in the Lua script")
    script = work / f"peer_{abs(hash(body))}.lua"
    script.write_text(WRK_SCRIPT.format(body=body))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    run = subprocess.run(
        [*command, "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    lines = [line for line in run.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if run.returncode != 0 or not lines:
        raise BenchError(f"wrk failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
    raw = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    return Sample(
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        bad=raw["bad"] + raw["socket_errors"],
    )


# ---------------------------------------------------------------------------- servers


def wait_for(url: str, body: bytes, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{url} exited with {process.returncode}:\n{tail(log)}")
        try:
            post(url, body)
            return
        except (OSError, ValueError):
            time.sleep(0.2)
    raise BenchError(f"{url} did not answer within 90 s:\n{tail(log)}")


@contextlib.contextmanager
def serving(
    command: list[str],
    env: dict[str, str],
    log: Path,
    ready: Callable[[subprocess.Popen[bytes]], None],
) -> Iterator[None]:
    with log.open("ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its workers stop with it
        )
    try:
        ready(process)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        stop_server(process)


def postgraphile_installed() -> Path:
    binary = PEERS / "node_modules" / ".bin" / "postgraphile"
    done = PEERS / "node_modules" / ".package-lock.json"
    lock = PEERS / "package-lock.json"
    if not done.exists() or done.stat().st_mtime < lock.stat().st_mtime:
        npm = shutil.which("npm")
        if npm is None:
            raise BenchError("npm is not on the PATH (Debian: apt-get install -y npm)")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=PEERS,
            check=True,
            timeout=600,
        )
    return binary


def floor_main(argv: Sequence[str]) -> int:
    """The plain floor: starlette, one SQL statement a request, the JSON built by PostgreSQL."""
    import uvicorn

    from api.serving import NoDelayH11Protocol

    url, port, workers = argv[0], int(argv[1]), int(argv[2])
    os.environ["PEERS_FLOOR_URL"] = url
    uvicorn.run(
        "bench.bench_peers:floor_app",
        factory=True,
        host=HOST,
        port=port,
        workers=workers,
        log_level="warning",
        # As vouch serve: without it, several workers wait out delayed ACKs (api/serving.py).
        http=NoDelayH11Protocol,
    )
    return 0


def floor_app() -> Any:
    from sqlalchemy import create_engine
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    engine = create_engine(os.environ["PEERS_FLOOR_URL"], pool_size=10)

    def answer(sql: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            with engine.connect() as connection:
                body = connection.exec_driver_sql(sql).scalar_one()
            return Response(body, media_type="application/json")

        return endpoint

    return Starlette(
        routes=[
            Route("/list", answer(FLOOR_LIST), methods=["POST"]),
            Route("/ranked", answer(FLOOR_RANKED), methods=["POST"]),
        ]
    )


# -------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, action="append", help="1, 2 and 4 by default")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0, help="per server and round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--query", choices=sorted(QUERIES), action="append")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    return parser.parse_args(argv)


def measure(
    args: argparse.Namespace, work: Path, database_url: str, workers: int
) -> dict[str, Any]:
    """Every query with every server up, `workers` processes each."""
    pg_url = database_url.replace("postgresql+psycopg://", "postgresql://")
    env = {
        **os.environ,
        "VOUCH_DATA_DIR": str(work),
        "VOUCH_DATABASE_URL": database_url,
        "VOUCH_ENV": "production",
        "VOUCH_RATE_LIMIT": "off",
    }
    ports = {name: free_port() for name in SERVERS}
    urls = {
        "vouch": f"http://{HOST}:{ports['vouch']}/graphql",
        "vouch-uncached": f"http://{HOST}:{ports['vouch-uncached']}/graphql",
        "postgraphile": f"http://{HOST}:{ports['postgraphile']}/graphql",
        "floor": f"http://{HOST}:{ports['floor']}",
    }
    probe = json.dumps({"query": "{ __typename }"}).encode()

    def vouch(name: str) -> list[str]:
        port = str(ports[name])
        return [
            *vouch_command(),
            "serve",
            "--host",
            HOST,
            "--port",
            port,
            "--workers",
            str(workers),
        ]

    commands = {
        "vouch": vouch("vouch"),
        "vouch-uncached": vouch("vouch-uncached"),
        "postgraphile": [
            str(postgraphile_installed()),
            "-c",
            pg_url,
            "--host",
            HOST,
            "--port",
            str(ports["postgraphile"]),
            "--disable-graphiql",
            "--disable-query-log",
            *(["--cluster-workers", str(workers)] if workers > 1 else []),
        ],
        "floor": [
            sys.executable,
            str(Path(__file__).resolve()),
            FLOOR_MODE,
            database_url,
            str(ports["floor"]),
            str(workers),
        ],
    }
    results: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        for name, command in commands.items():
            log = work / f"{name}.log"
            url = urls[name] + ("/list" if name == "floor" else "")
            # The uncached Vouch executes every request: no answer is kept by data version.
            own = {**env, "VOUCH_RESPONSE_CACHE_MB": "0" if name == "vouch-uncached" else "32"}
            stack.enter_context(
                serving(command, own, log, lambda p, u=url, lg=log: wait_for(u, probe, p, lg))
            )
        for key in args.query or sorted(QUERIES):
            query = QUERIES[key]
            targets = {
                "vouch": (urls["vouch"], json.dumps({"query": query.vouch})),
                "vouch-uncached": (urls["vouch-uncached"], json.dumps({"query": query.vouch})),
                "postgraphile": (urls["postgraphile"], json.dumps({"query": query.postgraphile})),
                "floor": (urls["floor"] + query.floor_path, "{}"),
            }
            answers = {
                name: normalised(name, key, post(url, body.encode()))
                for name, (url, body) in targets.items()
            }
            for name, answer in answers.items():
                if not same(answers["vouch"], answer):
                    raise BenchError(
                        f"{name} answers {key!r} otherwise than Vouch:\n"
                        + first_difference(answers["vouch"], answer)
                    )
            for url, body in targets.values():  # warm up: caches, JIT, pools
                run_wrk(url, body, 2, args.connections, work)
            samples: dict[str, list[Sample]] = {name: [] for name in targets}
            order = list(targets)
            for round_number in range(args.rounds):
                turn = order[round_number % len(order) :] + order[: round_number % len(order)]
                for name in turn:
                    url, body = targets[name]
                    samples[name].append(run_wrk(url, body, args.seconds, args.connections, work))
            results[key] = {name: summary(found) for name, found in samples.items()}
            v, u, p, f = (results[key][name]["rps"] for name in SERVERS)
            print(
                f"  {workers} worker(s), {key}: vouch {v:.0f} req/s (uncached {u:.0f}), "
                f"postgraphile {p:.0f}, floor {f:.0f} -> vouch/postgraphile {v / p:.2f} "
                f"(uncached {u / p:.2f}), vouch/floor {v / f:.2f} (uncached {u / f:.2f})",
                flush=True,
            )
    return results


def summary(samples: list[Sample]) -> dict[str, Any]:
    return {
        "rps": statistics.median(s.rps for s in samples),
        "rounds": [round(s.rps, 1) for s in samples],
        "p50_ms": statistics.median(s.p50_ms for s in samples),
        "p95_ms": statistics.median(s.p95_ms for s in samples),
        "bad": sum(s.bad for s in samples),
    }


def bench(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not on the PATH (Debian: apt-get install -y wrk)")
    postgraphile_installed()
    work = Path(tempfile.mkdtemp(prefix="vouch-peers-"))
    load_before = load_average()
    report: dict[str, Any] = {}
    try:
        with throwaway_postgres(args.database_url) as (database_url, database):
            env = {**os.environ, "VOUCH_DATA_DIR": str(work), "VOUCH_DATABASE_URL": database_url}
            run_vouch(["db", "upgrade"], env, timeout=300)
            run_vouch(
                ["demo-data", "--partners", str(args.partners), "--seed", str(args.seed)],
                env,
                timeout=1800,
            )
            from sqlalchemy import create_engine

            engine = create_engine(database_url)
            with engine.begin() as connection:
                connection.exec_driver_sql(RANKINGS_VIEW)
            engine.dispose()
            print(
                f"{database}, {args.partners} demo partners; wrk -t2 -c{args.connections}, "
                f"{args.rounds} interleaved rounds of {args.seconds:g} s",
                flush=True,
            )
            for workers in args.workers or [1, 2, 4]:
                report[str(workers)] = measure(args, work, database_url, workers)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(
        "| workers | query | Vouch req/s (p50) | Vouch uncached | PostGraphile | floor "
        "| Vouch/PostGraphile (uncached) | Vouch/floor (uncached) |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for workers, by_query in report.items():
        for key, shown in by_query.items():
            v, u, p, f = (shown[name] for name in SERVERS)
            cells = " | ".join(f"{s['rps']:.0f} ({s['p50_ms']:.1f} ms)" for s in (v, u, p, f))
            print(
                f"| {workers} | {key} | {cells} | {v['rps'] / p['rps']:.2f} "
                f"({u['rps'] / p['rps']:.2f}) | {v['rps'] / f['rps']:.2f} "
                f"({u['rps'] / f['rps']:.2f}) |"
            )
    print(
        f"\nmachine: {cpu_model()}, {os.cpu_count()} CPUs; load {load_before} before, "
        f"{load_average()} after; code {git_revision()}; "
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    bad = sum(s["bad"] for q in report.values() for r in q.values() for s in r.values())
    if bad:
        print(f"{bad} failed responses: not a clean measurement")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == FLOOR_MODE:
        return floor_main(argv[1:])

    def terminated(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminated)
    try:
        return bench(parse_args(argv))
    except BenchError as error:
        print(f"bench_peers: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
