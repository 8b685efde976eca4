"""Voiding a response through GraphQL, and the market insights by selection reason.

DESIGN.md: "An operator can void a response, with a reason that is kept in the audit log;
figures are then recomputed", and "Market insights: outcomes and NPS by selection reason
(the eleven reasons below), across all partners". Every expected figure is worked out
by hand below, from the answers the respondents gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from api.models import AuditEntry, SurveyResponse
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, invite, record, submit

VOID = """
mutation Void($id: ID!, $reason: String!) {
  voidSurveyResponse(responseId: $id, reason: $reason) { voided errors { field message code } }
}
"""

PARTNER_FIGURES = """
query Figures($slug: String!) {
  partner(slug: $slug) {
    metrics {
      responseCount engagementsCovered invitationCount
      nps { value n }
      outcomes { name share n }
    }
  }
}
"""

INSIGHTS = """
query {
  marketInsights {
    overall { responseCount nps { value } }
    bySelectionReason {
      reason
      figures { responseCount nps { value } outcomes { name share } }
    }
  }
}
"""

# DESIGN.md's eleven selection reasons, in its order.
DESIGN_REASONS = [
    "vendor_recommended",
    "lowest_price",
    "closest_office",
    "prior_relationship",
    "peer_referral",
    "industry_expertise",
    "product_expertise",
    "rfp_evaluation",
    "analyst_ranking",
    "directory_search",
    "other",
]

# (partner, engagement's selection reason, [(likelihood, the respondent's extra answers)])
ENGAGEMENTS: list[tuple[str, str | None, list[tuple[int, dict[str, Any]]]]] = [
    (
        "alpha-health",
        "vendor_recommended",
        [
            (0, {"wentLive": False}),  # <- the response the admin voids
            (3, {"wentLive": False}),
            (6, {"wentLive": True}),
            (7, {"wentLive": False}),
            (9, {"wentLive": True}),
            (10, {"wentLive": True}),
        ],
    ),
    (
        "alpha-health",
        "peer_referral",
        [
            (10, {}),
            (10, {}),
            (9, {}),
            (8, {}),
            (6, {}),
            (10, {"selectionReason": "directory_search"}),  # the respondent's reason wins
        ],
    ),
    (
        "bravo-retail",
        None,  # no reason on the engagement: counted overall only, under no reason
        [
            (5, {}),
            (9, {}),
            (10, {"selectionReason": "lowest_price"}),
            (0, {"selectionReason": "lowest_price"}),
            (8, {"selectionReason": "lowest_price"}),
            (9, {"selectionReason": "lowest_price"}),
        ],
    ),
]


@dataclass(frozen=True)
class World:
    keys: dict[str, str]
    response_ids: list[int]  # in the order of ENGAGEMENTS' answers

    @property
    def voided(self) -> int:
        return self.response_ids[0]  # alpha-health's 0 under vendor_recommended


@pytest.fixture
def world(db: Database, api: GraphQLClient) -> World:
    with db.session() as session, session.begin():
        ref = factories.reference_data(session)
        factories.partner(session, ref, "alpha-health", industries=("healthcare",))
        factories.partner(session, ref, "bravo-retail", industries=("retail",))
        keys = {
            "acme": factories.key(session, "vendor", vendor="acme"),
            "partner": factories.key(session, "partner", partner="alpha-health"),
            "bravo": factories.key(session, "partner", partner="bravo-retail"),
            "admin": factories.key(session, "admin"),
        }
    confirmer = {"alpha-health": keys["partner"], "bravo-retail": keys["bravo"]}
    for number, (partner, reason, answers) in enumerate(ENGAGEMENTS):
        domain = f"customer{number}.example"
        values = engagement_input(partner, customerDomain=domain, selectionReason=reason)
        engagement_id = record(api, keys["acme"], confirmer[partner], **values)
        for person, (score, extra) in enumerate(answers):
            token = invite(api, keys["acme"], engagement_id, f"person{person}@{domain}")
            assert submit(api, token, likelihoodToRecommend=score, **extra)["accepted"] is True
    with db.session() as session:
        ids = list(session.scalars(select(SurveyResponse.id).order_by(SurveyResponse.id)))
    return World(keys=keys, response_ids=ids)


def _void(api: GraphQLClient, key: str, response_id: int, reason: str) -> dict[str, Any]:
    variables = {"id": str(response_id), "reason": reason}
    payload: dict[str, Any] = api.data(VOID, variables, key=key)["voidSurveyResponse"]
    return payload


def _alpha(api: GraphQLClient, key: str) -> dict[str, Any]:
    """alpha-health's live figures, as an operator (`key`: admin) sees them."""
    metrics: dict[str, Any] = api.data(PARTNER_FIGURES, {"slug": "alpha-health"}, key=key)[
        "partner"
    ]["metrics"]
    return metrics


