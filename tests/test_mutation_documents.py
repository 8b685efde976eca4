"""A document of several mutations: the answer says exactly which of them lasted.

The rule (api/schema/execution.py): each mutation field runs in its own savepoint, in
order. A field whose payload comes back with `errors: []` lasted, and a payload with
errors saved nothing of that field, beside the others. A top-level error anywhere (a
refusal, an error inside a payload) nulls `data`, since every mutation field is non-null
as the public contract has it, and then nothing of the document is kept.
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


@pytest.mark.parametrize("own_first", [True, False])
def test_a_refused_field_keeps_nothing_of_the_document_and_the_answer_shows_nothing(
    db: Database, api: GraphQLClient, partner_key: str, own_first: bool
) -> None:
    own, other = edit("own", "alpha-health", "mine"), edit("other", "bravo-retail", "theirs")
    body = send(api, partner_key, *([own, other] if own_first else [other, own]))

    assert body["data"] is None
    [error] = body["errors"]
    assert (error["path"], error["extensions"]["code"]) == (["other"], "FORBIDDEN")
    assert stored(db) == {"alpha-health": (1, "alpha-health summary"), "bravo-retail": UNTOUCHED}


def test_a_validation_payload_beside_a_success_keeps_the_success(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    for bad_first in (True, False):
        version = stored(db)["alpha-health"][0]
        # Each names the version it will meet, so the bad one fails on its website alone.
        bad_version = version if bad_first else version + 1
        bad = edit("bad", "alpha-health", "never", version=bad_version, website='"x"')
        good = edit("good", "alpha-health", f"kept {bad_first}", version=version)
        body = send(api, partner_key, *([bad, good] if bad_first else [good, bad]))

        assert "errors" not in body
        data = body["data"]
        assert data["bad"] == {
            "partner": None,
            "errors": [{"field": "website", "code": "VALIDATION"}],
        }
        assert data["good"]["errors"] == []
        assert data["good"]["partner"]["version"] == version + 1
        assert stored(db)["alpha-health"] == (version + 1, f"kept {bad_first}")


def test_a_validation_payload_beside_a_refusal_keeps_nothing(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    bad = edit("bad", "alpha-health", "never", version=2, website='"x"')
    good = edit("good", "alpha-health", "lost", version=1)
    forbidden = edit("other", "bravo-retail", "theirs")
    body = send(api, partner_key, good, bad, forbidden)

    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["other"]]
    assert stored(db) == {"alpha-health": (1, "alpha-health summary"), "bravo-retail": UNTOUCHED}


def test_an_error_inside_a_payload_keeps_nothing_and_shows_no_payload(
    db: Database, api: GraphQLClient, partner_key: str
) -> None:
    # The payload asks for more reviews than allowed: the field fails after the write, so
    # a payload saying `errors: []` beside the error would claim a write that is undone.
    failing = "partner { version reviews(first: 1000) { id } } errors { code }"
    body = send(
        api,
        partner_key,
        edit("a", "alpha-health", "undone", fields=failing),
        edit("b", "alpha-health", "lost", version=2),
    )

    assert body["data"] is None
    assert [e["path"][0] for e in body["errors"]] == ["a"]
    assert stored(db) == {"alpha-health": (1, "alpha-health summary"), "bravo-retail": UNTOUCHED}


def test_every_mutation_field_is_non_null_as_the_contract_has_it() -> None:
    mutation = schema._schema.mutation_type
    assert mutation is not None
    nullable = [name for name, field in mutation.fields.items() if not is_non_null_type(field.type)]
    assert nullable == []
