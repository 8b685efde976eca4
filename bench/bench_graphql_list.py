"""Throughput and latency of a 20-partner list query against a real `vouch serve`.

Creates a throwaway data folder (and, with --database-url, a throwaway PostgreSQL
database), migrates it, loads the demo data set, starts `vouch serve` (one uvicorn worker)
on a free loopback port, warms it up, then sends a fixed number of GraphQL requests with a
fixed concurrency and prints requests/s, p50 and p95 latency, the machine and the command.

The load generator is wrk when it is on the PATH (Debian: `apt-get install -y wrk`),
otherwise an httpx asyncio client in a separate process. All traffic goes to 127.0.0.1;
the run is bounded in requests and in time, and the server is stopped at the end, also
on an error or an interrupt.

    .venv/bin/python bench/bench_graphql_list.py
    .venv/bin/python bench/bench_graphql_list.py --requests 5000 --concurrency 16
    .venv/bin/python bench/bench_graphql_list.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import math
import os
import platform
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
QUERY = (
    "query BenchPartnerList { partners(first: 20) { totalCount edges { node "
    "{ slug name offices { city country } industries { slug } } } } }"
)
BODY = json.dumps({"query": QUERY, "operationName": "BenchPartnerList"})
CLIENT_MODE = "_httpx_client"  # argv[1] of the load-generator process


class BenchError(Exception):
    """Stops the benchmark with a message and exit status 1."""


@dataclass
class LoadResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    bad_responses: int
    socket_errors: int
    command: str


# --------------------------------------------------------------------------- load: wrk

# wrk runs for its whole -d duration even when every thread has stopped, so each thread
# says on stderr when it has had its quota of responses, and wrk is then ended with SIGINT
# (its own way to stop early: it still prints its summary). The measured time is taken in
# Lua from the first thread's start to the last thread's last response.
WRK_SCRIPT = """\
-- Written by bench_graphql_list.py: POST one GraphQL query, stop after a fixed count.
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local function now_us()
  local t = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, t) -- CLOCK_MONOTONIC
  return tonumber(t.tv_sec) * 1000000 + tonumber(t.tv_nsec) / 1000
end

wrk.method = "POST"
wrk.path = "/graphql"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = [==[{body}]==]

local quotas = {{ {quotas} }}
local threads = {{}}

