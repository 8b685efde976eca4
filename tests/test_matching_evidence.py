"""Issue 19: matching reads every kind of verified evidence (engagements both sides agreed:
delivered per industry and product, went live, customers who came back, recency), finds
small partners that deliver well before they have k answers, puts partners that delivered
the need's products first, and still reveals no withheld answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from api.models import Customer
from tests import factories
from tests.databases import Database
from tests.matching_world import answers, engagement, publish
from tests.server import GraphQLClient
from tests.test_matching import BEST_FIT

MEDIOCRE = [10] * 10 + [8] * 10 + [3] * 10  # 30 answers, NPS 0
STRONG = [10] * 14 + [8] * 4 + [5] * 2  # 20 answers, NPS 60
HEALTH_CRM = {"industry": "healthcare", "products": ["acme-crm"]}


def best_fit(api: GraphQLClient, key: str, need: dict[str, Any], first: int = 10) -> Any:
    return api.data(BEST_FIT, {"need": need, "first": first}, key=key)["bestFitPartners"]


def returning_customer(session: Session, world: factories.World, partner_id: int) -> None:
    """Two completed engagements for one customer, the second the newest on record."""
    first = engagement(session, world, partner_id, "healthcare")
    customer = session.get(Customer, first.customer_id)
    engagement(
        session, world, partner_id, "healthcare", customer=customer, ended_on=date(2026, 6, 1)
    )


def test_a_small_partner_that_delivers_well_is_found_before_k_answers(
    db: Database, api: GraphQLClient
) -> None:
    """Twelve big partners have delivered Acme CRM in healthcare 30 times each, with a
    mediocre NPS (0) and 6 cancellations each; six strong partners (NPS 60) work in retail
    with another product. The small one has 3 answers (withheld: under k), yet every one of
    its 5 engagements went live, a customer came back, and its latest is the newest on
    record. It used to rank last, at the market's NPS and with little experience."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(12):
            big = factories.partner(session, world, f"big-{number:02d}")
            answers(session, world, big.id, "healthcare", MEDIOCRE)
            for _ in range(6):
                engagement(session, world, big.id, "healthcare", status="cancelled")
        for number in range(6):
            strong = factories.partner(session, world, f"strong-{number}")
            answers(session, world, strong.id, "retail", STRONG, product="globex-erp")
        small = factories.partner(session, world, "small-excellent")
        answers(session, world, small.id, "healthcare", [10, 10, 10])
        returning_customer(session, world, small.id)
        publish(session)
        key = factories.key(session, "vendor", vendor="acme")

    found = best_fit(api, key, HEALTH_CRM)
    slugs = [match["partner"]["slug"] for match in found]
    assert slugs[0] == "small-excellent", slugs
    assert all(slug.startswith("big-") for slug in slugs[1:])
    small_factors = {f["name"]: f for f in found[0]["factors"]}
    assert small_factors["go_live"]["evidence"].startswith("5 of 5 ended verified engagements")
    assert small_factors["repeat_customers"]["evidence"] == (
        "1 of 4 customers came back for another engagement"
    )
    # its 3 answers are under k: no copy of them is published at all
    assert small_factors["customer_success"]["evidence"].startswith(
        "0 published responses, under 5"
    )


def test_a_partner_that_delivered_the_product_comes_first_by_default(
    db: Database, api: GraphQLClient
) -> None:
    """`never` has the best figures in healthcare but never delivered Acme CRM; `did`
    delivered it once. By default `did` comes first; without deliveredProductsFirst the
    score alone orders them."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        never = factories.partner(session, world, "never")
        answers(session, world, never.id, "healthcare", [10] * 20, product="globex-erp")
        did = factories.partner(session, world, "did")
        answers(session, world, did.id, "healthcare", MEDIOCRE[:10] + MEDIOCRE[-10:])
        publish(session)
        key = factories.key(session, "vendor", vendor="acme")

    found = best_fit(api, key, HEALTH_CRM)
    assert [m["partner"]["slug"] for m in found] == ["did", "never"]
    assert found[0]["score"] < found[1]["score"]
    never_product = {f["name"]: f["evidence"] for f in found[1]["factors"]}["product_experience"]
    assert never_product == (
        "0 verified engagements with Acme CRM; listed after any partner that delivered more "
        "of these products"
    )
    by_score = best_fit(api, key, {**HEALTH_CRM, "deliveredProductsFirst": False})
    assert [m["partner"]["slug"] for m in by_score] == ["never", "did"]


NEEDS: list[dict[str, Any]] = [
    {},
    {"industry": "healthcare"},
    {"industry": "retail"},
    {"industry": "energy", "products": ["globex-erp"]},
    {**HEALTH_CRM, "country": "DE", "budget": 100_000},
    {"industry": "retail", "products": ["acme-crm", "globex-erp"], "budget": 400_000},
]


Answers = list[tuple[str, str, list[int]]]  # (industry, product, scores)


@pytest.mark.parametrize(
    ("withheld_a", "withheld_b"),
    [
        # under k overall: nothing of the answers is published
        (
            [("healthcare", "acme-crm", [0, 0, 0])],
            [("healthcare", "acme-crm", [10, 10, 10])],
        ),
        # 9 answers, overall shown (promoters 5, detractors 4 in both); retail has 3, so
        # healthcare is withheld too (overall minus healthcare would give retail back), and
        # so are the products, which split the answers the same way
        (
            [
                ("healthcare", "acme-crm", [10, 10, 10, 10, 10, 0]),
                ("retail", "globex-erp", [0, 0, 0]),
            ],
            [
                ("healthcare", "acme-crm", [10, 10, 10, 0, 0, 0]),
                ("retail", "globex-erp", [10, 10, 0]),
            ],
        ),
        # 10 answers, all with Acme CRM: the product segment is shown (it is the overall
        # set), the industries are not (retail has 3)
        (
            [
                ("healthcare", "acme-crm", [10, 10, 10, 10, 10, 0, 0]),
                ("retail", "acme-crm", [0, 0, 0]),
            ],
            [
                ("healthcare", "acme-crm", [10, 10, 0, 0, 0, 0, 0]),
                ("retail", "acme-crm", [10, 10, 10]),
            ],
        ),
    ],
)
def test_withheld_answers_cannot_be_told_apart_in_any_match(
    db: Database,
    api: GraphQLClient,
    withheld_a: Answers,
    withheld_b: Answers,
) -> None:
    """Two partners with the same engagements whose answers differ only where they are
    withheld: whoever asks for matches, with any need, sees the same score and the same
    factors, word for word, for both. Nothing in a match can then give back a withheld
    answer, whatever the attacker combines."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug, withheld in (("twin-a", withheld_a), ("twin-b", withheld_b)):
            row = factories.partner(session, world, slug, offices=(("Berlin", "DE", 52.5, 13.4),))
            for industry, product, scores in withheld:
                answers(session, world, row.id, industry, scores, product=product)
            returning_customer(session, world, row.id)
            engagement(session, world, row.id, "retail", status="cancelled")
        other = factories.partner(session, world, "published")
        answers(session, world, other.id, "healthcare", STRONG)
        publish(session)
        key = factories.key(session, "vendor", vendor="acme")

    for need in NEEDS:
        found = {m["partner"]["slug"]: m for m in best_fit(api, key, need)}
        a, b = found["twin-a"], found["twin-b"]
        assert (a["score"], a["factors"]) == (b["score"], b["factors"]), need
        if need.get("industry"):
            industry = {f["name"]: f["evidence"] for f in a["factors"]}["industry_success"]
            assert "its figures there are withheld" in industry
