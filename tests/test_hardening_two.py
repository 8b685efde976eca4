"""Hardening, round two: what an outside tester broke, each attack replayed against the server."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import parse
from sqlalchemy import select

from api.db import PING_AFTER_IDLE_SECONDS, create_db_engine
from api.models import Partner
from api.schema.document_shape import MAX_FIELDS, MAX_SELECTION_FIELDS, shape_errors
from api.schema.pagination import encode_cursor
from api.settings import Settings
from tests import factories
from tests.databases import Database
from tests.pg_cluster import Cluster
from tests.server import GraphQLClient, running_server

UPDATE = """
mutation Update($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version summary } errors { field code }
  }
}
"""


def fragment_bomb(levels: int) -> str:
    fragments = ["fragment F0 on Partner { slug }"] + [
        f"fragment F{i} on Partner {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)
    ]
    return f'{{ partner(slug: "a") {{ ...F{levels - 1} }} }}\n' + "\n".join(fragments)


def post_raw(api: GraphQLClient, body: bytes, content_type: str = "application/json") -> Any:
    return api.http.post(
        f"{api.base_url}/graphql", content=body, headers={"content-type": content_type}
    )


def the_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    found: dict[str, Any] = error
    return found


@pytest.fixture
def partner_key(db: Database) -> str:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        return factories.key(session, "partner", partner="alpha-health")


# --- 1. no document may pin a worker ------------------------------------------------------


def test_a_fragment_bomb_is_refused_at_once(db: Database, api: GraphQLClient) -> None:
    # 2.5 KB that spreads to 2**39 fields: it kept a thread busy for over 10 minutes.
    document = fragment_bomb(40)
    assert len(document) < 2600
    response = api.http.post(f"{api.base_url}/graphql", json={"query": document}, timeout=10)
    error = the_error(response, 200, "TOO_MANY_FIELDS")
    assert f"at most {MAX_FIELDS}" in error["message"]


def test_a_field_repeated_a_thousand_times_is_refused_with_a_reason(
    db: Database, api: GraphQLClient
) -> None:
    document = "{ " + " ".join(["vendors { slug }"] * 1200) + " }"
    body = api.execute(document)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "TOO_MANY_FIELDS"
    assert "Validation aborted" not in error["message"]


def test_fragments_are_measured_once_each_and_counted_at_every_spread() -> None:
    # F3 spreads to 8 `slug` fields in one selection; 8 <= the per-selection limit.
    assert shape_errors(parse(fragment_bomb(4))) == []
    [error] = shape_errors(parse(fragment_bomb(8)))  # 128 fields gathered in one selection
    assert error.extensions == {"code": "TOO_MANY_FIELDS"}
    assert f"gathers 128 fields (its own and its fragments'); at most {MAX_SELECTION_FIELDS}" in (
        error.message
    )


def test_fields_repeated_in_one_selection_are_refused_before_the_merging_rule(
    db: Database, api: GraphQLClient
) -> None:
    at_limit = "{ " + " ".join(["vendors { slug }"] * MAX_SELECTION_FIELDS) + " }"
    assert api.data(at_limit)["vendors"] == []
    over = "{ " + " ".join(["vendors { slug }"] * (MAX_SELECTION_FIELDS + 1)) + " }"
    assert api.error_codes(over) == ["TOO_MANY_FIELDS"]


def test_repeats_that_pass_the_counts_still_cannot_exhaust_the_merging_rule(
    db: Database, api: GraphQLClient
) -> None:
    # 30 x 31 fields: under both counts, but 30 x 30 x 30 pairs to compare.
    document = "{ " + " ".join(["vendors { " + "slug " * 30 + "}"] * 30) + " }"
    [error] = api.execute(document)["errors"]
    assert error["extensions"]["code"] == "TOO_COMPLEX"
    assert "select each field once" in error["message"]


def test_a_request_past_its_time_budget_is_cancelled_and_rolled_back(
    db: Database, partner_key: str, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=db.url, environment="test", request_timeout=1e-9
    )
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        client = GraphQLClient(base_url=url, http=http)
        variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "late"}}
        body = client.execute(UPDATE, variables, key=partner_key)
        query = client.execute("{ partners { edges { node { slug } } } }")
    for answer in (body, query):
        assert answer["data"] is None
        [error] = answer["errors"]
        assert error["extensions"]["code"] == "TIMEOUT"
        assert "time budget of 1e-09 s" in error["message"]
    with db.session() as session:
        [(version, summary)] = session.execute(
            select(Partner.version, Partner.summary).where(Partner.slug == "alpha-health")
        ).all()
    assert version == 1
    assert summary != "late"


# --- 2. bad bytes are 4xx JSON, never a plain-text 500 ------------------------------------


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            b'{"query": "{ viewer { role } }", "variables": '
            + b'{"a": ' * 1000
            + b"1"
            + b"}" * 1001,
            "nests JSON",
        ),
        (b"[" * 100_000 + b"]" * 100_000, "batched"),
        (
            b'{"query": "{ viewer { role } }", "variables": {"n": ' + b"9" * 5000 + b"}}",
            "not valid JSON",
        ),
        (b'{"query": "{ viewer { role } }", "x": "\xff\xfe"}', "not UTF-8"),
        (b'{"query": {"a": ' * 50_000, "nests JSON"),
    ],
    ids=[
        "variables-1000-deep",
        "array-100000-deep",
        "5000-digit-integer",
        "bad-utf8",
        "deep-object",
    ],
)
def test_malformed_bytes_are_a_400_in_json(
    db: Database, api: GraphQLClient, body: bytes, needle: str
) -> None:
    response = post_raw(api, body)
    status = 400
    code = "BATCHING_NOT_SUPPORTED" if needle == "batched" else "BAD_REQUEST"
    error = the_error(response, status, code)
    assert needle in error["message"]


def test_a_media_type_in_capitals_is_json(db: Database, api: GraphQLClient) -> None:
    response = post_raw(api, b'{"query": "{ viewer { role } }"}', "APPLICATION/JSON; charset=UTF-8")
    assert response.status_code == 200, response.text
    assert response.json() == {"data": {"viewer": {"role": "public"}}}


@pytest.mark.parametrize(
    "cursor",
    [
        encode_cursor(10**30),
        encode_cursor(2**31),
        "dm91Y2g6b2Zmc2V0Ojk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ==",
        # "vouch:offset:" followed by Arabic-Indic digits, which str.isdigit() accepts.
        "dm91Y2g6b2Zmc2V0Otmh2aI=",
    ],
)
def test_a_cursor_out_of_range_or_not_ascii_is_a_validation_error(
    db: Database, api: GraphQLClient, cursor: str
) -> None:
    body = api.execute(
        "query($after: String) { partners(after: $after) { totalCount } }", {"after": cursor}
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": "after"}


@pytest.mark.parametrize(
    ("document", "variables", "field"),
    [
        ("query($s: String!) { partner(slug: $s) { slug } }", {"s": "a\ud800b"}, "variables.s"),
        (
            UPDATE,
            {"slug": "alpha-health", "version": 1, "input": {"summary": "x\udfff"}},
            "variables.input.summary",
        ),
        (
            "mutation($t: String!, $i: SurveyResponseInput!) "
            "{ submitSurveyResponse(token: $t, input: $i) { accepted } }",
            {"t": "t", "i": {"likelihoodToRecommend": 9, "comment": "\ud83d"}},
            "variables.i.comment",
        ),
    ],
    ids=["slug", "profile-summary", "survey-comment"],
)
def test_a_lone_surrogate_is_refused_naming_where_it_is(
    db: Database, api: GraphQLClient, document: str, variables: dict[str, Any], field: str
) -> None:
    # As a client writes it: "\ud800" escaped in the JSON, which Python then decodes.
    body = json.dumps({"query": document, "variables": variables}).encode()
    error = the_error(post_raw(api, body), 400, "VALIDATION")
    assert error["extensions"]["field"] == field
    assert "unpaired surrogates" in error["message"]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        (
            'mutation { createSurveyInvitation(engagementId: "%s", email: "a@b.example") '
            "{ errors { code } } }",
            "engagementId",
        ),
        (
            'mutation { voidSurveyResponse(responseId: "%s", reason: "fraud") '
            "{ errors { code } } }",
            "responseId",
        ),
    ],
)
def test_an_id_too_large_for_the_table_is_a_validation_error(
    db: Database, api: GraphQLClient, document: str, field: str
) -> None:
    with db.session() as session, session.begin():
        admin = factories.key(session, "admin")
    body = api.execute(document % ("1" + "0" * 23), key=admin)
    [error] = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": field}


# --- 5. expected refusals are one log line, never a traceback ------------------------------


@pytest.fixture
def api_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="vouch.api")
    return caplog


def test_refusals_log_one_line_without_a_traceback(
    db: Database,
    api: GraphQLClient,
    partner_key: str,
    api_log: pytest.LogCaptureFixture,
) -> None:
    variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "x"}}
    api.execute(UPDATE, variables)  # no key: FORBIDDEN
    api.execute("query Bad($a: String) { partners(after: $a) { totalCount } }", {"a": "nope"})
    assert [r for r in api_log.records if r.exc_info] == []
    records = [r for r in api_log.records if r.name == "vouch.api"]
    assert [r.exc_info for r in records] == [None, None]
    assert "FORBIDDEN" in records[0].getMessage()
    assert "VALIDATION (operation Bad)" in records[1].getMessage()


# --- 4. a database outage is a 503 for everyone ---------------------------------------------

SUBMIT = """
mutation($t: String!) { submitSurveyResponse(token: $t, input: {likelihoodToRecommend: 9}) {
  accepted errors { code } } }
