"""The order of the partner list, through GraphQL, with every score worked out by hand.

DESIGN.md ("Figures"): the ranking score is the NPS shrunk toward the market-wide NPS
with the weight of 10 responses, (n x NPS + 10 x market NPS) / (n + 10); it is the
default order everywhere and never reads sponsorship, revenue to the vendor or tier.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import select

from api.models import Partner, Vendor, VendorProgramMembership
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import responses

DEFAULT_ORDER = """
query {
  partners(first: 100) {
    totalCount
    edges { node { slug metrics { responseCount rankingScore nps { value } } } }
  }
}
"""

ORDERED = """
query Ordered($orderBy: PartnerOrder!) {
  partners(first: 100, orderBy: $orderBy) {
    edges { node { slug metrics { responseCount rankingScore nps { value } } } }
  }
}
"""

# Each partner's answers to "how likely are you to recommend this partner" (0-10).
ANSWERS: dict[str, list[int]] = {
    "alder": [10, 10, 9, 9, 8, 10],  # n 6, promoters 5, detractors 0
    "birch": [10, 9, 7, 3, 2, 0, 10, 9],  # n 8, promoters 4, detractors 3
    "cedar": [10, 10, 10],  # n 3, promoters 3: NPS withheld (fewer than 5)
    "dogwood": [0, 2, 5, 6, 3, 7, 9],  # n 7, promoters 1, detractors 5
    "elm": [],  # no responses yet
}

# NPS = 100 x (promoters - detractors) / n
NPS = {
    "alder": Fraction(100 * (5 - 0), 6),  # 83.33
    "birch": Fraction(100 * (4 - 3), 8),  # 12.5
    "cedar": Fraction(100 * (3 - 0), 3),  # 100
    "dogwood": Fraction(100 * (1 - 5), 7),  # -57.14
}
# The market: every answer of every partner, n 24, promoters 13, detractors 8.
MARKET = Fraction(100 * ((5 + 4 + 3 + 1) - (0 + 3 + 0 + 5)), 6 + 8 + 3 + 7)  # 20.83
# (n x NPS + 10 x market) / (n + 10)
SCORES = {
    "alder": (6 * NPS["alder"] + 10 * MARKET) / (6 + 10),  # 44.27
    "birch": (8 * NPS["birch"] + 10 * MARKET) / (8 + 10),  # 17.13
    "cedar": (3 * NPS["cedar"] + 10 * MARKET) / (3 + 10),  # 39.10
    "dogwood": (7 * NPS["dogwood"] + 10 * MARKET) / (7 + 10),  # -11.27
    "elm": (0 + 10 * MARKET) / (0 + 10),  # 20.83: the market itself
}


@pytest.fixture
def vendor_key(db: Database, api: GraphQLClient) -> str:
    """Five partners (named in alphabetical order of slug) with the answers above."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in ANSWERS:
            factories.partner(session, world, slug, name=f"{slug.title()} Partners")
        key = factories.key(session, "vendor", vendor="acme")
    for slug, scores in ANSWERS.items():
        if scores:
            responses(api, key, slug, scores)
    return key


def _nodes(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in body["partners"]["edges"]]


def _order(api: GraphQLClient, order_by: str | None = None) -> list[str]:
    if order_by is None:
        return [node["slug"] for node in _nodes(api.data(DEFAULT_ORDER))]
    return [node["slug"] for node in _nodes(api.data(ORDERED, {"orderBy": order_by}))]


def _scores(api: GraphQLClient) -> dict[str, float]:
    return {
        node["slug"]: node["metrics"]["rankingScore"] for node in _nodes(api.data(DEFAULT_ORDER))
    }


def test_the_default_order_is_the_ranking_score_computed_by_hand(
    api: GraphQLClient, vendor_key: str
) -> None:
    # when
    body = api.data(DEFAULT_ORDER)

    # then: alder 44.27, cedar 39.10, elm 20.83, birch 17.13, dogwood -11.27
    nodes = _nodes(body)
    assert body["partners"]["totalCount"] == 5
    assert [node["slug"] for node in nodes] == ["alder", "cedar", "elm", "birch", "dogwood"]
    for node in nodes:
        slug, metrics = node["slug"], node["metrics"]
        assert metrics["rankingScore"] == pytest.approx(float(SCORES[slug]))
        assert metrics["responseCount"] == len(ANSWERS[slug])
    published = {node["slug"]: node["metrics"]["nps"] for node in nodes}
    assert published["alder"] == {"value": pytest.approx(float(NPS["alder"]))}
    assert published["cedar"] is None  # 3 responses: withheld, yet ranked by its shrunk score
    assert published["elm"] is None


def test_order_by_nps_puts_partners_below_five_responses_last(
    api: GraphQLClient, vendor_key: str
) -> None:
    # cedar's 100 from 3 answers is withheld: it does not beat alder's 83.33 from 6
    assert _order(api, "NPS") == ["alder", "birch", "dogwood", "cedar", "elm"]


def test_order_by_response_count_and_by_name(api: GraphQLClient, vendor_key: str) -> None:
    assert _order(api, "RESPONSE_COUNT") == ["birch", "dogwood", "alder", "cedar", "elm"]
    assert _order(api, "NAME") == ["alder", "birch", "cedar", "dogwood", "elm"]


def test_money_changes_neither_the_order_nor_any_score(
    db: Database, api: GraphQLClient, vendor_key: str
) -> None:
    # given: the order and scores before anyone pays
    orders = ("RANKING_SCORE", "NPS", "RESPONSE_COUNT", "NAME")
    before = {order: _order(api, order) for order in orders}
    scores_before = _scores(api)

    # when: the worst partner becomes every vendor's top-tier, sponsored, biggest earner
    with db.session() as session, session.begin():
        partner_ids = dict(session.execute(select(Partner.slug, Partner.id)).all())
        for vendor_id in session.scalars(select(Vendor.id)).all():
            session.add(
                VendorProgramMembership(
                    vendor_id=vendor_id,
                    partner_id=partner_ids["dogwood"],
                    tier="platinum",
                    annual_revenue=2_000_000_000,
                    sponsored=True,
                )
            )
            session.add(
                VendorProgramMembership(
                    vendor_id=vendor_id,
                    partner_id=partner_ids["alder"],
                    tier="registered",
                    annual_revenue=0,
                    sponsored=False,
                )
            )

    # then: nothing moves, the default order included
    assert {order: _order(api, order) for order in orders} == before
    assert _order(api) == before["RANKING_SCORE"] == ["alder", "cedar", "elm", "birch", "dogwood"]
    assert _scores(api) == scores_before
