"""The verification chain over GraphQL: engagements, invitations, single-use answers."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from api.models import SurveyInvitation, SurveyResponse
from api.models.base import utcnow
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import (
    INVITE,
    RECORD,
    engagement_input,
    invite,
    record,
    responses,
    submit,
)

METRICS = """
query Metrics($slug: String!) {
  partner(slug: $slug) {
    metrics {
      responseCount invitationCount responseRate engagementsCovered latestResponseAt
      nps { value low high n } npsWithheldReason
      vendorNps { value n }
      ratings { name mean n withheldReason }
      outcomes { name share n withheldReason }
      rankingScore evidenceTier publishedAt
      byIndustry { industry { slug } figures { responseCount nps { value } } }
      byProduct { product { slug } figures { responseCount } }
      trend { quarter figures { responseCount } }
    }
    reviews { comment anonymous respondentName respondentTitle company industry }
  }
}
"""


def test_a_vendor_records_invites_and_a_respondent_answers_once(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    engagement_id = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))
    token = invite(api, keys["acme"], engagement_id, "cio@mercy.example")

    first = submit(api, token, likelihoodToRecommend=9, comment="Great team")
    again = submit(api, token, likelihoodToRecommend=0)

    assert first == {"accepted": True, "errors": []}
    assert again["accepted"] is False
    assert [e["code"] for e in again["errors"]] == ["TOKEN_USED"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
        stored = session.scalar(select(SurveyInvitation.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored


def test_forged_and_expired_tokens_change_nothing(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    engagement_id = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))
    token = invite(api, keys["acme"], engagement_id, "cio@mercy.example")
    with db.session() as session, session.begin():
        session.execute(update(SurveyInvitation).values(expires_at=utcnow() - timedelta(seconds=1)))

    forged = submit(api, "x" * 43, likelihoodToRecommend=10)
    expired = submit(api, token, likelihoodToRecommend=10)

    assert [e["code"] for e in forged["errors"]] == ["TOKEN_INVALID"]
    assert [e["code"] for e in expired["errors"]] == ["TOKEN_EXPIRED"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
        assert session.scalar(select(SurveyInvitation.used_at)) is None


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"likelihoodToRecommend": 11}, "likelihoodToRecommend"),
        ({"likelihoodToRecommend": -1}, "likelihoodToRecommend"),
        ({"likelihoodToRecommend": 5, "ratingQuality": 6}, "ratingQuality"),
        (
            {"likelihoodToRecommend": 5, "vendorLikelihoodToRecommend": 12},
            "vendorLikelihoodToRecommend",
        ),
        ({"likelihoodToRecommend": 5, "selectionReason": "bribe"}, "selectionReason"),
        ({"likelihoodToRecommend": 5, "comment": "x" * 4001}, "comment"),
    ],
)
def test_bad_answers_are_named_and_do_not_burn_the_token(
    db: Database, api: GraphQLClient, keys: dict[str, str], answers: dict[str, object], field: str
) -> None:
    engagement_id = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))
    token = invite(api, keys["acme"], engagement_id, "cio@mercy.example")

    result = submit(api, token, **answers)

    assert result["accepted"] is False
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, "VALIDATION")]
    assert submit(api, token, likelihoodToRecommend=7)["accepted"] is True


def test_invitations_only_for_completed_confirmed_engagements_on_the_customer_domain(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    running = record(
        api, keys["acme"], keys["alpha"], **engagement_input("alpha-health", status="in_progress")
    )
    done = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))

    def errors(engagement_id: str, email: str, key: str) -> list[tuple[str, str]]:
        body = api.data(INVITE, {"id": engagement_id, "email": email}, key=key)
        return [(e["field"], e["code"]) for e in body["createSurveyInvitation"]["errors"]]

    assert errors(running, "a@mercy.example", keys["acme"]) == [("engagementId", "VALIDATION")]
    assert errors(done, "a@gmail.example", keys["acme"]) == [("email", "VALIDATION")]
    assert errors(done, "not an email", keys["acme"]) == [("email", "VALIDATION")]
    assert errors("999999", "a@mercy.example", keys["acme"]) == [("engagementId", "NOT_FOUND")]
    assert errors(done, "a@it.mercy.example", keys["acme"]) == []
    assert errors(done, "A@IT.mercy.example", keys["acme"]) == [("email", "VALIDATION")]  # again


def test_partners_cannot_invite_and_vendors_only_their_own(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    engagement_id = record(api, keys["acme"], keys["alpha"], **engagement_input("alpha-health"))
    variables = {"id": engagement_id, "email": "a@mercy.example"}

    assert api.error_codes(INVITE, variables, key=keys["alpha"]) == ["FORBIDDEN"]
    assert api.error_codes(INVITE, variables) == ["FORBIDDEN"]
    assert api.error_codes(INVITE, variables, key=keys["globex"]) == ["FORBIDDEN"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(SurveyInvitation)) == 0


def test_a_vendor_records_only_for_itself_and_a_partner_proposal_waits_for_confirmation(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    other = {"input": engagement_input("alpha-health", vendorSlug="globex", products=[])}
    assert api.error_codes(RECORD, other, key=keys["acme"]) == ["FORBIDDEN"]
    assert api.error_codes(RECORD, other, key=keys["alpha"]) == ["FORBIDDEN"]

    proposal = api.data(
        """mutation($input: EngagementInput!) { proposeEngagement(input: $input) {
             engagement { id confirmed } errors { code } } }""",
        {"input": engagement_input("alpha-health", vendorSlug="acme")},
        key=keys["alpha"],
    )["proposeEngagement"]
    assert proposal["engagement"]["confirmed"] is False
    engagement_id = proposal["engagement"]["id"]
    refused = api.data(INVITE, {"id": engagement_id, "email": "a@mercy.example"}, key=keys["acme"])
    assert refused["createSurveyInvitation"]["errors"][0]["message"] == (
        "the vendor has not confirmed this engagement"
    )

    confirm = """mutation($id: ID!) { confirmEngagement(engagementId: $id) {
                   engagement { confirmed } errors { code } } }"""
    assert api.error_codes(confirm, {"id": engagement_id}, key=keys["globex"]) == ["FORBIDDEN"]
    confirmed = api.data(confirm, {"id": engagement_id}, key=keys["acme"])["confirmEngagement"]
    assert confirmed == {"engagement": {"confirmed": True}, "errors": []}
    assert invite(api, keys["acme"], engagement_id, "a@mercy.example")


def test_engagement_validation_names_each_field(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    bad = engagement_input(
        "nobody",
        customerDomain="not a domain",
        industry="space",
        products=["globex-erp"],
        status="done",
        selectionReason="luck",
        customerCountry="XX",
        budget=-5,
    )
    payload = api.data(RECORD, {"input": bad}, key=keys["acme"])["recordEngagement"]

    assert payload["engagement"] is None
    assert sorted(e["field"] for e in payload["errors"]) == [
        "budget",
        "customerCountry",
        "customerDomain",
        "industry",
        "partnerSlug",
        "products",
        "selectionReason",
        "status",
    ]


def test_figures_appear_only_from_five_responses_and_follow_the_answers(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    responses(
        api,
        keys["acme"],
        "alpha-health",
        [10, 9, 8, 3],
        partner_key=keys["alpha"],
        ratingOverall=4,
        wentLive=True,
    )

    # Nothing is published before 5 answers: the public sees none; an operator sees 4.
    public = api.data(METRICS, {"slug": "alpha-health"})["partner"]["metrics"]
    assert public["responseCount"] == 0
    assert public["nps"] is None
    assert public["npsWithheldReason"] == "fewer than 5 responses (0)"
    assert public["publishedAt"] is None
    four = api.data(METRICS, {"slug": "alpha-health"}, key=keys["admin"])["partner"]["metrics"]
    assert four["responseCount"] == 4
    assert four["nps"] is None
    assert four["npsWithheldReason"] == "fewer than 5 responses (4)"
    assert four["ratings"][0] == {
        "name": "overall",
        "mean": None,
        "n": 4,
        "withheldReason": "fewer than 5 responses (4)",
    }
    assert four["evidenceTier"] == "NOT_ENOUGH_EVIDENCE"

    responses(
        api,
        keys["acme"],
        "alpha-health",
        [10],
        partner_key=keys["alpha"],
        ratingOverall=2,
        wentLive=False,
        comment="Went well",
        anonymous=False,
        respondentName="Ann Lee",
        respondentTitle="CIO",
    )

    five = api.data(METRICS, {"slug": "alpha-health"})["partner"]
    metrics = five["metrics"]
    # promoters 10, 9, 10 = 3; detractors 3 = 1; n = 5 -> NPS = 100 * (3 - 1) / 5 = 40
    assert metrics["nps"]["value"] == pytest.approx(40.0)
    assert metrics["nps"]["n"] == 5
    # Adjusted Wald: p_P = (3 + 0.75) / (5 + 3), p_D = (1 + 0.75) / (5 + 3), centre 25
    p_p, p_d = (3 + 0.75) / (5 + 3), (1 + 0.75) / (5 + 3)
    centre = 100 * (p_p - p_d)
    half = 1.96 * 100 * ((p_p + p_d - (p_p - p_d) ** 2) / (5 + 3)) ** 0.5
    assert metrics["nps"]["low"] == pytest.approx(max(-100.0, centre - half))  # -29.78
    assert metrics["nps"]["high"] == pytest.approx(min(100.0, centre + half))  # 79.78
    assert metrics["ratings"][0] == {
        "name": "overall",
        "mean": pytest.approx((4 * 4 + 2) / 5),
        "n": 5,
        "withheldReason": None,
    }
    assert metrics["outcomes"][0] == {
        "name": "went_live",
        "share": pytest.approx(4 / 5),
        "n": 5,
        "withheldReason": None,
    }
    assert metrics["invitationCount"] == 5
    assert metrics["responseRate"] == pytest.approx(1.0)
    assert metrics["engagementsCovered"] == 2
    # The market is this one partner, so its NPS is the market NPS: the score equals it.
    assert metrics["rankingScore"] == pytest.approx(40.0)
    assert metrics["evidenceTier"] == "EMERGING"
    assert metrics["byIndustry"] == [
        {
            "industry": {"slug": "healthcare"},
            "figures": {"responseCount": 5, "nps": {"value": pytest.approx(40.0)}},
        }
    ]
    assert metrics["byProduct"] == [
        {"product": {"slug": "acme-crm"}, "figures": {"responseCount": 5}}
    ]
    assert [q["figures"]["responseCount"] for q in metrics["trend"]] == [5]
    assert five["reviews"] == [
        {
            "comment": "Went well",
            "anonymous": False,
            "respondentName": "Ann Lee",
            "respondentTitle": "CIO",
            "company": "Mercy Hospital",
            "industry": "Healthcare",
        }
    ]


def test_an_anonymous_review_never_shows_who(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    responses(
        api,
        keys["acme"],
        "alpha-health",
        [9, 9, 9, 9, 9],  # reviews are shown once published, at 5 answers
        partner_key=keys["alpha"],
        comment="Solid",
        anonymous=True,
        respondentName="Bob Secret",
        respondentTitle="CTO",
    )

    reviews = api.data(METRICS, {"slug": "alpha-health"})["partner"]["reviews"]

    assert len(reviews) == 5
    for review in reviews:
        assert review["comment"] == "Solid"
        assert review["respondentName"] is None
        assert review["respondentTitle"] is None
        assert review["company"] is None
        assert "Bob Secret" not in str(review)
