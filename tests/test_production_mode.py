"""VOUCH_ENV=production: no GraphiQL, no introspection, bugs masked; development keeps them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.schema import create_schema
from api.settings import Settings
from tests.databases import Database
from tests.server import running_server

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
def production_url(db: Database, tmp_path: Path) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="production")
    with running_server(settings, db.engine) as url:
        yield url


def test_production_serves_no_graphiql_and_no_introspection(production_url: str) -> None:
    with httpx.Client() as http:
        page = http.get(f"{production_url}/graphql", headers={"accept": "text/html"})
        body = http.post(f"{production_url}/graphql", json={"query": INTROSPECTION}).json()
        viewer = http.post(f"{production_url}/graphql", json={"query": "{ viewer { role } }"})

    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    assert viewer.json() == {"data": {"viewer": {"role": "public"}}}


def test_development_serves_graphiql_and_introspection(server_url: str, db: Database) -> None:
    with httpx.Client() as http:
        page = http.get(f"{server_url}/graphql", headers={"accept": "text/html"})
        body = http.post(f"{server_url}/graphql", json={"query": INTROSPECTION}).json()

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_production_still_shows_the_client_its_own_mistakes(production_url: str) -> None:
    with httpx.Client() as http:
        body = http.post(
            f"{production_url}/graphql",
            json={"query": "{ partners(first: 1000) { totalCount } }"},
        ).json()

    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": "first"}
    assert "between 0 and 100" in body["errors"][0]["message"]


# --- no message names a type of the schema -----------------------------------------------

PARTNERS_BY = "query($orderBy: PartnerOrder) { partners(orderBy: $orderBy) { totalCount } }"
FILTERED = "query($filter: PartnerFilter) { partners(filter: $filter) { totalCount } }"
FIRST = "query($first: Int) { partners(first: $first) { totalCount } }"
NEED = "query($need: ProjectNeed!) { bestFitPartners(need: $need) { score } }"
ENGAGEMENT = (
    'partnerSlug: "a", customerName: "b", customerDomain: "c.example", industry: "d", '
    'status: "completed"'
)

# A bad value for each kind of input, as a literal and as a variable, and what the
# message must name: the argument, the variable (named as its argument) or the field.
BAD_INPUTS: list[tuple[str, str, dict[str, Any] | None, list[str]]] = [
    # enums
    ("enum literal", "{ partners(orderBy: NOPE) { totalCount } }", None, ["orderBy"]),
    ("enum as a string", '{ partners(orderBy: "NAME") { totalCount } }', None, ["orderBy"]),
    ("enum variable", PARTNERS_BY, {"orderBy": "NOPE"}, ["$orderBy"]),
    ("enum variable of a number", PARTNERS_BY, {"orderBy": 3}, ["$orderBy"]),
    (
        "enum in an input object",
        "{ partners(filter: {evidenceTiers: [NOPE]}) { totalCount } }",
        None,
        ["filter", "evidenceTiers"],
    ),
    (
        "enum in an input object variable",
        FILTERED,
        {"filter": {"evidenceTiers": ["NOPE"]}},
        ["$filter", "evidenceTiers"],
    ),
    # input objects and their fields
    (
        "unknown input field",
        "{ partners(filter: {nope: 1}) { totalCount } }",
        None,
        ["filter", "nope"],
    ),
    ("unknown input field variable", FILTERED, {"filter": {"nope": 1}}, ["$filter", "nope"]),
    ("not an object", "{ partners(filter: 5) { totalCount } }", None, ["filter"]),
    ("not an object variable", FILTERED, {"filter": 5}, ["$filter"]),
    (
        "input field of the wrong scalar",
        "{ partners(filter: {industries: 5}) { totalCount } }",
        None,
        ["filter", "industries"],
    ),
    (
        "input field of the wrong scalar variable",
        FILTERED,
        {"filter": {"industries": 5}},
        ["$filter", "industries"],
    ),
    (
        "required input field missing",
        'mutation { submitSurveyResponse(token: "x", input: {}) { accepted } }',
        None,
        ["input", "likelihoodToRecommend"],
    ),
    (
        "float input field variable",
        NEED,
        {"need": {"weights": {"proximity": "x"}}},
        ["$need", "proximity"],
    ),
    (
        "custom scalar input field",
        f"mutation {{ recordEngagement(input: {{{ENGAGEMENT}, startedOn: 5}}) "
        "{ errors { code } } }",
        None,
        ["input", "startedOn"],
    ),
    # scalars
    ("int literal", '{ partners(first: "x") { totalCount } }', None, ["first"]),
    ("int literal of a float", "{ partners(first: 1.5) { totalCount } }", None, ["first"]),
    ("int variable", FIRST, {"first": "x"}, ["$first"]),
    ("int variable too large", FIRST, {"first": 2**40}, ["$first"]),
    ("string literal", "{ partner(slug: 5) { slug } }", None, ["slug"]),
    ("null for a required argument", "{ partner(slug: null) { slug } }", None, ["slug"]),
    (
        "null for a required variable",
        "query($slug: String!) { partner(slug: $slug) { slug } }",
        {"slug": None},
        ["$slug"],
    ),
    (
        "a required variable missing",
        "query($slug: String!) { partner(slug: $slug) { slug } }",
        {},
        ["$slug"],
    ),
    (
        "id literal",
        "mutation { confirmEngagement(engagementId: 1.5) { errors { code } } }",
        None,
        ["engagementId"],
    ),
    # arguments and variables themselves
    ("required argument missing", "{ partner { slug } }", None, ["slug"]),
    ("unknown argument", '{ partner(slug: "a", nope: 1) { slug } }', None, ["nope"]),
    ("unknown field", "{ nope }", None, ["nope"]),
    ("a selection needed", '{ partner(slug: "a") }', None, ["partner"]),
    ("no selection allowed", '{ partner(slug: "a") { slug { x } } }', None, ["slug"]),
    (
        "a fragment that cannot apply",
        "{ partners { ...F } } fragment F on Query { viewer { role } }",
        None,
        ["F"],
    ),
    (
        "a variable of an output type",
        "query($slug: Partner) { partner(slug: $slug) { slug } }",
        None,
        ["$slug"],
    ),
    (
        "a variable in the wrong place",
        "query($slug: Int) { partner(slug: $slug) { slug } }",
        None,
        ["$slug"],
    ),
]


def schema_type_names() -> set[str]:
    """Every type the schema has (built-in scalars too), not introspection's own."""
    types = create_schema(production=True)._schema.type_map
    return {name for name in types if not name.startswith("__")}


@pytest.mark.parametrize(
    ("document", "variables", "named"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_production_messages_name_the_input_but_no_schema_type(
    production_url: str, document: str, variables: dict[str, Any] | None, named: list[str]
) -> None:
    names = re.compile(r"\b(?:" + "|".join(sorted(schema_type_names())) + r")\b")
    with httpx.Client() as http:
        body = http.post(
            f"{production_url}/graphql", json={"query": document, "variables": variables}
        ).json()

    assert body["data"] is None
    for error in body["errors"]:
        message = error["message"]
        assert names.search(message) is None, message
        for name in named:
            assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", message), (name, message)
