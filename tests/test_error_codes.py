"""Closed vocabularies are GraphQL enums (issue 21, item 4): `UserError.code` is an
`ErrorCode`, every code the services emit is one of its members and reaches clients as the
same string it always was; partner types, capabilities and selection reasons likewise."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from api.errors import DomainError, ErrorCode, FieldProblem
from api.models import Partner, SurveyInvitation, SurveyResponse
from api.models.base import utcnow
from api.schema import schema
from api.vocabulary import CAPABILITIES, PARTNER_TYPES, SELECTION_REASONS
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import CONFIRM, DISPUTE, engagement_input, invite, record, submit

API = Path(__file__).resolve().parent.parent / "api"
EMITTED = re.compile(r'\bcode=(?:ErrorCode\.([A-Z_]+)|"([A-Z_]+)")')

ENUM = """
query Enum($name: String!) { __type(name: $name) { kind enumValues { name description } } }
"""
FIELD_TYPES = """
query Fields($name: String!) {
  __type(name: $name) {
    fields { name type { kind name ofType { kind name ofType { name ofType { name } } } } }
  }
}
"""
UPDATE = """
mutation Update($slug: String!, $version: Int!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: {summary: "x"}) {
    errors { field message code }
  }
}
"""
VOID = """
mutation Void($id: ID!) {
  voidSurveyResponse(responseId: $id, reason: "a duplicate, fraud") {
    voided errors { field message code }
  }
}
"""
REASON = "We never worked for this customer."


def introspect(document: str, name: str) -> dict[str, Any]:
    result = schema.execute_sync(document, variable_values={"name": name})
    assert result.errors is None, result.errors
    assert result.data is not None
    found: dict[str, Any] = result.data["__type"]
    return found


def enum_values(name: str) -> list[str]:
    found = introspect(ENUM, name)
    assert found["kind"] == "ENUM", found
    return [value["name"] for value in found["enumValues"]]


def named_type(type_ref: dict[str, Any]) -> str:
    while type_ref.get("ofType"):
        type_ref = type_ref["ofType"]
    name: str = type_ref["name"]
    return name


def field_type(type_name: str, field: str) -> str:
    fields = introspect(FIELD_TYPES, type_name)["fields"]
    return next(named_type(f["type"]) for f in fields if f["name"] == field)


def test_error_code_is_an_enum_of_every_code_and_user_error_code_is_one() -> None:
    assert enum_values("ErrorCode") == [code.value for code in ErrorCode]
    assert {"VALIDATION", "NOT_FOUND", "VERSION_CONFLICT"} <= set(enum_values("ErrorCode"))
    assert {"TOKEN_USED", "TOKEN_EXPIRED", "TOKEN_INVALID"} <= set(enum_values("ErrorCode"))
    meanings = {v["name"]: v["description"] for v in introspect(ENUM, "ErrorCode")["enumValues"]}
    assert meanings["VERSION_CONFLICT"] == (
        "expectedVersion is not the current version: read it again."
    )
    assert [name for name, meaning in meanings.items() if not meaning] == []
    [code] = [f for f in introspect(FIELD_TYPES, "UserError")["fields"] if f["name"] == "code"]
    assert code["type"] == {
        "kind": "NON_NULL",
        "name": None,
        "ofType": {"kind": "ENUM", "name": "ErrorCode", "ofType": None},
    }


def test_the_vocabularies_are_enums_whose_values_are_the_stored_strings() -> None:
    assert enum_values("PartnerType") == list(PARTNER_TYPES)
    assert enum_values("Capability") == list(CAPABILITIES)
    assert enum_values("SelectionReason") == list(SELECTION_REASONS)
    assert field_type("Partner", "partnerTypes") == "PartnerType"
    assert field_type("Partner", "capabilities") == "Capability"
    assert field_type("Engagement", "selectionReason") == "SelectionReason"
    assert field_type("ReasonFigures", "reason") == "SelectionReason"
    # The fields the contract spells as strings stay strings.
    assert field_type("Engagement", "status") == "String"
    assert field_type("Viewer", "role") == "String"


def emitted_codes() -> set[str]:
    """Every code the domain below the schema gives an expected failure, as written (the
    schema's own codes are refusals: `extensions.code` of a GraphQL error)."""
    found = set()
    for path in API.rglob("*.py"):
        if API / "schema" not in path.parents:
            found.update(member or literal for member, literal in EMITTED.findall(path.read_text()))
    return found


def test_every_code_a_service_emits_is_a_member_and_every_member_is_emitted() -> None:
    default = FieldProblem("field", "message").code  # what a problem without a code has

    assert emitted_codes() | {default} == {code.value for code in ErrorCode}


def test_a_code_given_as_its_string_is_the_member_and_any_other_string_raises() -> None:
    assert DomainError.one("slug", "no such partner", code="NOT_FOUND").problems[0].code is (
        ErrorCode.NOT_FOUND
    )
    assert FieldProblem("slug", "bad").code is ErrorCode.VALIDATION
    with pytest.raises(ValueError, match="NO_SUCH_CODE"):
        DomainError.one("slug", "no such partner", code="NO_SUCH_CODE")


def codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(error["field"], error["code"]) for error in payload["errors"]]