function setup(thread)
  table.insert(threads, thread)
  thread:set("quota", quotas[#threads])
end

function init(args)
  count = 0
  bad = 0
  started = now_us()
  finished = -1
end

function response(status, headers, body)
  count = count + 1
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
  end
  if count == quota then
    finished = now_us()
    io.stderr:write("BENCH_THREAD_DONE\\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad_total, first, last, all_done = 0, nil, 0, true
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    local started, finished = thread:get("started"), thread:get("finished")
    if first == nil or started < first then first = started end
    if finished < 0 then all_done = false elseif finished > last then last = finished end
  end
  local duration = summary.duration
  if all_done then duration = last - first end
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, " ..
    "\\"p95_us\\": %d, \\"bad\\": %d, \\"socket_errors\\": %d}}\\n",
    summary.requests, duration, latency:percentile(50), latency:percentile(95),
    bad_total, e.connect + e.read + e.write + e.timeout))
end
"""


def wrk_version(wrk: str) -> str:
    run = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    first = (run.stdout or run.stderr).splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def run_wrk(
    wrk: str, url: str, requests: int, concurrency: int, threads: int, limit: float, work: Path
) -> LoadResult:
    threads = max(1, min(threads, concurrency, requests))
    quotas = [requests // threads + (1 if i < requests % threads else 0) for i in range(threads)]
    if "]==]" in BODY:
        raise BenchError("the request body cannot be embedded in the Lua script")
    script = work / "graphql_list.lua"
    script.write_text(WRK_SCRIPT.format(body=BODY, quotas=", ".join(map(str, quotas))))
    command = [
        wrk,
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{math.ceil(limit)}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True
    )
    try:
        messages: list[str] = []
        finished = 0
        assert process.stderr is not None
        for line in process.stderr:  # ends at the latest when wrk's -d duration is over
            if line.strip() == "BENCH_THREAD_DONE":
                finished += 1
                if finished == threads:
                    process.send_signal(signal.SIGINT)
                    break
            else:
                messages.append(line)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = [line for line in stdout.splitlines() if line.startswith("BENCH_RESULT ")]
    if process.returncode != 0 or not lines:
        output = "".join(messages) + stderr
        raise BenchError(f"wrk failed ({process.returncode}):\n{stdout}\n{output}")
    raw = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    seconds = raw["duration_us"] / 1e6
    return LoadResult(
        requests=raw["requests"],
        seconds=seconds,
        requests_per_second=raw["requests"] / seconds if seconds else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        bad_responses=raw["bad"],
        socket_errors=raw["socket_errors"],
        command=shlex.join(command),
    )


# ------------------------------------------------------------------------- load: httpx


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest rank, as wrk's histogram reports it."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


async def _httpx_load(url: str, requests: int, concurrency: int, limit: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    counters = {"sent": 0, "bad": 0, "socket_errors": 0}
    headers = {"content-type": "application/json", "accept": "application/json"}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:

        async def worker() -> None:
            while counters["sent"] < requests:
                counters["sent"] += 1
                began = time.perf_counter()
                try:
                    response = await client.post(url, content=BODY, headers=headers)
                except httpx.TransportError:
                    counters["socket_errors"] += 1
                    continue
                latencies.append(time.perf_counter() - began)
                if response.status_code != 200 or b'"errors"' in response.content:
                    counters["bad"] += 1

        began = time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(worker() for _ in range(concurrency))), timeout=limit
            )
        seconds = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "p50_us": percentile(latencies, 50) * 1e6,
        "p95_us": percentile(latencies, 95) * 1e6,
        "bad": counters["bad"],
        "socket_errors": counters["socket_errors"],
    }


def httpx_client_main(argv: Sequence[str]) -> int:
    url, requests, concurrency, limit = argv[0], int(argv[1]), int(argv[2]), float(argv[3])
    if not url.startswith(f"http://{HOST}:"):
        raise SystemExit(f"refusing to send load to {url}: loopback only")
    print(json.dumps(asyncio.run(_httpx_load(url, requests, concurrency, limit))))
    return 0


def run_httpx(url: str, requests: int, concurrency: int, limit: float) -> LoadResult:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        CLIENT_MODE,
        url,
        str(requests),
        str(concurrency),
        str(limit),
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=limit + 30, check=False)
    if run.returncode != 0:
        raise BenchError(f"the httpx client failed ({run.returncode}):\n{run.stderr}")
    raw = json.loads(run.stdout.strip().splitlines()[-1])
    return LoadResult(
        requests=raw["requests"],
        seconds=raw["seconds"],
        requests_per_second=raw["requests"] / raw["seconds"] if raw["seconds"] else 0.0,
        p50_ms=raw["p50_us"] / 1000,
        p95_ms=raw["p95_us"] / 1000,
        bad_responses=raw["bad"],
        socket_errors=raw["socket_errors"],
        command=shlex.join(command),
    )


# ---------------------------------------------------------------------------- the setup


def vouch_command() -> list[str]:
    script = Path(sys.executable).with_name("vouch")
    return [str(script)] if script.exists() else [sys.executable, "-m", "api.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def is_loopback(host: str | None) -> bool:
    if not host or host == "localhost" or host.startswith("/"):  # unix socket is local too
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def throwaway_postgres(raw_url: str) -> Iterator[tuple[str, str]]:
    """A new empty database beside the one in the URL (`test` if none); dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(raw_url)
    if not url.drivername.startswith("postgresql"):
        raise BenchError("--database-url must be a postgresql+psycopg:// URL")
    url = url.set(drivername="postgresql+psycopg")
    if not is_loopback(url.host):
        raise BenchError(f"--database-url must point at this machine, not {url.host!r}")
    admin = create_engine(url.set(database=url.database or "test"), isolation_level="AUTOCOMMIT")
    name = f"vouch_bench_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        where = f"{url.host or 'local socket'}:{url.port or 5432}"
        described = f"PostgreSQL {version}, throwaway database {name} at {where}"
        try:
            yield url.set(database=name).render_as_string(hide_password=False), described
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def run_vouch(args: list[str], env: dict[str, str], timeout: float) -> str:
    command = [*vouch_command(), *args]
    run = subprocess.run(
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout, check=False
    )
    if run.returncode != 0:
        raise BenchError(
            f"`{shlex.join(command)}` failed ({run.returncode}):\n{run.stdout}{run.stderr}"
        )
    return run.stdout.strip()


def wait_healthy(base: str, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"vouch serve exited with {server.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise BenchError(f"/healthz did not answer 200 within {timeout:.0f} s:\n{tail(log)}")


def check_answer(url: str, partners: int) -> int:
    """One request by hand: the query must answer 20 partners (or all of them) and no error."""
    request = urllib.request.Request(  # noqa: S310
        url, data=BODY.encode(), headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer = json.load(response)
    if answer.get("errors"):
        raise BenchError(f"the query answered errors: {answer['errors']}")
    page = answer["data"]["partners"]
    if len(page["edges"]) != min(20, partners):
        raise BenchError(f"expected {min(20, partners)} partners, got {len(page['edges'])}")
    return int(page["totalCount"])


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


# ------------------------------------------------------------------------- the machine


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_revision() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}{' + uncommitted changes' if dirty else ''}"


# -------------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Requests/s and p50/p95 latency of a 20-partner GraphQL list query "
        "against `vouch serve` (one worker) on a loopback port."
    )
    parser.add_argument("--partners", type=int, default=500, help="demo partners (500)")
    parser.add_argument("--seed", type=int, default=1, help="demo data seed (1)")
    parser.add_argument("--requests", type=int, default=2000, help="measured requests (2000)")
    parser.add_argument("--concurrency", type=int, default=8, help="open connections (8)")
    parser.add_argument("--warmup", type=int, default=200, help="warm-up requests (200)")
    parser.add_argument(
        "--load-generator",
        choices=["auto", "wrk", "httpx"],
        default="auto",
        help="wrk if on the PATH, else an httpx asyncio client in its own process (auto)",
    )
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (1)")
    parser.add_argument(
        "--database-url",
        help="run on PostgreSQL on this machine, e.g. "
        "postgresql+psycopg://postgres@127.0.0.1:5432/test: a throwaway database "
        "vouch_bench_<random> is created through the named database (test if none) and "
        "dropped afterwards; default: SQLite in the temporary data folder",
    )
    parser.add_argument(
        "--vouch-env",
        choices=["development", "test", "production"],
        default="production",
        help="VOUCH_ENV of the server (production)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=300, help="seconds at most for the measured run (300)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the result here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(argv)
    for name in ("partners", "requests", "concurrency", "wrk_threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0 or args.time_limit <= 0:
        parser.error("--warmup must be >= 0 and --time-limit > 0")
    return args


def choose_generator(choice: str) -> str | None:
    """The wrk path, or None for the httpx client."""
    wrk = shutil.which("wrk")
    if choice == "wrk" and not wrk:
        raise BenchError("wrk is not on the PATH (Debian: apt-get install -y wrk)")
    if choice == "httpx" or not wrk:
        try:
            import httpx  # noqa: F401
        except ImportError as error:
            raise BenchError("neither wrk nor httpx is available") from error
        return None
    return wrk


def load_average() -> str:
    try:
        return "/".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def bench(args: argparse.Namespace) -> int:
    wrk = choose_generator(args.load_generator)
    load_before = load_average()
    work = Path(tempfile.mkdtemp(prefix="vouch-bench-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        with contextlib.ExitStack() as stack:
            if args.database_url:
                database_url, database = stack.enter_context(throwaway_postgres(args.database_url))
            else:
                database_url = f"sqlite:///{work / 'vouch.db'}"
                database = "SQLite, a file in a temporary folder"
            env = {
                **os.environ,
                "VOUCH_DATA_DIR": str(work),
                "VOUCH_DATABASE_URL": database_url,
                "VOUCH_ENV": args.vouch_env,
                # One client sends thousands of requests a minute: measure, do not throttle.
                "VOUCH_RATE_LIMIT": "off",
            }
            began = time.monotonic()
            run_vouch(["db", "upgrade"], env, timeout=300)
            summary = run_vouch(
                ["demo-data", "--partners", str(args.partners), "--seed", str(args.seed)],
                env,
                timeout=1800,
            )
            last = summary.splitlines()[-1] if summary else ""
            print(f"prepared in {time.monotonic() - began:.1f} s: {last}")

            port = free_port()
            base = f"http://{HOST}:{port}"
            url = f"{base}/graphql"
            log = work / "server.log"
            with log.open("wb") as log_file:
                server = subprocess.Popen(
                    [*vouch_command(), "serve", "--host", HOST, "--port", str(port)],
                    env=env,
                    cwd=REPO,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            # Stopped before the throwaway database is dropped (the stack unwinds backwards).
            stack.callback(stop_server, server)
            wait_healthy(base, server, log, timeout=60)
            total = check_answer(url, args.partners)

            def load(requests: int) -> LoadResult:
                if wrk:
                    return run_wrk(
                        wrk,
                        url,
                        requests,
                        args.concurrency,
                        args.wrk_threads,
                        args.time_limit,
                        work,
                    )
                return run_httpx(url, requests, args.concurrency, args.time_limit)

            if args.warmup:
                load(args.warmup)
            result = load(args.requests)
            load_after = load_average()
            if server.poll() is not None:
                raise BenchError(f"vouch serve died during the run:\n{tail(log)}")
    finally:
        if server is not None:
            stop_server(server)  # already done unless the stack itself failed
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    generator = (
        f"{wrk_version(wrk)}, {args.wrk_threads} thread(s)"
        if wrk
        else "httpx asyncio client (separate process)"
    )
    command = shlex.join([sys.executable, *sys.argv]) if sys.argv else "?"
    with contextlib.suppress(ValueError):
        command = shlex.join([os.path.relpath(sys.executable), *sys.argv])
    report = {
        "query": QUERY,
        "data": f"{args.partners} demo partners (seed {args.seed}), totalCount {total}",
        "database": database,
        "server": f"vouch serve, one uvicorn worker, VOUCH_ENV={args.vouch_env}",
        "load": f"{generator}, {args.concurrency} connections, "
        f"{args.requests} requests after {args.warmup} warm-up",
        "requests/s": f"{result.requests_per_second:.1f}",
        "p50": f"{result.p50_ms:.2f} ms",
        "p95": f"{result.p95_ms:.2f} ms",
        "completed": f"{result.requests} in {result.seconds:.2f} s, "
        f"{result.bad_responses} bad responses, {result.socket_errors} socket errors",
        "machine": f"{platform.platform()}; {cpu_model()}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}",
        "load avg": f"{load_before} before, {load_after} after (1/5/15 min; other work "
        "on the machine skews the numbers)",
        "code": git_revision(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": command,
        "load command": result.command,
    }
    print()
    for key, value in report.items():
        print(f"{key:>12}  {value}")
    if args.json:
        args.json.write_text(json.dumps({**report, "result": asdict(result)}, indent=2) + "\n")

    if result.requests < args.requests:
        print(f"\nincomplete: {result.requests} of {args.requests} requests within the time limit")
        return 1
    if result.bad_responses or result.socket_errors:
        print("\nsome requests failed: the numbers above are not a clean measurement")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == CLIENT_MODE:
        return httpx_client_main(argv[1:])

    def terminated(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # so that the finally blocks stop the server

    signal.signal(signal.SIGTERM, terminated)
    args = parse_args(argv)
    try:
        return bench(args)
    except BenchError as error:
        print(f"bench_graphql_list: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
