"""The response cache under writes: partner pages read while another client submits surveys,
and keyed requests beside public uncached ones (issue 25, items 1 and 3).

One throwaway PostgreSQL database (migrated, demo data loaded), one `vouch serve` worker
(production, rate limit off) run by bench/cache_counting_server.py, which counts the
cache's hits. Two phases:

1. pages under writes: wrk GETs one partner's page (a random one of `--hot` partners, each
   request) while a client submits survey answers at `--submit-rate` a second, round-robin
   over `--writers` partners, so every fifth answer to a partner publishes its figures and
   the market's. Printed: page requests/s, p50, the cache's hit rate, submits done and
   their median time;
2. keyed against public: a server with the cache off (`VOUCH_RESPONSE_CACHE_MB=0`); wrk
   POSTs the 20-partner list of bench/bench_peers.py with no key, then with a vendor's key,
   in interleaved rounds.

`--code DIR` runs the server (and the migrations and demo data) from another tree of the
code, e.g. an archive of an older commit, through PYTHONPATH:

    git archive 7c0e57e | tar -x -C /tmp/before
    .venv/bin/python bench/bench_cache_parts.py --code /tmp/before
    .venv/bin/python bench/bench_cache_parts.py
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.bench_graphql_list import (
    HOST,
    REPO,
    BenchError,
    cpu_model,
    free_port,
    load_average,
    stop_server,
    tail,
    throwaway_postgres,
    wait_healthy,
)
from bench.bench_peers import LIST_VOUCH

PAGE = (
    "query Page($slug: String!) { partner(slug: $slug) { slug name summary website "
    "offices { city country } industries { slug } products { slug } "
    "metrics { responseCount invitationCount nps { value low high n } evidenceTier "
    "trend { quarter figures { responseCount } } } reviews(first: 5) { comment } } }"
)
"""A partner's page, as a buyer's browser asks it: everything but the ranking score (which
is worked out with the market, and moves with every publication)."""

WRK_PATHS = """\
paths = {{{paths}}}
bad = 0
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
"""
WRK_POST = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
{auth}
wrk.body = [==[{body}]==]
bad = 0
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
"""
WRK_DONE = """\
threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format('BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, ' ..
    '"bad": %d}\\n', summary.requests, summary.duration, latency:percentile(50), b))
end
"""


def vouch(code: Path | None) -> tuple[list[str], dict[str, str]]:
    """The command that runs `vouch` from `code` (None: this tree), and its environment."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return [sys.executable, "-m", "api.cli"], env


def run(code: Path | None, env: dict[str, str], *args: str) -> str:
    command, base = vouch(code)
    done = subprocess.run(
        [*command, *args],
        env={**base, **env},
        cwd=code or REPO,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"vouch {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


@contextlib.contextmanager
def server(code: Path | None, env: dict[str, str], work: Path, counts: Path) -> Iterator[str]:
    port = free_port()
    _, base = vouch(code)
    script = Path(__file__).with_name("cache_counting_server.py")
    command = [sys.executable, str(script), str(counts), "serve", "--host", HOST]
    log = work / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--port", str(port), "--workers", "1"],
            env={**base, **env},
            cwd=work,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_healthy(f"http://{HOST}:{port}", process, log, 60)
        yield f"http://{HOST}:{port}"
    finally:
        stop_server(process)
        if process.returncode not in (0, -15):
            print(tail(log))


def wrk(url: str, script: str, seconds: float, connections: int, work: Path) -> dict[str, float]:
    path = work / f"wrk-{abs(hash(script))}.lua"
    path.write_text(script + WRK_DONE)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    done = subprocess.run(
        [*command, "-s", str(path), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if done.returncode != 0 or not lines:
        raise BenchError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "bad": raw["bad"],
    }


def graphql(
    http: httpx.Client, url: str, query: str, variables: dict[str, Any], key: str
) -> dict[str, Any]:
    body = http.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    ).json()
    if body.get("errors"):
        raise BenchError(f"{query[:40]}...: {body['errors']}")
    data: dict[str, Any] = body["data"]
    return data


INVITE = (
    "mutation Invite($id: ID!, $email: String!) { createSurveyInvitation(engagementId: $id, "
    "email: $email) { token errors { code message } } }"
)
SUBMIT = (
    "mutation Submit($token: String!, $input: SurveyResponseInput!) { submitSurveyResponse("
    "token: $token, input: $input) { accepted errors { code } } }"
)


def tokens(
    url: str, database_url: str, admin: str, writers: int, each: int, seed: int
) -> list[str]:
    """`each` invitations to `writers` partners' completed engagements, interleaved so that
    every partner's answers arrive in turn."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT DISTINCT ON (e.partner_id) e.id, c.email_domain FROM engagements e "
                "JOIN customers c ON c.id = e.customer_id WHERE e.status = 'completed' "
                "AND e.confirmed AND e.disputed_at IS NULL "
                "ORDER BY e.partner_id, e.id"
            )
        ).all()
    engine.dispose()
    chosen = random.Random(seed).sample(rows, writers)
    found: list[list[str]] = []
    with httpx.Client(timeout=30) as http:
        for engagement_id, domain in chosen:
            mine = []
            for n in range(each):
                variables = {"id": str(engagement_id), "email": f"bench{n}@{domain}"}
                payload = graphql(http, url, INVITE, variables, admin)["createSurveyInvitation"]
                if payload["errors"]:
                    raise BenchError(f"invitation refused: {payload['errors']}")
                mine.append(payload["token"])
            found.append(mine)
    return [token for turn in zip(*found, strict=True) for token in turn]


