"""An admin onboards a partner with createPartner: rights, validation, audit, nothing half-done."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from api.models import AuditEntry, Partner
from api.services.apikeys import create_key
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient

CREATE_PARTNER = """
mutation CreatePartner($input: NewPartnerInput!) {
  createPartner(input: $input) {
    partner { id slug name summary website version }
    errors { field message code }
  }
}
"""

PARTNER = """
query Partner($slug: String!) {
  partner(slug: $slug) { id slug name summary website version }
}
"""

GOOD_INPUT = {
    "slug": "delta-digital",
    "name": "Delta Digital",
    "summary": "CRM roll-outs for mid-sized retailers.",
    "website": "https://delta.example",
}


def new_key(
    db: Database, role: str, *, partner: str | None = None, vendor: str | None = None
) -> tuple[str, str]:
    with db.session() as session, session.begin():
        if role in ("partner", "vendor"):
            world = factories.reference_data(session)
            factories.partner(session, world, "alpha-health")
        key, plaintext = create_key(
            session=session, role=role, partner_slug=partner, vendor_slug=vendor
        )
        prefix = key.prefix
    return prefix, plaintext


def admin_key(db: Database) -> tuple[str, str]:
    return new_key(db, "admin")


def count_partners(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Partner)) or 0


def partner_audit(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "partner.create")
                .order_by(AuditEntry.id)
            )
        )


def create(api: GraphQLClient, key: str | None, **changes: Any) -> dict[str, Any]:
    return api.execute(CREATE_PARTNER, {"input": {**GOOD_INPUT, **changes}}, key=key)


# --- an admin creates a partner -----------------------------------------------------------


def test_an_admin_creates_a_partner(db: Database, api: GraphQLClient) -> None:
    prefix, key = admin_key(db)

    payload = api.data(CREATE_PARTNER, {"input": GOOD_INPUT}, key=key)["createPartner"]

    assert payload["errors"] == []
    created = payload["partner"]
    assert {k: created[k] for k in ("slug", "name", "summary", "website", "version")} == {
        **GOOD_INPUT,
        "version": 1,
    }
    assert created["id"]
    read = api.data(PARTNER, {"slug": "delta-digital"})["partner"]
    assert read == created
    [entry] = partner_audit(db)
    assert entry.actor == f"apikey:{prefix}"
    assert entry.entity_type == "partner"
    assert entry.entity_id == "delta-digital"


def test_summary_and_website_are_optional(db: Database, api: GraphQLClient) -> None:
    _, key = admin_key(db)

    payload = api.data(CREATE_PARTNER, {"input": {"slug": "echo", "name": "Echo"}}, key=key)[
        "createPartner"
    ]

    assert payload["errors"] == []
    assert payload["partner"]["summary"] is None
    assert payload["partner"]["website"] is None
    assert api.data(PARTNER, {"slug": "echo"})["partner"]["name"] == "Echo"


def test_a_summary_of_exactly_300_characters_is_accepted(db: Database, api: GraphQLClient) -> None:
    _, key = admin_key(db)

    payload = create(api, key, summary="s" * 300)["data"]["createPartner"]

    assert payload["errors"] == []
    assert len(payload["partner"]["summary"]) == 300


# --- who may not --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "partner", "vendor"], ids=["no-key", "partner", "vendor"])
def test_only_an_admin_may_create_a_partner(
    db: Database, api: GraphQLClient, role: str | None
) -> None:
    key = None
    if role == "partner":
        _, key = new_key(db, "partner", partner="alpha-health")
    elif role == "vendor":
        _, key = new_key(db, "vendor", vendor="acme")
    before = count_partners(db)

    body = create(api, key)

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert count_partners(db) == before
    assert partner_audit(db) == []
    assert api.data(PARTNER, {"slug": GOOD_INPUT["slug"]}) == {"partner": None}


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "double--hyphen"}, "slug"),
        ({"slug": "x" * 81}, "slug"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"website": "ftp://x"}, "website"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "delta.example"}, "website"),
        ({"summary": "s" * 301}, "summary"),
    ],
    ids=[
        "slug-with-spaces",
        "slug-empty",
        "slug-double-hyphen",
        "slug-too-long",
        "name-empty",
        "name-blank",
        "name-too-long",
        "website-ftp",
        "website-javascript",
        "website-no-scheme",
        "summary-too-long",
    ],
)
def test_a_bad_field_is_a_validation_error_and_nothing_is_written(
    db: Database, api: GraphQLClient, changes: dict[str, str], field: str
) -> None:
    _, key = admin_key(db)

    body = create(api, key, **changes)

    assert "errors" not in body, body["errors"]
    payload = body["data"]["createPartner"]
    assert payload["partner"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == (field, "VALIDATION")
    assert error["message"]
    assert count_partners(db) == 0
    assert partner_audit(db) == []


def test_every_bad_field_is_reported_at_once(db: Database, api: GraphQLClient) -> None:
    _, key = admin_key(db)

    payload = create(
        api, key, slug="Not A Slug", name="", website="javascript:alert(1)", summary="s" * 301
    )["data"]["createPartner"]

    assert payload["partner"] is None
    assert sorted(error["field"] for error in payload["errors"]) == [
        "name",
        "slug",
        "summary",
        "website",
    ]
    assert {error["code"] for error in payload["errors"]} == {"VALIDATION"}
    assert count_partners(db) == 0
    assert partner_audit(db) == []


def test_a_duplicate_slug_is_a_validation_error_on_slug(db: Database, api: GraphQLClient) -> None:
    _, key = admin_key(db)
    assert api.data(CREATE_PARTNER, {"input": GOOD_INPUT}, key=key)["createPartner"]["partner"]

    payload = create(api, key, name="Another Delta")["data"]["createPartner"]

    assert payload["partner"] is None
    [error] = payload["errors"]
    assert (error["field"], error["code"]) == ("slug", "VALIDATION")
    assert count_partners(db) == 1
    assert len(partner_audit(db)) == 1
    assert api.data(PARTNER, {"slug": GOOD_INPUT["slug"]})["partner"]["name"] == "Delta Digital"
