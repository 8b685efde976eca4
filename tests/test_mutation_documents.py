"""A document of several mutations: the answer says exactly which of them lasted.

The rule (api/schema/execution.py): each mutation field runs in its own savepoint, in
order. A field whose payload comes back with `errors: []` lasted; a payload with errors,
or a field answered null (with an error whose path starts at it), saved nothing. The
others in the same document are not affected.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import is_non_null_type
from sqlalchemy import select

from api.models import Partner
from api.schema import schema
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient

PAYLOAD = "partner { slug version summary } errors { field code }"


def edit(
    alias: str, slug: str, summary: str, fields: str = PAYLOAD, version: int = 1, **extra: str
) -> str:
    more = "".join(f", {name}: {value}" for name, value in extra.items())
    return (
        f'{alias}: updatePartnerProfile(slug: "{slug}", expectedVersion: {version}, '
        f'input: {{summary: "{summary}"{more}}}) {{ {fields} }}'
    )


@pytest.fixture
def partner_key(db: Database) -> str:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")
        factories.partner(session, world, "bravo-retail")
        return factories.key(session, "partner", partner="alpha-health")


def stored(db: Database) -> dict[str, tuple[int, str | None]]:
    with db.session() as session:
        rows = session.execute(select(Partner.slug, Partner.version, Partner.summary)).all()
    return {row.slug: (row.version, row.summary) for row in rows}


def send(api: GraphQLClient, key: str, *fields: str) -> dict[str, Any]:
    response = api.post("mutation { " + " ".join(fields) + " }", key=key)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


UNTOUCHED = (1, "bravo-retail summary")


def test_own_edit_then_someone_elses_keeps_and_answers_the_own_one(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    body = send(
        api,
        partner_key,
        edit("a", "alpha-health", "mine"),
        edit("b", "bravo-retail", "theirs"),
    )

    assert body["data"]["a"] == {
        "partner": {"slug": "alpha-health", "version": 2, "summary": "mine"},
        "errors": [],
    }
    assert body["data"]["b"] is None
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["b"], "FORBIDDEN")
    assert stored(db) == {"alpha-health": (2, "mine"), "bravo-retail": UNTOUCHED}


def test_someone_elses_edit_then_own_keeps_and_answers_the_own_one(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    body = send(
        api,
        partner_key,
        edit("a", "bravo-retail", "theirs"),
        edit("b", "alpha-health", "mine"),
    )

    assert body["data"]["a"] is None
    assert body["data"]["b"] == {
        "partner": {"slug": "alpha-health", "version": 2, "summary": "mine"},
        "errors": [],
    }
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["a"], "FORBIDDEN")
    assert stored(db) == {"alpha-health": (2, "mine"), "bravo-retail": UNTOUCHED}


@pytest.mark.parametrize("bad_first", [True, False])
def test_a_validation_payload_beside_a_success_and_a_refusal(
    db: Database, api: GraphQLClient, partner_key: str, bad_first: bool
) -> None:
    # Each names the version it will meet, so the bad one fails on its website alone.
    bad = edit("bad", "alpha-health", "never", version=1 if bad_first else 2, website='"x"')
    good = edit("good", "alpha-health", "kept")
    forbidden = edit("other", "bravo-retail", "theirs")
    body = send(api, partner_key, *([bad, good] if bad_first else [good, bad]), forbidden)

    data = body["data"]
    assert data["bad"] == {"partner": None, "errors": [{"field": "website", "code": "VALIDATION"}]}
    assert data["good"]["errors"] == []
    assert data["good"]["partner"]["version"] == 2
    assert data["other"] is None
    assert [e["path"] for e in body["errors"]] == [["other"]]
    assert stored(db) == {"alpha-health": (2, "kept"), "bravo-retail": UNTOUCHED}


def test_an_error_inside_a_payload_answers_the_field_null_and_keeps_nothing_of_it(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    # The payload asks for more reviews than allowed: the field fails after the write, so
    # the write is undone and the answer must not show a payload that says `errors: []`.
    failing = "partner { version reviews(first: 1000) { id } } errors { code }"
    body = send(
        api,
        partner_key,
        edit("a", "alpha-health", "undone", fields=failing),
        edit("b", "alpha-health", "kept"),
    )

    assert body["data"]["a"] is None
    assert body["data"]["b"]["errors"] == []
    assert [e["path"][0] for e in body["errors"]] == ["a"]
    assert stored(db) == {"alpha-health": (2, "kept"), "bravo-retail": UNTOUCHED}


def test_every_mutation_field_may_be_null_so_a_failure_nulls_only_itself() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    non_null = [name for name, field in mutation.fields.items() if is_non_null_type(field.type)]
    assert non_null == []