def _void_entries(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "response.void")))


def _by_reason(api: GraphQLClient, key: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The live market insights, as an operator (`key`: admin) sees them."""
    insights = api.data(INSIGHTS, key=key)["marketInsights"]
    reasons = [entry["reason"] for entry in insights["bySelectionReason"]]
    assert reasons == DESIGN_REASONS
    return insights["overall"], {e["reason"]: e["figures"] for e in insights["bySelectionReason"]}


def test_an_admin_voids_a_response_and_the_figures_follow(
    db: Database, api: GraphQLClient, world: World
) -> None:
    # given: alpha-health's 12 answers: promoters 6 (9, 10 | 10, 10, 9 | 10), detractors
    # 4 (0, 3, 6 | 6): NPS = 100 x (6 - 4) / 12 = 16.67
    before = _alpha(api, world.keys["admin"])
    assert before["responseCount"] == 12
    assert before["nps"] == {"value": pytest.approx(100 * (6 - 4) / 12), "n": 12}

    # when: the admin voids the 0 (a detractor)
    reason = "respondent works for the partner"
    payload = _void(api, world.keys["admin"], world.voided, reason)

    # then: 11 answers, promoters 6, detractors 3: NPS = 100 x 3 / 11 = 27.27
    assert payload == {"voided": True, "errors": []}
    after = _alpha(api, world.keys["admin"])
    assert after["responseCount"] == 11
    assert after["nps"] == {"value": pytest.approx(100 * (6 - 3) / 11), "n": 11}
    assert after["invitationCount"] == 12  # the invitation was still sent
    assert after["engagementsCovered"] == 2
    # went live: 3 yes of 6 before; the void removes a "no": 3 of 5
    went_live = {o["name"]: o for o in after["outcomes"]}["went_live"]
    assert went_live == {"name": "went_live", "share": pytest.approx(3 / 5), "n": 5}
    [entry] = _void_entries(db)
    prefix = world.keys["admin"].split("_")[1]
    assert entry.actor == f"apikey:{prefix}"
    assert entry.entity_type == "survey_response"
    assert entry.entity_id == str(world.voided)
    assert entry.details["reason"] == reason
    with db.session() as session:
        row = session.get_one(SurveyResponse, world.voided)
        assert (row.voided, row.void_reason) == (True, reason)


def test_the_market_insights_follow_a_void(api: GraphQLClient, world: World) -> None:
    # when
    assert _void(api, world.keys["admin"], world.voided, "a duplicate of another")["voided"]

    # then: vendor_recommended keeps 3, 6, 7, 9, 10: promoters 2, detractors 2: NPS 0
    overall, by_reason = _by_reason(api, world.keys["admin"])
    assert by_reason["vendor_recommended"]["responseCount"] == 5
    assert by_reason["vendor_recommended"]["nps"] == {"value": pytest.approx(0.0)}
    went_live = {o["name"]: o["share"] for o in by_reason["vendor_recommended"]["outcomes"]}
    assert went_live["went_live"] == pytest.approx(3 / 5)
    # overall: 17 answers, promoters 9, detractors 5
    assert overall == {"responseCount": 17, "nps": {"value": pytest.approx(100 * 4 / 17)}}


def test_voiding_twice_is_already_void_and_changes_nothing_more(
    db: Database, api: GraphQLClient, world: World
) -> None:
    # given
    assert _void(api, world.keys["admin"], world.voided, "first void, fraud")["voided"] is True
    once = _alpha(api, world.keys["admin"])

    # when
    again = _void(api, world.keys["admin"], world.voided, "second void, fraud")

    # then
    assert again["voided"] is False
    assert [e["code"] for e in again["errors"]] == ["ALREADY_VOID"]
    assert _alpha(api, world.keys["admin"]) == once
    assert [e.details["reason"] for e in _void_entries(db)] == ["first void, fraud"]


@pytest.mark.parametrize("who", ["acme", "partner", None])
def test_only_an_admin_may_void(
    db: Database, api: GraphQLClient, world: World, who: str | None
) -> None:
    # given
    before = _alpha(api, world.keys["admin"])
    key = world.keys[who] if who else None
    variables = {"id": str(world.voided), "reason": "the partner asked us to"}

    # when
    codes = api.error_codes(VOID, variables, key=key)

    # then
    assert codes == ["FORBIDDEN"]
    assert _alpha(api, world.keys["admin"]) == before
    assert _void_entries(db) == []
    with db.session() as session:
        assert session.get_one(SurveyResponse, world.voided).voided is False


@pytest.mark.parametrize("reason", ["", "spam", "   ab   ", " \n\t "])
def test_a_void_needs_a_reason_of_five_characters(
    db: Database, api: GraphQLClient, world: World, reason: str
) -> None:
    # given
    before = _alpha(api, world.keys["admin"])

    # when
    payload = _void(api, world.keys["admin"], world.voided, reason)

    # then
    assert payload["voided"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("reason", "VALIDATION")]
    assert _alpha(api, world.keys["admin"]) == before
    assert _void_entries(db) == []


def test_voiding_an_unknown_response_is_not_found(api: GraphQLClient, world: World) -> None:
    payload = _void(api, world.keys["admin"], max(world.response_ids) + 1000, "no such answer")

    assert payload["voided"] is False
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


def test_void_errors_name_the_argument_the_client_sent(api: GraphQLClient, world: World) -> None:
    unknown = _void(api, world.keys["admin"], max(world.response_ids) + 1000, "no such answer")
    _void(api, world.keys["admin"], world.voided, "first void, fraud")
    twice = _void(api, world.keys["admin"], world.voided, "second void, fraud")

    assert [e["field"] for e in unknown["errors"]] == ["responseId"]
    assert [e["field"] for e in twice["errors"]] == ["responseId"]


def test_market_insights_by_selection_reason(api: GraphQLClient, world: World) -> None:
    # when
    overall, by_reason = _by_reason(api, world.keys["admin"])

    # then: all 18 answers: promoters 9, detractors 6: NPS = 100 x 3 / 18 = 16.67
    assert overall == {"responseCount": 18, "nps": {"value": pytest.approx(100 * 3 / 18)}}
    counts = {reason: figures["responseCount"] for reason, figures in by_reason.items()}
    assert counts == {
        "vendor_recommended": 6,
        "lowest_price": 4,  # bravo's respondents who said so
        "closest_office": 0,
        "prior_relationship": 0,
        "peer_referral": 5,  # the engagement's reason, but for the one who gave their own
        "industry_expertise": 0,
        "product_expertise": 0,
        "rfp_evaluation": 0,
        "analyst_ranking": 0,
        "directory_search": 1,
        "other": 0,
    }
    nps = {reason: figures["nps"] for reason, figures in by_reason.items()}
    # vendor_recommended 0, 3, 6, 7, 9, 10: promoters 2, detractors 3 -> -16.67
    assert nps["vendor_recommended"] == {"value": pytest.approx(100 * (2 - 3) / 6)}
    # peer_referral 10, 10, 9, 8, 6: promoters 3, detractors 1 -> 40
    assert nps["peer_referral"] == {"value": pytest.approx(100 * (3 - 1) / 5)}
    # fewer than 5 answers: withheld
    assert [r for r, value in nps.items() if value is not None] == [
        "vendor_recommended",
        "peer_referral",
    ]
    outcomes = {o["name"]: o["share"] for o in by_reason["vendor_recommended"]["outcomes"]}
    assert outcomes == {
        "went_live": pytest.approx(3 / 6),
        "on_time": None,  # nobody answered
        "on_budget": None,
        "goals_met": None,
        "would_hire_again": None,
    }
