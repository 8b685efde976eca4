"""Partners keep their own profiles over GraphQL; nothing else, never silently overwritten."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select

from api.models import AuditEntry, Partner, SurveyResponse
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import responses

UPDATE = """
mutation Update($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { slug version summary website headquarters { city country }
              hourlyRateMin hourlyRateMax languages partnerTypes description }
    errors { field message code }
  }
}
"""

ADD_OFFICE = """
mutation Add($slug: String!, $version: Int!, $input: OfficeInput!) {
  addOffice(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version headquarters { city country } offices { id city isHeadquarters } }
    errors { field code }
  }
}
"""

REMOVE_OFFICE = """
mutation Remove($slug: String!, $version: Int!, $id: ID!) {
  removeOffice(slug: $slug, expectedVersion: $version, officeId: $id) {
    partner { version offices { city } } errors { field code }
  }
}
"""

CLAIMS = """
mutation Claims($slug: String!, $version: Int!, $industries: [String!], $products: [String!]) {
  setPartnerClaims(slug: $slug, expectedVersion: $version, industries: $industries,
                   products: $products) {
    partner { version industries { slug } products { slug } } errors { field code message }
  }
}
"""

ADD_CERTIFICATION = """
mutation Cert($slug: String!, $version: Int!, $input: CertificationInput!) {
  addCertification(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version certifications { id name year vendor { slug } } } errors { field code }
  }
}
"""

ADD_REFERENCE = """
mutation Ref($slug: String!, $version: Int!, $input: ReferenceInput!) {
  addReference(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version references { id title industry { slug } } } errors { field code }
  }
}
"""

REPLY = """
mutation Reply($id: ID!, $body: String!) {
  replyToReview(reviewId: $id, body: $body) { reply { body } errors { field code } }
}
"""

REVIEWS = """
query($slug: String!) { partner(slug: $slug) { reviews { id comment reply { body } } } }
"""


def update(api: GraphQLClient, key: str | None, version: int, **fields: Any) -> dict[str, Any]:
    variables = {"slug": "alpha-health", "version": version, "input": fields}
    body = api.execute(UPDATE, variables, key=key)
    return body


def stored(db: Database, slug: str = "alpha-health") -> Partner:
    with db.session() as session:
        return session.scalars(select(Partner).where(Partner.slug == slug)).one()


def test_a_partner_edits_its_profile_and_each_change_bumps_the_version(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    first = update(
        api,
        keys["alpha"],
        1,
        summary="Healthcare ERP specialists",
        website="https://alpha.example",
        hourlyRateMin=90,
        hourlyRateMax=160,
        languages=["en", "de", "en"],
        partnerTypes=["implementation", "support"],
    )
    payload = first["data"]["updatePartnerProfile"]
    assert payload["errors"] == []
    assert payload["partner"]["version"] == 2
    assert payload["partner"]["summary"] == "Healthcare ERP specialists"
    assert payload["partner"]["languages"] == ["de", "en"]

    second = update(api, keys["alpha"], 2, website=None, description="# About\n\nWe *ship*.")
    partner = second["data"]["updatePartnerProfile"]["partner"]
    assert partner["version"] == 3
    assert partner["website"] is None
    assert partner["summary"] == "Healthcare ERP specialists"  # omitted: kept

    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "partner.update").order_by(AuditEntry.id)
        ).all()
    assert [e.details["version"] for e in entries] == [2, 3]
    assert entries[0].actor.startswith("apikey:")
    assert entries[0].details["diff"]["summary"] == [
        "alpha-health summary",
        "Healthcare ERP specialists",
    ]
    assert entries[1].details["diff"]["website"] == ["https://alpha.example", None]


def test_a_stale_version_is_refused_with_the_current_one_and_changes_nothing(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    update(api, keys["alpha"], 1, summary="first editor")

    payload = update(api, keys["alpha"], 1, summary="second editor")["data"]["updatePartnerProfile"]

    assert [(e["code"], e["field"]) for e in payload["errors"]] == [
        ("VERSION_CONFLICT", "expectedVersion")
    ]
    assert "version 2" in payload["errors"][0]["message"]
    assert payload["partner"]["version"] == 2
    assert payload["partner"]["summary"] == "first editor"
    assert stored(db).summary == "first editor"


@pytest.mark.parametrize("who", ["bravo", "acme", None])
def test_no_one_else_may_edit_a_profile(
    db: Database, api: GraphQLClient, keys: dict[str, str], who: str | None
) -> None:
    body = update(api, keys[who] if who else None, 1, summary="hijacked")

    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert stored(db).summary == "alpha-health summary"
    assert stored(db).version == 1


def test_an_admin_may_edit_any_profile_audited_as_itself(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    payload = update(api, keys["admin"], 1, summary="fixed by support")["data"]

    assert payload["updatePartnerProfile"]["partner"]["version"] == 2
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "partner.update")
        ).one()
    assert entry.actor == f"apikey:{keys['admin'].split('_')[1]}"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"website": "javascript:alert(1)"}, "website"),
        ({"website": "ftp://files.example"}, "website"),
        ({"headquartersCountry": "Germany"}, "headquartersCountry"),
        ({"summary": "x" * 301}, "summary"),
        ({"description": "x" * 20_001}, "description"),
        ({"hourlyRateMin": 200, "hourlyRateMax": 100}, "hourlyRateMax"),
        ({"hourlyRateMin": -1, "hourlyRateMax": 100}, "hourlyRateMin"),
        ({"minProjectBudget": -5}, "minProjectBudget"),
        ({"employeeBand": "huge"}, "employeeBand"),
        ({"foundedYear": 1492}, "foundedYear"),
        ({"languages": ["english"]}, "languages"),
        ({"partnerTypes": ["consulting"]}, "partnerTypes"),
    ],
)
def test_bad_profile_values_are_named_and_nothing_is_written(
    db: Database, api: GraphQLClient, keys: dict[str, str], fields: dict[str, Any], field: str
) -> None:
    payload = update(api, keys["alpha"], 1, **fields)["data"]["updatePartnerProfile"]

    assert payload["partner"] is None
    assert (field, "VALIDATION") in [(e["field"], e["code"]) for e in payload["errors"]]
    assert stored(db).version == 1


def test_offices_claims_certifications_and_references(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    key, slug = keys["alpha"], "alpha-health"
    office = {
        "city": "Berlin",
        "country": "DE",
        "latitude": 52.52,
        "longitude": 13.405,
        "isHeadquarters": True,
    }
    added = api.data(ADD_OFFICE, {"slug": slug, "version": 1, "input": office}, key=key)
    partner = added["addOffice"]["partner"]
    assert partner["version"] == 2
    assert partner["headquarters"] == {"city": "Berlin", "country": "DE"}

    bad = {**office, "latitude": 95.0, "country": "XX"}
    refused = api.data(ADD_OFFICE, {"slug": slug, "version": 2, "input": bad}, key=key)
    assert sorted(e["field"] for e in refused["addOffice"]["errors"]) == ["country", "latitude"]

    office_id = partner["offices"][0]["id"]
    removed = api.data(REMOVE_OFFICE, {"slug": slug, "version": 2, "id": office_id}, key=key)
    assert removed["removeOffice"]["partner"] == {"version": 3, "offices": []}

    claims = api.data(
        CLAIMS, {"slug": slug, "version": 3, "industries": ["energy", "retail"]}, key=key
    )["setPartnerClaims"]
    assert claims["partner"]["industries"] == [{"slug": "energy"}, {"slug": "retail"}]
    unknown = api.data(CLAIMS, {"slug": slug, "version": 4, "products": ["nope"]}, key=key)
    assert unknown["setPartnerClaims"]["errors"][0]["field"] == "products"

    cert = api.data(
        ADD_CERTIFICATION,
        {
            "slug": slug,
            "version": 4,
            "input": {"name": "Acme Gold", "vendor": "acme", "year": 2024},
        },
        key=key,
    )["addCertification"]["partner"]
    assert cert["certifications"][0]["vendor"] == {"slug": "acme"}

    ref = api.data(
        ADD_REFERENCE,
        {
            "slug": slug,
            "version": 5,
            "input": {"title": "Clinic rollout", "industry": "healthcare"},
        },
        key=key,
    )["addReference"]["partner"]
    assert ref["version"] == 6
    assert ref["references"][0]["industry"] == {"slug": "healthcare"}


def test_a_partner_cannot_touch_another_partners_office(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    office = {"city": "Oslo", "country": "NO", "latitude": 59.9, "longitude": 10.7}
    added = api.data(
        ADD_OFFICE, {"slug": "bravo-retail", "version": 1, "input": office}, key=keys["bravo"]
    )
    bravo_office = added["addOffice"]["partner"]["offices"][0]["id"]

    own_slug = api.data(
        REMOVE_OFFICE, {"slug": "alpha-health", "version": 1, "id": bravo_office}, key=keys["alpha"]
    )["removeOffice"]
    other_slug = api.error_codes(
        REMOVE_OFFICE, {"slug": "bravo-retail", "version": 2, "id": bravo_office}, key=keys["alpha"]
    )

    assert own_slug["errors"] == [{"field": "officeId", "code": "NOT_FOUND"}]
    assert other_slug == ["FORBIDDEN"]
    assert stored(db, "bravo-retail").version == 2


def test_a_partner_replies_once_to_its_own_reviews_and_never_changes_them(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    confirmed_by = keys["alpha"]
    responses(
        api,
        keys["acme"],
        "alpha-health",
        [6],
        partner_key=confirmed_by,
        comment="Slow start, good finish",
    )
    responses(api, keys["acme"], "alpha-health", [9, 9, 9, 9], partner_key=confirmed_by)
    [review] = api.data(REVIEWS, {"slug": "alpha-health"})["partner"]["reviews"]

    assert api.data(REPLY, {"id": review["id"], "body": "Thank you!"}, key=keys["alpha"]) == {
        "replyToReview": {"reply": {"body": "Thank you!"}, "errors": []}
    }
    api.data(REPLY, {"id": review["id"], "body": "Thank you, truly."}, key=keys["alpha"])
    assert api.error_codes(REPLY, {"id": review["id"], "body": "Ha"}, key=keys["bravo"]) == [
        "FORBIDDEN"
    ]

    [after] = api.data(REVIEWS, {"slug": "alpha-health"})["partner"]["reviews"]
    assert after["comment"] == "Slow start, good finish"
    assert after["reply"] == {"body": "Thank you, truly."}
    with db.session() as session:
        comments = select(SurveyResponse.comment).where(SurveyResponse.comment.is_not(None))
        assert session.scalars(comments).one() == "Slow start, good finish"


def test_two_editors_at_once_one_wins_the_other_is_told(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: the SQLite server takes requests one at a time")
    barrier = threading.Barrier(2)
    results: list[dict[str, Any]] = []

    def edit(summary: str) -> None:
        barrier.wait()
        results.append(update(api, keys["alpha"], 1, summary=summary))

    threads = [threading.Thread(target=edit, args=(text,)) for text in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(e["code"] for r in results for e in r["data"]["updatePartnerProfile"]["errors"])
    assert codes == ["VERSION_CONFLICT"]
    assert stored(db).version == 2
    assert stored(db).summary in ("one", "two")


UPDATE_READING_OFFICES = """
mutation Update($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version offices { city } metrics { responseCount } }
    errors { code }
  }
}
"""


def test_concurrent_edits_whose_answers_await_loaders_do_not_block_each_other(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: row locks held across a request's awaits")
    barrier = threading.Barrier(4)
    codes: list[str] = []

    def edit(number: int) -> None:
        barrier.wait()
        body = api.execute(
            UPDATE_READING_OFFICES,
            {"slug": "alpha-health", "version": 1, "input": {"summary": f"editor {number}"}},
            key=keys["alpha"],
        )
        codes.extend(e["code"] for e in body["data"]["updatePartnerProfile"]["errors"])

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert not any(thread.is_alive() for thread in threads), "requests hung on each other"
    assert codes == ["VERSION_CONFLICT"] * 3
    assert stored(db).version == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("languages", ["en", "de"]),
        ("partnerTypes", ["implementation", "support"]),
        ("capabilities", ["data_migration", "training"]),
    ],
)
def test_null_clears_a_list_field_stored_as_empty(
    db: Database, api: GraphQLClient, keys: dict[str, str], field: str, value: list[str]
) -> None:
    document = UPDATE.replace("partnerTypes description", "partnerTypes capabilities description")
    variables = {"slug": "alpha-health", "version": 1, "input": {field: value}}
    filled = api.data(document, variables, key=keys["alpha"])["updatePartnerProfile"]
    assert sorted(filled["partner"][field]) == sorted(value)

    variables = {"slug": "alpha-health", "version": 2, "input": {field: None}}
    cleared = api.data(document, variables, key=keys["alpha"])["updatePartnerProfile"]

    assert cleared["errors"] == []
    assert cleared["partner"]["version"] == 3
    assert cleared["partner"][field] == []
    column = {"partnerTypes": "partner_types"}.get(field, field)
    assert getattr(stored(db), column) == []  # empty, never NULL
