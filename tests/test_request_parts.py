"""Every part of a GraphQL request over HTTP (query, operationName, variables, extensions; in
a GET's parameters or a POST's body) is checked once, before strawberry reads it: a bad one
is a JSON 4xx naming the part, never a plain-text 500. So is a method /graphql does not take.
"""

from __future__ import annotations

import pytest

from tests.databases import Database
from tests.server import GraphQLClient
from tests.test_hardening_two import post_raw, the_error

VIEWER = "{ viewer { role } }"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"query": "{ viewer { role } }", "operationName": "\\ud800"}', "operationName"),
        (b'{"query": "{ viewer { role } }", "operationName": "A\\udfffB"}', "operationName"),
        (b'{"query": "query Q { viewer { role } } # \\ud800"}', "query"),
        (b'{"query": "{ viewer { role } }", "extensions": {"a": ["\\ud83d"]}}', "extensions.a[0]"),
    ],
    ids=["operation-name", "operation-name-inside", "query-text", "extensions"],
)
def test_a_lone_surrogate_in_any_part_of_a_post_is_a_400_naming_the_part(
    db: Database, api: GraphQLClient, body: bytes, field: str
) -> None:
    # As a client writes it: "\ud800" escaped in the JSON, which Python then decodes.
    error = the_error(post_raw(api, body), 400, "VALIDATION")

    assert error["extensions"]["field"] == field
    assert "unpaired surrogates" in error["message"]


@pytest.mark.parametrize(
    ("extensions", "code", "needle"),
    [
        ("[" * 3000 + "]" * 3000, "BAD_REQUEST", "the extensions nests JSON"),
        ("9" * 5000, "BAD_REQUEST", "the extensions is not valid JSON"),
        ('{"a": ' * 40 + "1" + "}" * 40, "BAD_REQUEST", "the extensions nests JSON"),
        ('{"persistedQuery": "\\ud800"}', "VALIDATION", "unpaired surrogates"),
    ],
    ids=["3000-brackets", "5000-digits", "40-deep-object", "lone-surrogate"],
)
def test_get_extensions_are_decoded_with_the_bounds_of_a_body(
    db: Database, api: GraphQLClient, extensions: str, code: str, needle: str
) -> None:
    response = api.http.get(
        f"{api.base_url}/graphql", params={"query": VIEWER, "extensions": extensions}
    )

    error = the_error(response, 400, code)
    assert needle in error["message"]
    assert error["extensions"]["field"].startswith("extensions")


def test_get_extensions_that_are_well_formed_still_pass(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(
        f"{api.base_url}/graphql", params={"query": VIEWER, "extensions": '{"a": [1, "b"]}'}
    )

    assert response.json() == {"data": {"viewer": {"role": "public"}}}


@pytest.mark.parametrize("method", ["HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_a_method_other_than_get_or_post_is_a_405_in_json(
    db: Database, api: GraphQLClient, method: str
) -> None:
    response = api.http.request(method, f"{api.base_url}/graphql", params={"query": VIEWER})

    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("application/json")
    if method != "HEAD":  # a HEAD answer has the head of a body, never the body
        error = the_error(response, 405, "METHOD_NOT_ALLOWED")
        assert f"{method} /graphql" in error["message"]
