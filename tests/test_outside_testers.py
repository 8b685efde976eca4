"""Two outside testers against the real server on loopback.

- schemathesis generates queries and mutations from the schema for every operation and sends
  them with a partner key: the server must never answer 5xx.
- graphql-http's audit (npm) checks the GraphQL-over-HTTP conformance of /graphql; node runs
  it from tools/graphql-http-audit, installed there by `npm ci` on first use.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from api.settings import Settings
from tests import factories
from tests.databases import Database
from tests.outside_parts import unavailable
from tests.server import running_server

ROOT = Path(__file__).resolve().parent.parent
AUDIT_DIR = ROOT / "tools" / "graphql-http-audit"

# Cases per operation and generation mode (negative: arguments of the wrong type). About
# 26 operations x 50 cases = 1,300 requests a backend, 20-30 s here.
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 10}


@dataclass
class Fuzzing:
    """What one schemathesis run saw: requests by operation and status, and any 5xx."""

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    resolver_errors: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    """The errors the server logs while one request runs, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(logging.Formatter().format(record))


@pytest.fixture
def server_logs() -> Iterator[_Collect]:
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "vouch.api")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def _unexpected_errors(response: requests.Response) -> list[Any]:
    """Errors raised while executing (they have a path) with no code, or with the code that
    production gives masked bugs: not refusals (FORBIDDEN, VALIDATION...) nor invalid queries."""
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [
        error
        for error in errors or []
        if error.get("path")
        and (error.get("extensions") or {}).get("code") in (None, "INTERNAL_SERVER_ERROR")
    ]


def _partner_key(db: Database) -> str:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.alpha_health(session, world)
        factories.partner(session, world, "beta-retail", industries=("retail",))
        return factories.key(session, "partner", partner="alpha-health")


def _describe(case: Any, response: requests.Response, logs: list[str]) -> str:
    query = case.body if isinstance(case.body, str) else json.dumps(case.body)
    return (
        f"{case.operation.label} -> HTTP {response.status_code}\n"
        f"query:\n{query}\n"
        f"response: {response.text[:2000]}\n" + ("server log:\n" + "\n".join(logs) if logs else "")
    )


def _fuzz(operations: list[Any], headers: dict[str, str], logs: _Collect) -> Fuzzing:
    seen = Fuzzing()
    with requests.Session() as http:
        for operation in operations:
            for mode, examples in EXAMPLES.items():
                _fuzz_one(operation, mode, examples, http, headers, logs, seen)
    return seen


def _fuzz_one(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    http: requests.Session,
    headers: dict[str, str],
    logs: _Collect,
    seen: Fuzzing,
) -> None:
    """Send `examples` generated cases of one operation; record, never raise, what they get.

    Derandomized, so every run sends the same cases (for a given schema): a finding can be
    replayed, and CI does not fail by the luck of the draw."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        logs.records.clear()
        response = case.call(session=http, headers=headers, timeout=30)
        seen.requests[operation.label] += 1
        seen.statuses[response.status_code] += 1
        if response.status_code >= 500:
            seen.server_errors.append(_describe(case, response, logs.records))
        elif _unexpected_errors(response):
            seen.resolver_errors.append(_describe(case, response, logs.records))

    send()


# schemathesis's GraphQL strategies draw from `random` for some input types (hypothesis
# deprecates that, once per process: a flaky error, not a finding about Vouch).
@pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies"
    ":hypothesis.errors.HypothesisDeprecationWarning"
)
def test_schemathesis_finds_no_server_error(
    db: Database, server_url: str, server_logs: _Collect
) -> None:
    headers = {"Authorization": f"Bearer {_partner_key(db)}"}
    schema = schemathesis.graphql.from_url(f"{server_url}/graphql", headers=headers, timeout=30)
    started = time.monotonic()

    operations = [result.ok() for result in schema.get_all_operations()]
    seen = _fuzz(operations, headers, server_logs)

    print(
        f"\nschemathesis on {db.backend}: {len(seen.requests)} operations, "
        f"{sum(seen.requests.values())} requests in {time.monotonic() - started:.1f}s, "
        f"statuses {dict(sorted(seen.statuses.items()))}"
    )
    for finding in seen.resolver_errors:
        print(f"unexpected error in a {finding}")
    assert {operation.label for operation in operations} == set(seen.requests)
    assert len(operations) >= 15, "the schema lost operations, or introspection failed"
    assert not seen.server_errors, "\n\n".join(seen.server_errors)


# graphql-http


def _npm_ci(npm: str) -> None:
    """Install the lock file's packages once; node_modules is kept (and ignored by git)."""
    installed = AUDIT_DIR / "node_modules" / ".package-lock.json"
    lock = AUDIT_DIR / "package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=AUDIT_DIR,
        check=True,
        timeout=300,
    )


@pytest.fixture
def development_url(db: Database, tmp_path: Path) -> Iterator[str]:
    settings_ = Settings(data_dir=tmp_path, database_url=db.url, environment="development")
    with running_server(settings_, db.engine) as url:
        yield url


def test_graphql_http_audit_reports_no_error(development_url: str) -> None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("graphql-http audit skipped: it needs node and npm on the PATH")
    _npm_ci(npm)
    audit = subprocess.run(
        [node, "audit.mjs", f"{development_url}/graphql"],
        cwd=AUDIT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    print(audit.stdout)
    assert audit.returncode == 0, audit.stdout + audit.stderr
