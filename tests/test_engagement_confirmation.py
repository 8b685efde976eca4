"""Figures cannot be manufactured by one key: an engagement's answers count only once both
sides agreed it happened (issue 18, item 5)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from api.models import Engagement, SurveyInvitation, SurveyResponse
from api.services.figures_rebuild import rebuild
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import (
    CONFIRM,
    DISPUTE,
    INVITE,
    RECORD,
    confirm,
    engagement_input,
    invite,
    record,
    submit,
)

PUBLIC = """
query Public($slug: String!) {
  partner(slug: $slug) {
    metrics {
      responseCount invitationCount responseRate engagementsCovered
      nps { value n } npsWithheldReason rankingScore evidenceTier publishedAt
    }
  }
}
"""
LIVE = """query Live($slug: String!) { partner(slug: $slug) { metrics { responseCount } } }"""
PROPOSE = """
mutation Propose($input: EngagementInput!) {
  proposeEngagement(input: $input) { engagement { id confirmed } errors { code } }
}
"""
DISPUTES = """
{ disputedEngagements {
    engagement { id confirmed disputed disputeReason recordedBy }
    partnerSlug vendorSlug customerDomain disputedOn
} }
"""
REASON = "We never worked for this customer."


def recorded(api: GraphQLClient, key: str, partner: str, **values: Any) -> dict[str, Any]:
    payload: dict[str, Any] = api.data(
        RECORD, {"input": engagement_input(partner, **values)}, key=key
    )["recordEngagement"]
    assert payload["errors"] == [], payload
    return payload


def invite_errors(api: GraphQLClient, key: str, engagement_id: str, email: str) -> list[str]:
    body = api.data(INVITE, {"id": engagement_id, "email": email}, key=key)
    return [e["message"] for e in body["createSurveyInvitation"]["errors"]]


def test_a_vendor_alone_cannot_move_a_strangers_figures(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: globex has no tie to bravo-retail, whose figures are withheld (no answers)
    before = api.data(PUBLIC, {"slug": "bravo-retail"})

    # when: globex records a completed engagement with bravo-retail, at a customer domain
    # of its own choosing, invites itself five times and answers 0 each time
    domain = "made-up.example"
    engagement = recorded(
        api, keys["globex"], "bravo-retail", customerDomain=domain, industry="retail", products=[]
    )["engagement"]
    for person in range(5):
        body = api.data(
            INVITE, {"id": engagement["id"], "email": f"me{person}@{domain}"}, key=keys["globex"]
        )["createSurveyInvitation"]
        if body["token"] is not None:
            submit(api, body["token"], likelihoodToRecommend=0)

    # then: the engagement waits for bravo-retail; no invitation, no answer, nothing public
    assert engagement["confirmed"] is False
    assert invite_errors(api, keys["globex"], engagement["id"], f"me@{domain}") == [
        "the partner has not confirmed this engagement"
    ]
    assert api.data(PUBLIC, {"slug": "bravo-retail"}) == before
    assert before["partner"]["metrics"]["nps"] is None
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SurveyInvitation)) == 0
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_once_the_partner_confirms_the_vendor_invites_and_the_answers_count(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: acme recorded an engagement of alpha-health, which alpha-health confirms
    engagement_id = record(api, keys["acme"], **engagement_input("alpha-health"))
    assert invite_errors(api, keys["acme"], engagement_id, "a@mercy.example") == [
        "the partner has not confirmed this engagement"
    ]
    confirm(api, keys["alpha"], engagement_id)

    # when: five people at the customer answer 9, 9, 10, 10 and 6
    for number, score in enumerate([9, 9, 10, 10, 6]):
        token = invite(api, keys["acme"], engagement_id, f"p{number}@mercy.example")
        assert submit(api, token, likelihoodToRecommend=score)["accepted"] is True

    # then: they are published: 4 promoters, 1 detractor of 5 -> NPS 60
    metrics = api.data(PUBLIC, {"slug": "alpha-health"})["partner"]["metrics"]
    assert metrics["responseCount"] == 5
    assert metrics["nps"] == {"value": 60.0, "n": 5}


def test_the_side_that_recorded_an_engagement_cannot_confirm_it(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: acme's record, and alpha-health's proposal for acme
    by_vendor = record(api, keys["acme"], **engagement_input("alpha-health"))
    proposal = api.data(
        PROPOSE,
        {"input": engagement_input("alpha-health", vendorSlug="acme", customerDomain="b.example")},
        key=keys["alpha"],
    )["proposeEngagement"]["engagement"]["id"]

    # then: neither its recorder, another partner, another vendor nor the public confirms
    for engagement_id, key in [
        (by_vendor, keys["acme"]),  # its own record
        (by_vendor, keys["bravo"]),  # another partner's engagement
        (by_vendor, keys["globex"]),
        (proposal, keys["alpha"]),  # its own proposal
        (proposal, keys["globex"]),  # another vendor's
        (proposal, keys["bravo"]),
    ]:
        for document, variables in [
            (CONFIRM, {"id": engagement_id}),
            (DISPUTE, {"id": engagement_id, "reason": REASON}),
        ]:
            assert api.error_codes(document, variables, key=key) == ["FORBIDDEN"]
    assert api.error_codes(CONFIRM, {"id": by_vendor}) in (["FORBIDDEN"], ["UNAUTHENTICATED"])
    with db.session() as session:
        rows = session.execute(
            select(Engagement.confirmed, Engagement.disputed_at).order_by(Engagement.id)
        ).all()
    assert [tuple(row) for row in rows] == [(False, None), (False, None)]

    # when: the other side of each confirms
    confirm(api, keys["alpha"], by_vendor)
    confirm(api, keys["acme"], proposal)

    # then: both are confirmed
    with db.session() as session:
        assert session.scalars(select(Engagement.confirmed)).all() == [True, True]


def test_a_disputed_engagement_never_counts_until_an_admin_confirms_it(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: acme records an engagement alpha-health says never happened
    engagement_id = record(api, keys["acme"], **engagement_input("alpha-health"))

    # when: alpha-health disputes it
    disputed = api.data(
        DISPUTE, {"id": engagement_id, "reason": f"  {REASON} "}, key=keys["alpha"]
    )["disputeEngagement"]

    # then: it is disputed with the reason, cannot be invited, and the partner cannot change
    # its mind on its own
    assert disputed == {
        "engagement": {
            "id": engagement_id,
            "confirmed": False,
            "disputed": True,
            "disputeReason": REASON,
        },
        "errors": [],
    }
    assert invite_errors(api, keys["acme"], engagement_id, "a@mercy.example") == [
        "this engagement is disputed: it never counts"
    ]
    again = api.data(CONFIRM, {"id": engagement_id}, key=keys["alpha"])["confirmEngagement"]
    assert [e["code"] for e in again["errors"]] == ["DISPUTED"]
    twice = api.data(DISPUTE, {"id": engagement_id, "reason": REASON}, key=keys["alpha"])
    assert [e["code"] for e in twice["disputeEngagement"]["errors"]] == ["ALREADY_DISPUTED"]

    # and: admins, only they, see it among the disputed engagements
    [listed] = api.data(DISPUTES, key=keys["admin"])["disputedEngagements"]
    assert listed["engagement"] == {
        "id": engagement_id,
        "confirmed": False,
        "disputed": True,
        "disputeReason": REASON,
        "recordedBy": "vendor",
    }
    assert (listed["partnerSlug"], listed["vendorSlug"], listed["customerDomain"]) == (
        "alpha-health",
        "acme",
        "mercy.example",
    )
    for key in (keys["acme"], keys["alpha"], None):
        assert api.error_codes(DISPUTES, key=key) in (["FORBIDDEN"], ["UNAUTHENTICATED"])

    # when: an admin overrules the dispute
    confirm(api, keys["admin"], engagement_id)

    # then: it is off the list and its customers can be invited
    assert api.data(DISPUTES, key=keys["admin"])["disputedEngagements"] == []
    assert invite(api, keys["acme"], engagement_id, "a@mercy.example")


def test_a_dispute_needs_a_reason_and_comes_before_the_confirmation(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    engagement_id = record(api, keys["acme"], **engagement_input("alpha-health"))

    short = api.data(DISPUTE, {"id": engagement_id, "reason": "  no "}, key=keys["alpha"])
    long = api.data(DISPUTE, {"id": engagement_id, "reason": "x" * 1001}, key=keys["alpha"])
    confirm(api, keys["alpha"], engagement_id)
    late = api.data(DISPUTE, {"id": engagement_id, "reason": REASON}, key=keys["alpha"])

    assert [(e["field"], e["code"]) for e in short["disputeEngagement"]["errors"]] == [
        ("reason", "VALIDATION")
    ]
    assert [(e["field"], e["code"]) for e in long["disputeEngagement"]["errors"]] == [
        ("reason", "VALIDATION")
    ]
    # A partner cannot take back answers it dislikes: once confirmed, only a void does.
    assert [e["code"] for e in late["disputeEngagement"]["errors"]] == ["ALREADY_CONFIRMED"]


def test_an_admins_record_counts_at_once(api: GraphQLClient, keys: dict[str, str]) -> None:
    payload = recorded(api, keys["admin"], "alpha-health", vendorSlug="acme")

    assert payload["engagement"]["confirmed"] is True
    assert invite(api, keys["acme"], payload["engagement"]["id"], "a@mercy.example")


def test_no_answer_counts_for_an_engagement_the_other_side_has_not_confirmed(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    """Rows written before the rule (or by any path that skips it) count nowhere: a link
    answered later is refused, and a figures rebuild leaves their answers out."""
    # given: five answers to an engagement both sides agreed
    agreed = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))
    for number in range(5):
        token = invite(api, keys["acme"], agreed, f"p{number}@mercy.example")
        assert submit(api, token, likelihoodToRecommend=10)["accepted"] is True
    # and: a link and an answer to an engagement that is, in the database, unconfirmed
    values = engagement_input("alpha-health", customerDomain="doubt.example")
    doubtful = record(api, keys["acme"], keys["alpha"], **values)
    pending = invite(api, keys["acme"], doubtful, "a@doubt.example")
    answered = invite(api, keys["acme"], doubtful, "b@doubt.example")
    assert submit(api, answered, likelihoodToRecommend=0)["accepted"] is True
    with db.session() as session, session.begin():
        session.execute(
            update(Engagement).where(Engagement.id == int(doubtful)).values(confirmed=False)
        )

    # when: the pending link is answered, and the figures are rebuilt
    refused = submit(api, pending, likelihoodToRecommend=0)
    with db.session() as session, session.begin():
        summary = rebuild(session=session)

    # then: the answer is refused, and only the five agreed answers count (all 10s)
    assert [e["code"] for e in refused["errors"]] == ["TOKEN_INVALID"]
    assert summary.responses == 5
    live = api.data(LIVE, {"slug": "alpha-health"}, key=keys["admin"])
    assert live["partner"]["metrics"]["responseCount"] == 5
