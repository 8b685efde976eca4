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

# Each partner's answers to "how likely are you to recommend this partner" (0-10), in order.
ANSWERS: dict[str, list[int]] = {
    "alder": [10, 10, 9, 9, 8, 10],  # 6 answers
    "birch": [10, 9, 7, 3, 2, 0, 10, 9],  # 8 answers
    "cedar": [10, 10, 10],  # 3 answers: nothing published yet
    "dogwood": [0, 2, 5, 6, 3, 7, 9],  # 7 answers
    "elm": [],  # no responses yet
}
# Public figures move in steps of 5 answers: each partner with 5 to 9 answers shows the
# figures of its first 5 (published when the 5th arrived); the later ones wait for 5 more.
PUBLISHED_N = {"alder": 5, "birch": 5, "cedar": 0, "dogwood": 5, "elm": 0}

# NPS = 100 x (promoters - detractors) / n, over the published answers
NPS = {
    "alder": Fraction(100 * (4 - 0), 5),  # 10 10 9 9 8: promoters 4, detractors 0 -> 80
    "birch": Fraction(100 * (2 - 2), 5),  # 10 9 7 3 2: promoters 2, detractors 2 -> 0
    "dogwood": Fraction(100 * (0 - 5), 5),  # 0 2 5 6 3: detractors 5 -> -100
}
# The market: the sum of the published figures, n 15, promoters 6, detractors 7.
MARKET = Fraction(100 * ((4 + 2 + 0) - (0 + 2 + 5)), 5 + 5 + 5)  # -6.67
# (n x NPS + 10 x market) / (n + 10); below 5 published answers, the market itself
SCORES = {
    "alder": (5 * NPS["alder"] + 10 * MARKET) / (5 + 10),  # 22.22
    "birch": (5 * NPS["birch"] + 10 * MARKET) / (5 + 10),  # -4.44
    "cedar": MARKET,  # -6.67: 3 answers say nothing, not even through the score
    "dogwood": (5 * NPS["dogwood"] + 10 * MARKET) / (5 + 10),  # -37.78
    "elm": MARKET,  # -6.67
}


@pytest.fixture
def vendor_key(db: Database, api: GraphQLClient) -> str:
    """Five partners (named in alphabetical order of slug) with the answers above."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in ANSWERS:
            factories.partner(session, world, slug, name=f"{slug.title()} Partners")
        key = factories.key(session, "vendor", vendor="acme")
        confirmers = {slug: factories.key(session, "partner", partner=slug) for slug in ANSWERS}
    for slug, scores in ANSWERS.items():
        if scores:
            responses(api, key, slug, scores, partner_key=confirmers[slug])
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

    # then: alder 22.22, birch -4.44, cedar and elm -6.67 (by name), dogwood -37.78
    nodes = _nodes(body)
    assert body["partners"]["totalCount"] == 5
    assert [node["slug"] for node in nodes] == ["alder", "birch", "cedar", "elm", "dogwood"]
    for node in nodes:
        slug, metrics = node["slug"], node["metrics"]
        assert metrics["rankingScore"] == pytest.approx(float(SCORES[slug]))
        assert metrics["responseCount"] == PUBLISHED_N[slug]
    published = {node["slug"]: node["metrics"]["nps"] for node in nodes}
    assert published["alder"] == {"value": pytest.approx(float(NPS["alder"]))}
    assert published["cedar"] is None  # 3 responses: withheld, and ranked as one with none
    assert published["elm"] is None


def test_order_by_nps_puts_partners_below_five_responses_last(
    api: GraphQLClient, vendor_key: str
) -> None:
    # cedar's 100 from 3 answers is withheld: it does not beat alder's 80 from 5
    assert _order(api, "NPS") == ["alder", "birch", "dogwood", "cedar", "elm"]


def test_order_by_response_count_and_by_name(api: GraphQLClient, vendor_key: str) -> None:
    # published counts: alder, birch, dogwood 5 each (by name), cedar and elm 0
    assert _order(api, "RESPONSE_COUNT") == ["alder", "birch", "dogwood", "cedar", "elm"]
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
    assert _order(api) == before["RANKING_SCORE"] == ["alder", "birch", "cedar", "elm", "dogwood"]
    assert _scores(api) == scores_before