def test_every_error_code_reaches_the_client_as_the_same_string(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    seen: list[tuple[str | None, str]] = []
    alpha, acme, admin = keys["alpha"], keys["acme"], keys["admin"]

    # VALIDATION, ALREADY_CONFIRMED: a dispute without a reason, then one after confirming
    confirmed = record(api, acme, **engagement_input("alpha-health"))
    seen += codes(
        api.data(DISPUTE, {"id": confirmed, "reason": "no"}, key=alpha)["disputeEngagement"]
    )
    api.data(CONFIRM, {"id": confirmed}, key=alpha)
    late = api.data(DISPUTE, {"id": confirmed, "reason": REASON}, key=alpha)
    seen += codes(late["disputeEngagement"])

    # DISPUTED, ALREADY_DISPUTED: the partner confirms what it refused, refuses it again
    refused = record(
        api, acme, **engagement_input("alpha-health", customerDomain="refused.example")
    )
    api.data(DISPUTE, {"id": refused, "reason": REASON}, key=alpha)
    seen += codes(api.data(CONFIRM, {"id": refused}, key=alpha)["confirmEngagement"])
    twice = api.data(DISPUTE, {"id": refused, "reason": REASON}, key=alpha)
    seen += codes(twice["disputeEngagement"])

    # NOT_FOUND, VERSION_CONFLICT
    seen += codes(api.data(CONFIRM, {"id": "999999"}, key=admin)["confirmEngagement"])
    stale = api.data(UPDATE, {"slug": "alpha-health", "version": 999}, key=admin)
    seen += codes(stale["updatePartnerProfile"])

    # TOKEN_INVALID, TOKEN_USED, TOKEN_EXPIRED
    seen += codes(submit(api, "x" * 43, likelihoodToRecommend=9))
    used = invite(api, acme, confirmed, "cio@mercy.example")
    assert submit(api, used, likelihoodToRecommend=9)["accepted"] is True
    seen += codes(submit(api, used, likelihoodToRecommend=9))
    expired = invite(api, acme, confirmed, "cfo@mercy.example")
    with db.session() as session, session.begin():
        session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.used_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    seen += codes(submit(api, expired, likelihoodToRecommend=9))

    # ALREADY_VOID
    with db.session() as session:
        response_id = session.scalars(select(SurveyResponse.id)).one()
    assert api.data(VOID, {"id": str(response_id)}, key=admin)["voidSurveyResponse"]["voided"]
    seen += codes(api.data(VOID, {"id": str(response_id)}, key=admin)["voidSurveyResponse"])

    assert seen == [
        ("reason", "VALIDATION"),
        ("engagementId", "ALREADY_CONFIRMED"),
        ("engagementId", "DISPUTED"),
        ("engagementId", "ALREADY_DISPUTED"),
        ("engagementId", "NOT_FOUND"),
        ("expectedVersion", "VERSION_CONFLICT"),
        ("token", "TOKEN_INVALID"),
        ("token", "TOKEN_USED"),
        ("token", "TOKEN_EXPIRED"),
        ("responseId", "ALREADY_VOID"),
    ]


def test_the_enums_go_out_as_the_strings_stored(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    with db.session() as session, session.begin():
        session.execute(update(Partner).values(capabilities=["data_migration", "training"]))
    engagement = record(api, keys["admin"], **engagement_input("alpha-health"))
    shown = api.data(
        'query { partner(slug: "alpha-health") { partnerTypes capabilities } '
        "marketInsights { bySelectionReason { reason } } }"
    )
    recorded = api.data(
        "mutation C($id: ID!) { confirmEngagement(engagementId: $id) "
        "{ engagement { selectionReason } } }",
        {"id": engagement},
        key=keys["admin"],
    )

    assert recorded["confirmEngagement"]["engagement"] == {"selectionReason": "peer_referral"}
    reasons = [row["reason"] for row in shown["marketInsights"]["bySelectionReason"]]
    assert reasons == list(SELECTION_REASONS)
    assert shown["partner"] == {
        "partnerTypes": ["implementation"],
        "capabilities": ["data_migration", "training"],
    }