def submitting(url: str, given: list[str], rate: float, stop: threading.Event) -> list[float]:
    """Submit answers at `rate` a second until told to stop; each submit's seconds."""
    times: list[float] = []
    pick = random.Random(7)
    with httpx.Client(timeout=30) as http:
        start = time.monotonic()
        for number, token in enumerate(given):
            wait = start + number / rate - time.monotonic()
            if stop.wait(max(0.0, wait)):
                break
            began = time.perf_counter()
            answer = {"likelihoodToRecommend": pick.randint(0, 10), "comment": "Bench."}
            body = http.post(
                f"{url}/graphql",
                json={"query": SUBMIT, "variables": {"token": token, "input": answer}},
            ).json()
            times.append(time.perf_counter() - began)
            if body.get("errors") or not body["data"]["submitSurveyResponse"]["accepted"]:
                raise BenchError(f"a submit failed: {body}")
    return times


def pages_under_writes(
    args: argparse.Namespace, env: dict[str, str], work: Path, database_url: str, admin: str
) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        slugs = [row[0] for row in connection.execute(text("SELECT slug FROM partners"))]
    engine.dispose()
    hot = random.Random(args.seed).sample(sorted(slugs), args.hot)
    paths = [
        "/graphql?"
        + urllib.parse.urlencode({"query": PAGE, "variables": json.dumps({"slug": slug})})
        for slug in hot
    ]
    script = WRK_PATHS.format(paths=", ".join(json.dumps(path) for path in paths))
    counts = work / "counts.json"
    each = int(args.seconds * args.submit_rate / args.writers) + 5
    with server(args.code, env, work, counts) as url:
        given = tokens(url, database_url, admin, args.writers, each, args.seed)
        stop = threading.Event()
        times: list[float] = []
        writer = threading.Thread(
            target=lambda: times.extend(submitting(url, given, args.submit_rate, stop))
        )
        writer.start()
        try:
            measured = wrk(url + "/graphql", script, args.seconds, args.connections, work)
        finally:
            stop.set()
            writer.join()
        time.sleep(1.5)  # the server writes its counts every half second
        seen = json.loads(counts.read_text())
    return {
        **measured,
        "hit_rate": seen["hits"] / max(1, seen["asked"]),
        "asked": seen["asked"],
        "submits": len(times),
        "submit_p50_ms": 1000 * statistics.median(times) if times else None,
    }


def keyed_against_public(
    args: argparse.Namespace, env: dict[str, str], work: Path, vendor: str
) -> dict[str, Any]:
    body = json.dumps({"query": LIST_VOUCH})
    scripts = {
        "public": WRK_POST.format(auth="", body=body),
        "keyed": WRK_POST.format(
            auth=f'wrk.headers["Authorization"] = "Bearer {vendor}"', body=body
        ),
    }
    samples: dict[str, list[dict[str, float]]] = {"public": [], "keyed": []}
    uncached = {**env, "VOUCH_RESPONSE_CACHE_MB": "0"}
    with server(args.code, uncached, work, work / "uncached.json") as url:
        for round_number in range(args.rounds):
            order = ["public", "keyed"] if round_number % 2 == 0 else ["keyed", "public"]
            for name in order:
                samples[name].append(
                    wrk(url + "/graphql", scripts[name], args.keyed_seconds, 8, work)
                )
    return {
        name: {
            "rps": statistics.median(s["rps"] for s in found),
            "rounds": [round(s["rps"]) for s in found],
            "p50_ms": statistics.median(s["p50_ms"] for s in found),
            "bad": sum(s["bad"] for s in found),
        }
        for name, found in samples.items()
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--code", type=Path, help="run the server from this tree of the code")
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hot", type=int, default=100, help="partners whose pages are read")
    parser.add_argument("--writers", type=int, default=20, help="partners answers go to")
    parser.add_argument("--submit-rate", type=float, default=10.0, help="answers a second")
    parser.add_argument("--seconds", type=float, default=30.0, help="of pages under writes")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="of keyed against public")
    parser.add_argument("--keyed-seconds", type=float, default=5.0)
    parser.add_argument("--skip", choices=["pages", "keyed"], action="append", default=[])
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not on the PATH (Debian: apt-get install -y wrk)")
    work = Path(tempfile.mkdtemp(prefix="vouch-cache-parts-"))
    load_before = load_average()
    report: dict[str, Any] = {"code": str(args.code or REPO)}
    try:
        with throwaway_postgres(args.database_url) as (database_url, described):
            env = {
                "VOUCH_DATA_DIR": str(work),
                "VOUCH_DATABASE_URL": database_url,
                "VOUCH_ENV": "production",
                "VOUCH_RATE_LIMIT": "off",
            }
            run(args.code, env, "db", "upgrade")
            run(args.code, env, "demo-data", "--partners", str(args.partners), "--seed", "1")
            admin = run(args.code, env, "apikey", "create", "--role", "admin").splitlines()[-1]
            vendor_slug = _first_vendor(database_url)
            vendor = run(
                args.code, env, "apikey", "create", "--role", "vendor", "--vendor", vendor_slug
            ).splitlines()[-1]
            print(f"{described}, {args.partners} demo partners", flush=True)
            if "pages" not in args.skip:
                report["pages"] = pages_under_writes(args, env, work, database_url, admin)
                print(json.dumps(report["pages"]), flush=True)
            if "keyed" not in args.skip:
                report["keyed"] = keyed_against_public(args, env, work, vendor)
                print(json.dumps(report["keyed"]), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report["machine"] = (
        f"{cpu_model()}, {os.cpu_count()} CPUs; load {load_before} -> {load_average()}"
    )
    print(json.dumps(report, indent=2))
    return 0


def _first_vendor(database_url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        first = text("SELECT slug FROM vendors ORDER BY id LIMIT 1")
        slug: str = connection.execute(first).scalar_one()
    engine.dispose()
    return slug


if __name__ == "__main__":
    raise SystemExit(main())