"""


def test_with_the_database_stopped_every_request_is_503_and_then_recovers(
    stoppable_server: tuple[Cluster, GraphQLClient, str],
) -> None:
    cluster, client, key = stoppable_server
    public = '{ partner(slug: "alpha-health") { slug } }'
    assert client.data(public) == {"partner": {"slug": "alpha-health"}}

    cluster.stop()
    answers = [
        client.post(public),
        client.post(SUBMIT, {"t": "x" * 43}),
        client.post("{ viewer { role partnerSlug } }", key=key),
    ]
    for response in answers:
        error = the_error(response, 503, "UNAVAILABLE")
        assert response.headers["retry-after"] == "5"
        assert "try again" in error["message"]
    health = client.http.get(f"{client.base_url}/healthz")
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "unavailable"}
    assert str(cluster.port) not in health.text

    cluster.start()
    assert client.data(public) == {"partner": {"slug": "alpha-health"}}


def test_after_a_restart_with_no_request_between_the_first_request_is_served(
    stoppable_server: tuple[Cluster, GraphQLClient, str],
) -> None:
    """The pool's connections are from before the restart, and nothing has failed on one
    to tell the pool: the ping of a connection idle for PING_AFTER_IDLE_SECONDS finds
    them gone (issue 25 pings only such connections; before, every checkout did)."""
    cluster, client, _key = stoppable_server
    public = '{ partner(slug: "alpha-health") { slug } }'
    assert client.data(public) == {"partner": {"slug": "alpha-health"}}
    cluster.stop()
    cluster.start()
    time.sleep(PING_AFTER_IDLE_SECONDS)
    assert client.data(public) == {"partner": {"slug": "alpha-health"}}


def test_a_connection_back_in_use_within_the_idle_time_is_not_pinged(
    db: Database,
) -> None:
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite connections are files, not sockets")
    engine = create_db_engine(db.url)
    pings: list[float] = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(time.monotonic())
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    try:
        for _ in range(5):
            with engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1")
        assert pings == []  # a new connection, then the same one at once: no round trip
        time.sleep(PING_AFTER_IDLE_SECONDS + 0.05)
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        assert len(pings) == 1  # idle for longer: pinged first
    finally:
        engine.dispose()


def test_a_write_that_meets_a_locked_sqlite_database_is_503(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only: one writer at a time")
    holder = sqlite3.connect(db.url.database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # what `vouch import` holds while it writes
        variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "locked"}}
        response = api.post(UPDATE, variables, key=partner_key)
    finally:
        holder.rollback()
        holder.close()
    the_error(response, 503, "UNAVAILABLE")
    assert response.headers["retry-after"] == "5"
    assert api.data(UPDATE, variables, key=partner_key)["updatePartnerProfile"]["errors"] == []


# --- 7. production errors do not map the schema ----------------------------------------------

SCHEMA_PROBES = [
    '{ partner(slug: "a") }',  # a selection is needed: of type 'Partner'
    '{ partner(slug: "a") { slug { x } } }',  # no subfields: since type 'String!'
    "{ partner { slug } }",  # a required argument: of type 'String!'
    "{ nope }",  # unknown field: on type 'Query'
    '{ partner(slug: "a", nope: 1) { slug } }',  # unknown argument on field 'Query.partner'
    "{ partner(slug: 1) { slug } }",  # wrong literal
    'mutation { createPartner(input: {slug: "a", name: "A", nope: 1}) { errors { code } } }',
    "mutation { nope }",
    "query($s: Int) { partner(slug: $s) { slug } }",  # variable in the wrong position
]


@pytest.fixture
def production(db: Database, tmp_path: Path) -> Iterator[GraphQLClient]:
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="production")
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        yield GraphQLClient(base_url=url, http=http)


@pytest.mark.parametrize("document", SCHEMA_PROBES)
def test_production_errors_name_no_schema_type(production: GraphQLClient, document: str) -> None:
    [*errors] = production.execute(document)["errors"]
    assert errors
    for error in errors:
        message = error["message"]
        assert "type '" not in message, message
        assert "'Query." not in message, message
        assert "'Mutation." not in message, message
        assert "Did you mean" not in message, message


def test_development_errors_still_name_types(db: Database, api: GraphQLClient) -> None:
    [error] = api.execute('{ partner(slug: "a") }')["errors"]
    assert error["message"].startswith("Field 'partner' of type 'Partner' must have a selection")


# --- one transaction owner: a savepoint per mutation field --------------------------------

TWO_UPDATES = """
mutation($slug: String!) {
  a: updatePartnerProfile(slug: $slug, expectedVersion: 1, input: {summary: "from a"}) {
    partner { version summary } errors { code }
  }
  b: updatePartnerProfile(slug: $slug, expectedVersion: 1, input: {summary: "from b"}) {
    partner { version summary } errors { code }
  }
}
"""


def test_a_failing_mutation_does_not_undo_the_one_before_it(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    data = api.data(TWO_UPDATES, {"slug": "alpha-health"}, key=partner_key)
    assert data["a"] == {"partner": {"version": 2, "summary": "from a"}, "errors": []}
    assert [e["code"] for e in data["b"]["errors"]] == ["VERSION_CONFLICT"]
    with db.session() as session:
        stored = session.execute(
            select(Partner.version, Partner.summary).where(Partner.slug == "alpha-health")
        ).one()
    assert tuple(stored) == (2, "from a")  # what `a` said it did lasted


def test_a_refused_mutation_leaves_nothing_and_the_next_one_lasts(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    document = """
    mutation {
      bad: updatePartnerProfile(slug: "alpha-health", expectedVersion: 1,
                                input: {summary: "ok", website: "not a url"}) {
        partner { version } errors { field code }
      }
      good: updatePartnerProfile(slug: "alpha-health", expectedVersion: 1,
                                 input: {summary: "second"}) {
        partner { version summary } errors { code }
      }
    }
    """
    data = api.data(document, key=partner_key)
    assert data["bad"]["errors"] == [{"field": "website", "code": "VALIDATION"}]
    assert data["good"] == {"partner": {"version": 2, "summary": "second"}, "errors": []}
    with db.session() as session:
        stored = session.execute(
            select(Partner.version, Partner.summary, Partner.website).where(
                Partner.slug == "alpha-health"
            )
        ).one()
    assert stored.version == 2
    assert stored.summary == "second"
    assert stored.website != "not a url"
