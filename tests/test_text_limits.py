"""Text no database can store (NUL characters) is refused up front, never a server error."""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient

BY_SLUG = "query($slug: String!) { partner(slug: $slug) { slug } }"


def test_a_nul_in_a_variable_is_refused_with_400(db: Database, api: GraphQLClient) -> None:
    response = api.post(BY_SLUG, {"slug": "a\x00b"})

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "VALIDATION"
    assert "NUL" in error["message"]


@pytest.mark.parametrize(
    "document",
    [
        '{ partner(slug: "\\u0000") { slug } }',
        '{ partners(filter: {products: ["\\u0000"]}) { totalCount } }',
    ],
)
def test_a_nul_in_a_string_literal_is_refused(
    db: Database, api: GraphQLClient, document: str
) -> None:
    body = api.execute(document)

    assert body.get("data") is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["VALIDATION"]


def test_a_nul_in_get_variables_is_refused(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(
        f"{api.base_url}/graphql",
        params={"query": BY_SLUG, "variables": json.dumps({"slug": "\x00"})},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_ordinary_text_still_passes(db: Database, api: GraphQLClient) -> None:
    with db.session() as session, session.begin():
        factories.partner(session, factories.reference_data(session), "alpha-health")

    assert api.data(BY_SLUG, {"slug": "alpha-health"}) == {"partner": {"slug": "alpha-health"}}
