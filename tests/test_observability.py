"""The request log (one JSON line a request, no secret in it) and GET /metrics."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from graphql import parse
from prometheus_client.parser import text_string_to_metric_families

from api.db import create_db_engine, session_factory, unit_of_work
from api.request_log import JSONFormatter
from api.schema import root_fields, schema
from api.services import changes
from api.settings import Settings, parse_database_url, parse_rate_limit
from search_index import index_for
from tests import factories
from tests.cli_runner import serving
from tests.databases import Database
from tests.server import running_server

VENDORS = "query VendorList { vendors { slug } }"
VIEWER = "query WhoAmI { viewer { role } }"
SUBMIT = """
mutation Submit($token: String!) {
  submitSurveyResponse(token: $token, input: {likelihoodToRecommend: 9}) { accepted }
}
"""
SURVEY_TOKEN = "tok3n-never-logged-4f9c2a"
KEY = "vouch_abcdefgh_n0t-a-real-key-but-secret-all-the-same"
METRICS_TOKEN = "scraper-9d8f7e6c5b4a39281706f5e4d3c2b1a0"
SCRAPER = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def settings_for(db: Database, data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, database_url=db.url, environment="test", metrics_token=METRICS_TOKEN
    )


def scrape(url: str) -> str:
    answer = httpx.get(f"{url}/metrics", headers=SCRAPER)
    assert answer.status_code == 200, answer.text
    return answer.text


@pytest.fixture
def served(db: Database, tmp_path: Path) -> Iterator[str]:
    """A fresh app (its counts from zero) on a loopback port."""
    with running_server(settings_for(db, tmp_path), db.engine) as url:
        yield url


@contextmanager
def vouch_serve(db: Database, data_dir: Path, stdout: Path, *options: str) -> Iterator[str]:
    """`vouch serve` as an operator starts it, its standard output kept in a file."""
    settings = {
        "VOUCH_ENV": "production",
        "VOUCH_METRICS_TOKEN": METRICS_TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": None,
    }
    with (
        stdout.open("w") as out,
        serving(*options, url=db.url, data_dir=data_dir, settings=settings, stdout=out) as url,
    ):
        yield url


def request_lines(caplog: pytest.LogCaptureFixture, count: int) -> list[dict[str, object]]:
    """The request log's lines, once there are `count`: a line is written as its answer ends,
    so the client may have the answer a moment before the server has logged it."""
    deadline = time.monotonic() + 5
    while True:
        records = [record for record in caplog.records if record.name == "vouch.requests"]
        if len(records) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.01)
    formatter = JSONFormatter()
    return [json.loads(formatter.format(record)) for record in records]


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests_total(url: str, field: str, status: str = "200", kind: str = "query") -> float:
    labels = {"route": "graphql", "field": field, "type": kind, "status": status}
    found = samples(scrape(url))
    return found.get(("vouch_requests_total", frozenset(labels.items())), 0.0)


def test_each_request_is_one_json_line_naming_its_operation_and_role(
    db: Database, served: str, caplog: pytest.LogCaptureFixture
) -> None:
    with db.session() as session:
        key = factories.key(session, "admin")
        session.commit()
    caplog.set_level(logging.INFO, logger="vouch.requests")

    answer = httpx.post(
        f"{served}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": f"Bearer {key}", "X-Request-Id": "trace-42"},
    )

    assert answer.status_code == 200
    (line,) = request_lines(caplog, 1)
    assert line["request_id"] == "trace-42" == answer.headers["x-request-id"]
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["operation"] == "WhoAmI"
    assert line["operation_type"] == "query"
    assert line["role"] == "admin"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0
    assert "errors" not in line
    assert line["logger"] == "vouch.requests"
    assert line["level"] == "info"


def test_no_key_token_or_variable_is_ever_logged(
    db: Database, served: str, caplog: pytest.LogCaptureFixture
) -> None:
    with db.session() as session:
        key = factories.key(session, "admin")
        session.commit()
    # Everything the server logs (the client's own httpx log shows its URLs, of course).
    caplog.set_level(logging.DEBUG, logger="vouch")
    caplog.set_level(logging.DEBUG, logger="uvicorn")

    with httpx.Client(base_url=served) as http:
        http.post(
            "/graphql",
            json={"query": SUBMIT, "variables": {"token": SURVEY_TOKEN}},
            headers={"Authorization": f"Bearer {key}"},
        )
        http.get("/graphql", params={"query": f'{{ partner(slug: "{SURVEY_TOKEN}") {{ id }} }}'})
        http.post("/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {key}x"})

    lines = request_lines(caplog, 3)
    assert [line["status"] for line in lines] == [200, 200, 401]
    assert lines[0]["operation"] == "Submit"
    assert lines[0]["operation_type"] == "mutation"
    assert lines[2]["errors"] == ["UNAUTHENTICATED"]
    assert lines[2]["role"] is None
    everything = caplog.text + "\n".join(json.dumps(line) for line in lines)
    assert key not in everything
    assert key.split("_", 2)[2] not in everything
    assert SURVEY_TOKEN not in everything


def test_refusals_are_logged_with_their_codes(
    db: Database, served: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="vouch.requests")

    httpx.post(f"{served}/graphql", content=b"query=1", headers={"Content-Type": "text/plain"})
    httpx.post(f"{served}/graphql", json={"query": "{ nothere }"})

    first, second = request_lines(caplog, 2)
    assert (first["status"], first["errors"], first["role"]) == (
        415,
        ["UNSUPPORTED_MEDIA_TYPE"],
        "public",
    )
    assert (second["status"], second["errors"]) == (200, ["GRAPHQL_VALIDATION"])


def test_metrics_count_requests_per_root_field_in_prometheus_text(
    db: Database, served: str
) -> None:
    before = requests_total(served, "vendors")

    for _ in range(3):
        assert httpx.post(f"{served}/graphql", json={"query": VENDORS}).status_code == 200
    httpx.post(f"{served}/graphql", json={"query": "{ vendors { slug } }"})
    httpx.post(f"{served}/graphql", json={"query": "{ vendors { slug } industries { slug } }"})
    answer = httpx.get(f"{served}/metrics", headers=SCRAPER)

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert answer.headers["cache-control"] == "no-store"
    assert "etag" not in answer.headers
    assert requests_total(served, "vendors") - before == 4  # named or not, the same field
    found = samples(answer.text)
    latency = {"route": "graphql", "field": "vendors", "type": "query"}
    assert found[("vouch_request_duration_seconds_count", frozenset(latency.items()))] == 4
    assert requests_total(served, "several") == 1


def test_metrics_are_served_only_to_the_scraper_with_the_token(db: Database, served: str) -> None:
    # given a service whose VOUCH_METRICS_TOKEN is set
    # when a client asks without it, with another token, or in another scheme
    refused = [
        httpx.get(f"{served}/metrics"),
        httpx.get(f"{served}/metrics", headers={"Authorization": "Bearer " + "x" * 40}),
        httpx.get(f"{served}/metrics", headers={"Authorization": f"Basic {METRICS_TOKEN}"}),
        httpx.get(f"{served}/metrics", headers={"Authorization": METRICS_TOKEN}),
    ]
    allowed = httpx.get(f"{served}/metrics", headers=SCRAPER)

    # then only the scraper is answered, and the others learn nothing of the counts
    assert [answer.status_code for answer in refused] == [401] * 4
    assert all("vouch_requests" not in answer.text for answer in refused)
    assert refused[0].headers["www-authenticate"] == 'Bearer realm="metrics"'
    assert allowed.status_code == 200
    assert "vouch_requests_total" in allowed.text


def test_without_a_metrics_token_there_is_no_metrics_endpoint(db: Database, tmp_path: Path) -> None:
    settings = replace(settings_for(db, tmp_path), metrics_token=None)
    with running_server(settings, db.engine) as url:
        answers = [
            httpx.get(f"{url}/metrics"),
            httpx.get(f"{url}/metrics", headers=SCRAPER),
        ]

    assert [answer.status_code for answer in answers] == [404, 404]
    assert all("vouch_requests" not in answer.text for answer in answers)


def test_a_client_chosen_operation_name_never_appears_in_the_metrics(
    db: Database, served: str
) -> None:
    # given clients that name their operations as they like, ask fields the schema lacks,
    # and send documents that are refused
    chosen = ["SecretCampaignAcmeQ3", "ExfiltrateAnswers", "x" * 64]
    for name in chosen:
        httpx.post(
            f"{served}/graphql",
            json={"query": f"query {name} {{ vendors {{ slug }} }}", "operationName": name},
        )
    httpx.post(f"{served}/graphql", json={"query": "query ChosenToo { noSuchField }"})
    httpx.post(f"{served}/graphql", json={"query": "{ "})
    httpx.post(
        f"{served}/graphql",
        json={"query": SUBMIT, "variables": {"token": SURVEY_TOKEN}, "operationName": "Submit"},
    )

    # when the scraper reads the metrics
    text = scrape(served)

    # then no name a client chose is there; requests are counted by the schema's names
    for name in [*chosen, "ChosenToo", "Submit", "noSuchField", SURVEY_TOKEN]:
        assert name not in text
    fields = {
        dict(labels)["field"]
        for (metric, labels) in samples(text)
        if metric == "vouch_requests_total" and dict(labels)["route"] == "graphql"
    }
    assert fields == {"vendors", "other", "unknown", "submitSurveyResponse"}
    assert requests_total(served, "vendors") == 3
    assert requests_total(served, "submitSurveyResponse", kind="mutation") == 1


def test_metrics_are_not_rate_limited(db: Database, tmp_path: Path) -> None:
    settings = replace(settings_for(db, tmp_path), rate_limit=parse_rate_limit("1/minute"))
    with running_server(settings, db.engine) as url:
        statuses = [httpx.get(f"{url}/metrics", headers=SCRAPER).status_code for _ in range(5)]
        graphql = [httpx.post(f"{url}/graphql", json={"query": VENDORS}) for _ in range(2)]

    assert statuses == [200] * 5
    assert [answer.status_code for answer in graphql] == [200, 429]


def test_the_search_index_backlog_is_a_gauge_read_at_scrape_time(
    db: Database, served: str, tmp_path: Path
) -> None:
    def backlog() -> float | None:
        return samples(scrape(served)).get(("vouch_search_index_backlog", frozenset()))

    assert backlog() is None  # no index yet
    with db.session() as session:
        index_for(tmp_path / "index").build(session)
    assert backlog() == 0
    with unit_of_work(session_factory(db.engine)) as session:
        changes.record(session, partner_id=None, reason="everything")

    assert backlog() == 1


def test_metrics_answer_with_the_database_away(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        index_for(tmp_path / "index").build(session)
    away = parse_database_url("postgresql+psycopg://postgres@127.0.0.1:1/gone")
    engine = create_db_engine(away)
    settings = replace(settings_for(db, tmp_path), database_url=away)
    try:
        with running_server(settings, engine) as url:
            answer = httpx.get(f"{url}/metrics", headers=SCRAPER)
            unavailable = httpx.post(f"{url}/graphql", json={"query": VENDORS})
            after = scrape(url)
    finally:
        engine.dispose()

    assert answer.status_code == 200
    assert samples(answer.text)[("vouch_search_index_backlog", frozenset())] == -1
    assert unavailable.status_code == 503
    assert samples(after)[("vouch_request_errors_total", frozenset({("code", "UNAVAILABLE")}))] == 1


def test_several_workers_report_one_sum(db: Database, tmp_path: Path) -> None:
    if db.backend != "postgresql":
        pytest.skip("several workers need PostgreSQL")
    sent = 80
    log_file = tmp_path / "stdout.log"
    with vouch_serve(db, tmp_path / "data", log_file, "--workers", "2") as url:
        # A new connection for each request, so that both workers take some.
        for _ in range(sent):
            assert httpx.post(f"{url}/graphql", json={"query": VENDORS}).status_code == 200
        refused = httpx.post(
            f"{url}/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {KEY}"}
        )
        # A worker counts a request as its answer ends: the client may be a moment ahead.
        deadline = time.monotonic() + 5
        while requests_total(url, "vendors") < sent and time.monotonic() < deadline:
            time.sleep(0.05)
        scrapes = [requests_total(url, "vendors") for _ in range(6)]
        files = sorted(p.name for p in (tmp_path / "data" / "metrics").glob("counter_*.db"))

    assert scrapes == [sent] * 6, "every worker answers with the sum of all of them"
    assert len(files) == 2, f"both workers counted requests: {files}"
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    answered = [line for line in lines if line.get("operation") == "VendorList"]
    assert len(answered) == sent
    assert {line["status"] for line in answered} == {200}
    assert refused.status_code == 401
    assert [line["errors"] for line in lines if line["status"] == 401] == [["UNAUTHENTICATED"]]
    assert KEY not in log_file.read_text()


@pytest.mark.parametrize(
    ("document", "name", "field"),
    [
        (
            "query Mine { ...Page } fragment Page on Query { partners { totalCount } }",
            None,
            "partners",
        ),
        ("{ ... on Query { vendors { slug } } __typename }", None, "several"),
        ("query A { vendors { slug } } query B { industries { slug } }", "B", "industries"),
        (
            'mutation M { submitSurveyResponse(token: "t", input: {}) { accepted } }',
            None,
            "submitSurveyResponse",
        ),
        ("mutation M { partners { totalCount } }", None, "other"),
        ("query A { vendors { slug } }", "NotThere", "other"),
        ("{ ...Loop } fragment Loop on Query { ...Loop }", None, "other"),
    ],
    ids=[
        "fragment",
        "several",
        "chosen-operation",
        "mutation",
        "wrong-root",
        "no-such-operation",
        "loop",
    ],
)
def test_the_label_is_the_schemas_name_for_the_root_field(
    document: str, name: str | None, field: str
) -> None:
    assert root_fields.label(schema._schema, parse(document), name) == field
