"""Pulse checks during an implementation (issue 22): send, answer, early warning, and the
partner's note, through the GraphQL endpoint; who sees what; bad answers change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from api.models import AuditEntry, PulseCheck
from api.models.base import utcnow
from api.services.apikeys import Caller
from api.services.engagement_notes import add_note
from api.services.engagements import EngagementDraft, record_engagement
from api.services.pulses import PulseAnswers, create_pulse_check, submit_pulse
from tests.databases import Database, count_statements
from tests.pulse_flow import (
    AT_RISK,
    ENGAGEMENT,
    NOTE,
    SEND,
    answer,
    in_progress,
    pulse,
    send,
)
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, record


def seen(api: GraphQLClient, key: str | None, engagement_id: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = api.data(ENGAGEMENT, {"id": engagement_id}, key=key)[
        "engagement"
    ]
    return found


def at_risk_ids(api: GraphQLClient, key: str) -> list[str]:
    page = api.data(AT_RISK, {}, key=key)["engagementsAtRisk"]
    assert page["totalCount"] == len(page["edges"])
    return [edge["node"]["id"] for edge in page["edges"]]


def test_a_worried_answer_puts_the_engagement_at_risk_for_its_vendor_and_partner(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: acme's engagement of alpha-health in progress, and a first calm answer
    engagement_id = in_progress(api, keys)
    pulse(api, keys, engagement_id, 8)
    before = seen(api, keys["acme"], engagement_id)
    assert before is not None
    assert before["pulse"] == {"latestConfidence": 8, "answers": 1, "atRisk": False, "risks": []}
    assert at_risk_ids(api, keys["acme"]) == []

    # when: the next answer is confident enough but names two risks
    pulse(api, keys, engagement_id, 7, risks=["staffing", "scope"], comment="Two leavers")

    # then: its vendor, its partner and an admin see it at risk; the risks in list order
    expected = {"latestConfidence": 7, "answers": 2, "atRisk": True, "risks": ["scope", "staffing"]}
    for key in ("acme", "alpha", "admin"):
        found = seen(api, keys[key], engagement_id)
        assert found is not None
        assert found["pulse"] == expected
        assert at_risk_ids(api, keys[key]) == [engagement_id]
    # and: another vendor, another partner see nothing; the public is refused
    for key in ("globex", "bravo"):
        assert seen(api, keys[key], engagement_id) is None
        assert at_risk_ids(api, keys[key]) == []
    assert api.error_codes(AT_RISK, {}) == ["FORBIDDEN"]
    assert api.error_codes(ENGAGEMENT, {"id": engagement_id}) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("answers", "at_risk"),
    [
        ([7], False),  # 7 is the lowest calm confidence
        ([6], True),  # 6 or below is a worry
        ([0], True),
        ([10, 8], False),  # fell 2 points
        ([10, 7], True),  # fell 3 points, though 7 alone would be calm
        ([9, 5, 8], False),  # recovered: the latest answer decides
        ([7, 7], False),
    ],
)
def test_at_risk_by_the_latest_answer_and_the_fall_since_the_previous(
    api: GraphQLClient, keys: dict[str, str], answers: list[int], at_risk: bool
) -> None:
    engagement_id = in_progress(api, keys)
    for confidence in answers:
        pulse(api, keys, engagement_id, confidence)

    found = seen(api, keys["acme"], engagement_id)
    assert found is not None
    assert found["pulse"]["atRisk"] is at_risk
    assert found["pulse"]["latestConfidence"] == answers[-1]
    assert at_risk_ids(api, keys["acme"]) == ([engagement_id] if at_risk else [])


def test_the_engagement_becomes_at_risk_once_per_worry(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    """engagement.at_risk is emitted (and audited) when an engagement turns at risk: its
    first worried answer, or one after a calm one; not again while it stays at risk."""
    engagement_id = in_progress(api, keys)

    def turned() -> int:
        with db.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(AuditEntry.action == "engagement.at_risk")
                )
                or 0
            )

    counts = []
    for confidence in (8, 5, 4, 9, 5):  # calm, worried, still worried, calm, worried again
        pulse(api, keys, engagement_id, confidence)
        counts.append(turned())

    assert counts == [0, 1, 1, 1, 2]


def test_the_partner_answers_with_a_note_its_vendor_reads(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: an engagement at risk
    engagement_id = in_progress(api, keys)
    pulse(api, keys, engagement_id, 4, risks=["schedule"])

    # when: its partner answers with a note
    body = api.data(
        NOTE,
        {"id": engagement_id, "note": "  Two more consultants from Monday. "},
        key=keys["alpha"],
    )["addEngagementNote"]

    # then: the vendor reads it among its engagements at risk
    assert body == {
        "note": {"note": "Two more consultants from Monday.", "author": "partner"},
        "errors": [],
    }
    page = api.data(AT_RISK, {}, key=keys["acme"])["engagementsAtRisk"]
    assert page["edges"][0]["node"]["notes"] == [{"note": "Two more consultants from Monday."}]
    # and: neither another partner, a vendor, nor the public can write one
    for key in (keys["bravo"], keys["acme"], keys["globex"], None):
        assert api.error_codes(NOTE, {"id": engagement_id, "note": "x"}, key=key) == ["FORBIDDEN"]
    # and: an empty note is refused naming the field
    empty = api.data(NOTE, {"id": engagement_id, "note": "   "}, key=keys["alpha"])
    assert [(e["field"], e["code"]) for e in empty["addEngagementNote"]["errors"]] == [
        ("note", "VALIDATION")
    ]
    found = seen(api, keys["acme"], engagement_id)
    assert found is not None
    assert found["notes"] == [{"note": "Two more consultants from Monday.", "author": "partner"}]


def test_only_its_vendor_or_an_admin_sends_a_pulse_check(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    engagement_id = in_progress(api, keys)
    variables = {"id": engagement_id, "email": "pm@mercy.example"}

    for key in (keys["globex"], keys["alpha"], keys["bravo"], None):
        assert api.error_codes(SEND, variables, key=key) == ["FORBIDDEN"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(PulseCheck)) == 0

    assert send(api, keys["admin"], engagement_id, "pm@mercy.example")
    token = send(api, keys["acme"], engagement_id, "cto@it.mercy.example")
    with db.session() as session:
        hashes = session.scalars(select(PulseCheck.token_hash)).all()
    assert len(hashes) == 2
    assert all(token not in stored for stored in hashes)


def send_errors(api: GraphQLClient, key: str, engagement_id: str, email: str) -> list[Any]:
    body = api.data(SEND, {"id": engagement_id, "email": email}, key=key)["createPulseCheck"]
    assert body["token"] is None
    return [(e["field"], e["code"]) for e in body["errors"]]


def test_a_pulse_check_goes_to_the_customer_of_an_agreed_engagement_in_progress(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    ongoing = in_progress(api, keys)
    completed = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))
    unconfirmed = record(
        api,
        keys["acme"],
        **engagement_input("alpha-health", status="in_progress", customerDomain="b.example"),
    )

    assert send_errors(api, keys["acme"], ongoing, "pm@elsewhere.example") == [
        ("email", "VALIDATION")
    ]
    assert send_errors(api, keys["acme"], ongoing, "not an address") == [("email", "VALIDATION")]
    assert send_errors(api, keys["acme"], completed, "pm@mercy.example") == [
        ("engagementId", "VALIDATION")
    ]
    assert send_errors(api, keys["acme"], unconfirmed, "pm@b.example") == [
        ("engagementId", "VALIDATION")
    ]
    assert send_errors(api, keys["acme"], "999999", "pm@mercy.example") == [
        ("engagementId", "NOT_FOUND")
    ]


def codes(body: dict[str, Any]) -> list[tuple[str, str]]:
    assert body["accepted"] is False
    return [(e["field"], e["code"]) for e in body["errors"]]


def test_bad_answers_and_bad_tokens_change_nothing(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    engagement_id = in_progress(api, keys)
    token = send(api, keys["acme"], engagement_id, "pm@mercy.example")

    assert codes(answer(api, token, 11)) == [("confidence", "VALIDATION")]
    assert codes(answer(api, token, -1)) == [("confidence", "VALIDATION")]
    assert codes(answer(api, token, 8, risks=["weather"])) == [("risks", "VALIDATION")]
    assert codes(answer(api, token, 8, comment="x" * 2001)) == [("comment", "VALIDATION")]
    assert codes(answer(api, "x" * 43, 8)) == [("token", "TOKEN_INVALID")]
    with db.session() as session:
        assert session.scalar(select(PulseCheck.used_at)) is None

    assert answer(api, token, 8) == {"accepted": True, "errors": []}
    assert codes(answer(api, token, 2, risks=["budget"])) == [("token", "TOKEN_USED")]

    late = send(api, keys["acme"], engagement_id, "cfo@mercy.example")
    with db.session() as session, session.begin():
        session.execute(
            update(PulseCheck)
            .where(PulseCheck.used_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert codes(answer(api, late, 2)) == [("token", "TOKEN_EXPIRED")]

    found = seen(api, keys["acme"], engagement_id)
    assert found is not None
    assert found["pulse"] == {"latestConfidence": 8, "answers": 1, "atRisk": False, "risks": []}


def test_pages_of_engagements_at_risk(api: GraphQLClient, keys: dict[str, str]) -> None:
    # given: three of acme's engagements turned at risk in this order, and a calm one
    ids = [in_progress(api, keys, f"c{n}.example") for n in range(4)]
    for number, engagement_id in enumerate(ids):
        token = send(api, keys["acme"], engagement_id, f"pm@c{number}.example")
        answer(api, token, 9 if number == 3 else 5)

    # when: acme reads them two at a time
    first = api.data(AT_RISK, {"first": 2}, key=keys["acme"])["engagementsAtRisk"]
    after = first["pageInfo"]["endCursor"]
    second = api.data(AT_RISK, {"first": 2, "after": after}, key=keys["acme"])["engagementsAtRisk"]

    # then: the latest answer first, three in all
    assert first["totalCount"] == second["totalCount"] == 3
    assert [e["node"]["id"] for e in first["edges"] + second["edges"]] == ids[2::-1]
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False


def test_a_page_larger_than_100_is_refused(api: GraphQLClient, keys: dict[str, str]) -> None:
    body = api.execute(AT_RISK, {"first": 101}, key=keys["acme"])
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_a_page_of_engagements_at_risk_costs_the_same_statements_at_any_size(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: six of acme's engagements at risk, each with a partner's note
    admin = Caller(role="admin", source="test")
    with db.session() as session, session.begin():
        for number in range(6):
            draft = EngagementDraft(
                partner_slug="alpha-health",
                vendor_slug="acme",
                customer_name="Customer",
                customer_domain=f"q{number}.example",
                industry="healthcare",
                status="in_progress",
            )
            engagement = record_engagement(session=session, caller=admin, draft=draft)
            _, token = create_pulse_check(
                session=session,
                caller=admin,
                engagement_id=engagement.id,
                email=f"pm@q{number}.example",
            )
            submit_pulse(session=session, token=token, answers=PulseAnswers(3))
            add_note(session=session, caller=admin, engagement_id=engagement.id, note="On it.")

    counts = {}
    for first in (1, 6):
        with count_statements(db.engine) as statements:
            page = api.data(AT_RISK, {"first": first}, key=keys["acme"])["engagementsAtRisk"]
        assert len(page["edges"]) == first
        assert page["edges"][0]["node"]["notes"] == [{"note": "On it."}]
        counts[first] = len(statements)

    # the key (on PostgreSQL it also sets the request's statement_timeout), the total, the
    # page, then one query for the pulses and one for the notes of every engagement on it.
    expected = 5
    assert counts == {1: expected, 6: expected}
