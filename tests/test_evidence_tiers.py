"""Buyers filter by evidence tier; the SQL filter agrees with each partner's own tier."""

from __future__ import annotations

import pytest

from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement
from api.services.surveys import SurveyAnswers, create_invitation, submit_response
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient

BY_TIER = """
query($tiers: [EvidenceTier!]) {
  partners(first: 100, filter: {evidenceTiers: $tiers}) {
    totalCount edges { node { slug metrics { responseCount evidenceTier } } }
  }
}
"""

ADMIN = Caller(role="admin", source="test")

# slug -> the answers of its customers. Hand-worked intervals (DESIGN.md's adjusted Wald,
# low = 100 (p_P - p_D) - 196 sqrt((p_P + p_D - (p_P - p_D)^2) / (n + 3))):
#   30 x 10: p_P = 30.75/33, p_D = 0.75/33, low = 90.9 - 12.2 = 78.7   -> PROVEN
#   15 x 10: p_P = 15.75/18, p_D = 0.75/18, low = 83.3 - 21.8 = 61.6
#            but n < 30                                                -> ESTABLISHED
#   15 x 0:  low -100 (clamped), n >= 5                                -> EMERGING
#    5 x 10: low = 62.5 - 45.0 = 17.5, n < 15                          -> EMERGING
#   8 x 10, 5 x 8, 2 x 0: p_P = 8.75/18, p_D = 2.75/18,
#            low = 33.3 - 33.6 = -0.2 (the old interval said +5.6)     -> EMERGING
#    4 x 10: withheld                                                  -> NOT_ENOUGH_EVIDENCE
ANSWERS = {
    "proven-co": [10] * 30,
    "established-co": [10] * 15,
    "poor-co": [0] * 15,
    "young-co": [10] * 5,
    "borderline-co": [10] * 8 + [8] * 5 + [0] * 2,
    "tiny-co": [10] * 4,
    "silent-co": [],
}


@pytest.fixture
def partners(db: Database) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug, scores in ANSWERS.items():
            factories.partner(session, world, slug)
            draft = EngagementDraft(
                partner_slug=slug,
                customer_name=f"{slug} customer",
                customer_domain=f"{slug}.example",
                industry="retail",
                status="completed",
            )
            engagement = record_engagement(session=session, caller=ADMIN, draft=draft)
            for number, score in enumerate(scores):
                _, token = create_invitation(
                    session=session,
                    caller=ADMIN,
                    engagement_id=engagement.id,
                    email=f"p{number}@{slug}.example",
                )
                submit_response(
                    session=session,
                    token=token,
                    answers=SurveyAnswers(likelihood_to_recommend=score),
                )


CASES = [
    (["PROVEN"], {"proven-co"}),
    (["ESTABLISHED"], {"established-co"}),
    (["EMERGING"], {"poor-co", "young-co", "borderline-co"}),
    (["NOT_ENOUGH_EVIDENCE"], {"tiny-co", "silent-co"}),
    (["PROVEN", "ESTABLISHED"], {"proven-co", "established-co"}),
    (None, set(ANSWERS)),
]


def test_the_tier_filter_finds_exactly_the_partners_of_those_tiers(
    partners: None, api: GraphQLClient
) -> None:
    # One seeding (84 responses) serves every case.
    for tiers, expected in CASES:
        data = api.data(BY_TIER, {"tiers": tiers})["partners"]

        nodes = [edge["node"] for edge in data["edges"]]
        assert {node["slug"] for node in nodes} == expected, tiers
        assert data["totalCount"] == len(expected)
        if tiers:
            assert {node["metrics"]["evidenceTier"] for node in nodes} <= set(tiers)
