"""The HTTP surface: /healthz, GraphQL over GET and POST, and abusive documents refused."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.exceptions import StarletteDeprecationWarning

from api.app import create_app
from api.db import create_db_engine
from api.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from api.settings import Settings, parse_database_url
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient

with warnings.catch_warnings():
    # Starlette 1.x asks for httpx2 under its TestClient; the dev extras install httpx.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

VIEWER = "{ viewer { role } }"

SYNTAX_ERROR = "{ viewer { role }"

# Every field exists; the schema has no cycle, so this is about as deep as a valid query gets.
DEEPEST_VALID = """
query Deepest {
  partners(first: 1) { edges { node { products { vendor { name } } } } }
}
"""

# Twelve levels of selections: refused for its depth before anything runs.
TOO_DEEP = """
query TooDeep {
  partners { edges { node { products { vendor {
    a { b { c { d { e { f { g } } } } } }
  } } } } }
}
"""

# The same depth reached through fragments.
TOO_DEEP_THROUGH_FRAGMENTS = """
query TooDeepFragments { partners { edges { node { ...Products } } } }
fragment Products on Partner { products { vendor { ...Deeper } } }
fragment Deeper on Vendor { a { b { c { d { e { f { g } } } } } } }
"""

UNREACHABLE_POSTGRES = "postgresql://vouch@127.0.0.1:1/vouch"


def aliases(count: int) -> str:
    return "{ " + " ".join(f"v{n}: viewer {{ role }}" for n in range(count)) + " }"


def huge_document(tokens: int) -> str:
    # "{ viewer { role role ... } }": four tokens around the repeated field names.
    return "{ viewer { " + "role " * (tokens - 4) + "} }"


def post(api: GraphQLClient, query: str) -> httpx.Response:
    return api.post(query)


def assert_refused(response: httpx.Response, *needles: str) -> dict[str, Any]:
    assert response.status_code < 500, response.text
    body: dict[str, Any] = response.json()
    assert body.get("data") is None
    messages = " | ".join(error["message"] for error in body["errors"])
    for needle in needles:
        assert needle in messages
    return body


# --- /healthz -----------------------------------------------------------------------------


def test_healthz_answers_ok(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(f"{api.base_url}/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.fixture
def app_without_database(tmp_path: Path) -> Iterator[TestClient]:
    url = parse_database_url(UNREACHABLE_POSTGRES)
    engine = create_db_engine(url)
    app = create_app(Settings(data_dir=tmp_path, database_url=url, environment="test"), engine)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        engine.dispose()


def test_healthz_answers_503_when_the_database_is_unreachable(
    app_without_database: TestClient,
) -> None:
    response = app_without_database.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] != "ok"


def test_a_keyed_request_answers_503_when_the_database_is_unreachable(
    app_without_database: TestClient,
) -> None:
    response = app_without_database.post(
        "/graphql",
        json={"query": VIEWER},
        headers={"Authorization": "Bearer vouch_000000000000_secret"},
    )

    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"


# --- GraphQL over HTTP --------------------------------------------------------------------


def test_a_query_over_get_works(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(f"{api.base_url}/graphql", params={"query": "{viewer{role}}"})

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"role": "public"}}}


def test_a_query_over_post_works_and_carries_a_request_id(db: Database, api: GraphQLClient) -> None:
    response = api.http.post(
        f"{api.base_url}/graphql", json={"query": VIEWER}, headers={"x-request-id": "req-42"}
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"role": "public"}}}
    assert response.headers["x-request-id"] == "req-42"


def test_a_mutation_over_get_is_refused(db: Database, api: GraphQLClient) -> None:
    document = 'mutation { createPartner(input: {slug: "x", name: "X"}) { errors { code } } }'

    response = api.http.get(f"{api.base_url}/graphql", params={"query": document})

    assert 400 <= response.status_code < 500


def test_a_syntax_error_is_an_error_not_a_500(db: Database, api: GraphQLClient) -> None:
    body = assert_refused(post(api, SYNTAX_ERROR))

    assert "Syntax Error" in body["errors"][0]["message"]


def test_a_body_that_is_not_json_is_a_client_error(db: Database, api: GraphQLClient) -> None:
    response = api.http.post(
        f"{api.base_url}/graphql",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert 400 <= response.status_code < 500


def test_an_unknown_field_is_an_error_not_a_500(db: Database, api: GraphQLClient) -> None:
    assert_refused(post(api, "{ nothingHere }"), "nothingHere")


# --- abusive documents --------------------------------------------------------------------


def test_the_deepest_valid_query_runs(db: Database, api: GraphQLClient) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha", products=("acme-crm",))

    data = api.data(DEEPEST_VALID)

    assert data["partners"]["edges"][0]["node"]["products"][0]["vendor"] == {"name": "Acme Cloud"}


@pytest.mark.parametrize(
    "document", [TOO_DEEP, TOO_DEEP_THROUGH_FRAGMENTS], ids=["nested", "fragments"]
)
def test_a_query_deeper_than_the_limit_is_refused(
    db: Database, api: GraphQLClient, document: str
) -> None:
    assert_refused(post(api, document), f"exceeds maximum operation depth of {MAX_DEPTH}")


def test_the_alias_limit_is_allowed(db: Database, api: GraphQLClient) -> None:
    data = api.data(aliases(MAX_ALIASES))

    assert len(data) == MAX_ALIASES


def test_more_aliases_than_the_limit_are_refused(db: Database, api: GraphQLClient) -> None:
    assert MAX_ALIASES == 30

    assert_refused(post(api, aliases(MAX_ALIASES + 1)), "aliases")


def test_hundreds_of_aliases_are_refused(db: Database, api: GraphQLClient) -> None:
    assert_refused(post(api, aliases(500)), "aliases")


def test_a_huge_document_is_refused(db: Database, api: GraphQLClient) -> None:
    assert MAX_TOKENS == 5000

    assert_refused(post(api, huge_document(MAX_TOKENS + 1000)), "tokens")


def long_filter(tokens: int) -> str:
    # "{ partners ( filter : { countries : [ ... ] } ) { totalCount } }": 16 tokens around it.
    countries = " ".join('"US"' for _ in range(tokens - 16))
    return f"{{ partners(filter: {{countries: [{countries}]}}) {{ totalCount }} }}"


def test_a_long_document_under_the_token_limit_runs(db: Database, api: GraphQLClient) -> None:
    data = api.data(long_filter(MAX_TOKENS - 10))

    assert data == {"partners": {"totalCount": 0}}


def test_a_long_document_over_the_token_limit_is_refused(db: Database, api: GraphQLClient) -> None:
    assert_refused(post(api, long_filter(MAX_TOKENS + 10)), "tokens")


def test_a_huge_document_over_get_is_refused_too(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(
        f"{api.base_url}/graphql", params={"query": huge_document(MAX_TOKENS + 10)}
    )

    assert_refused(response, "tokens")


def test_aliases_hidden_in_fragments_count_too(db: Database, api: GraphQLClient) -> None:
    inside = " ".join(f"a{n}: viewer {{ role }}" for n in range(MAX_ALIASES // 2 + 1))
    document = f"{{ ...Many v: viewer {{ ...More }} }} fragment Many on Query {{ {inside} }} " + (
        "fragment More on Viewer { "
        + " ".join(f"b{n}: role" for n in range(MAX_ALIASES // 2))
        + " }"
    )

    assert_refused(post(api, document), "aliases")
