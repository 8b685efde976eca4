"""bestFitPartners through GraphQL: known answers worked out by hand, rights, bad needs.

DESIGN.md ("Best-fit matching"); the factors and default weights are on the method page.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from sqlalchemy import update

from api.matching.index import MatchIndex, index_for
from api.models import Customer, Partner, Vendor, VendorProgramMembership
from api.services import changes
from tests import factories
from tests.databases import Database
from tests.matching_world import answers, engagement, publish
from tests.server import GraphQLClient

BEST_FIT = """
query BestFit($need: ProjectNeed!, $first: Int) {
  bestFitPartners(need: $need, first: $first) {
    partner { slug metrics { responseCount } }
    score
    factors { name weight value evidence }
  }
}
"""
BERLIN = (52.52, 13.405)
MUNICH = (48.137, 11.575)
TORONTO = (43.65, -79.38)
NEED = {
    "industry": "healthcare",
    "products": ["acme-crm"],
    "latitude": BERLIN[0],
    "longitude": BERLIN[1],
    "budget": 100_000,
}
WEIGHTS = {  # the documented defaults (0 to 100), as shares of their sum, 100
    "customer_success": 0.20,
    "industry_success": 0.10,
    "product_success": 0.10,
    "industry_experience": 0.05,
    "product_experience": 0.10,
    "go_live": 0.15,
    "repeat_customers": 0.10,
    "recency": 0.05,
    "capacity": 0.05,
    "proximity": 0.05,
    "budget_fit": 0.05,
}


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The haversine formula, written out again here."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """alpha: 6 answers in healthcare (Berlin), and a customer with two engagements in
    progress; bravo: 5 in healthcare, 5 in retail, one retail engagement cancelled (Munich);
    charlie: 3 in healthcare (Toronto), too few to publish, and a fourth engagement, never
    surveyed, that ended a year after everyone else's."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        alpha = factories.partner(session, world, "alpha", offices=(("Berlin", "DE", *BERLIN),))
        bravo = factories.partner(session, world, "bravo", offices=(("Munich", "DE", *MUNICH),))
        charlie = factories.partner(
            session, world, "charlie", offices=(("Toronto", "CA", *TORONTO),)
        )
        answers(session, world, alpha.id, "healthcare", [10, 10, 9, 9, 8, 10])
        again = engagement(session, world, alpha.id, "healthcare", status="in_progress")
        returning = session.get(Customer, again.customer_id)
        engagement(session, world, alpha.id, "healthcare", status="in_progress", customer=returning)
        answers(session, world, bravo.id, "healthcare", [10, 9, 7, 6, 3], budget=400_000)
        answers(
            session,
            world,
            bravo.id,
            "retail",
            [10, 10, 10, 10, 9],
            product="globex-erp",
            budget=400_000,
        )
        engagement(session, world, bravo.id, "retail", product="globex-erp", status="cancelled")
        answers(session, world, charlie.id, "healthcare", [10, 10, 10])
        # Never surveyed, yet agreed by both sides: it counts as delivery, not as an answer.
        engagement(
            session, world, charlie.id, "healthcare", budget=1_000_000, ended_on=date(2026, 6, 1)
        )
        publish(session)
        return {
            "acme": factories.key(session, "vendor", vendor="acme"),
            "admin": factories.key(session, "admin"),
            "public": "",
            "partner": factories.key(session, "partner", partner="alpha"),
        }


def expected_scores() -> dict[str, float]:
    """Every factor by hand: shrinkage weight 10, experience c / (c + 5), go-live
    (completed + 1) / (ended + 2), returning customers r / (customers + 2), recency
    1 / (1 + months / 12) from the newest engagement (charlie's, 2026-06), proximity
    1 / (1 + km / 500), budget (fitting + 1) / (completed + 2); NPS to 0..1 by (x + 100) / 200."""
    # Published market: n 16, promoters 5 + 7, detractors 0 + 2 (charlie's 3 answers are
    # under 5: no copy of them is published, not even in the market).
    market = 100 * (12 - 2) / 16

    def unit(nps: float) -> float:
        return (nps + 100) / 200

    alpha_overall = (100 * (5 - 0) + 10 * market) / (6 + 10)
    alpha = {
        "customer_success": unit(alpha_overall),
        "industry_success": unit((100 * 5 + 10 * alpha_overall) / (6 + 10)),
        # its Acme CRM answers are the same six: shown, shrunk the same way
        "product_success": unit((100 * 5 + 10 * alpha_overall) / (6 + 10)),
        "industry_experience": 6 / 11,
        "product_experience": 6 / 11,
        "go_live": (6 + 1) / (6 + 2),
        "repeat_customers": 1 / (7 + 2),  # 7 customers, one came back
        "recency": 1 / (1 + 12 / 12),  # 2025-06, a year before 2026-06
        "capacity": 1 / 2,  # two engagements in progress, but no capacity declared: neutral
        "proximity": 1.0,
        "budget_fit": (6 + 1) / (6 + 2),
    }
    bravo_overall = (100 * (7 - 2) + 10 * market) / (10 + 10)
    bravo = {
        "customer_success": unit(bravo_overall),
        # healthcare: 5 answers, promoters 2, detractors 2: shown (retail holds the other 5)
        "industry_success": unit((100 * 0 + 10 * bravo_overall) / (5 + 10)),
        "product_success": unit((100 * 0 + 10 * bravo_overall) / (5 + 10)),  # Acme CRM
        "industry_experience": 5 / 10,
        "product_experience": 5 / 10,
        "go_live": (10 + 1) / (11 + 2),  # 10 completed, 1 cancelled
        "repeat_customers": 0 / (11 + 2),
        "recency": 1 / (1 + 12 / 12),
        "capacity": 1 / 2,  # none declared
        "proximity": 1 / (1 + km(BERLIN, MUNICH) / 500),
        "budget_fit": (0 + 1) / (10 + 2),  # every budget 400,000: outside 50,000-200,000
    }
    charlie = {
        "customer_success": unit(market),  # 3 answers: the market's NPS
        "industry_success": unit(market),
        "product_success": unit(market),
        # the unsurveyed engagement counts as delivered: 4
        "industry_experience": 4 / 9,
        "product_experience": 4 / 9,
        "go_live": (4 + 1) / (4 + 2),
        "repeat_customers": 0 / (4 + 2),
        "recency": 1.0,
        "capacity": 1 / 2,  # none declared
        "proximity": 1 / (1 + km(BERLIN, TORONTO) / 500),
        # 1,000,000 is outside 50,000-200,000
        "budget_fit": (3 + 1) / (4 + 2),
    }
    return {
        slug: sum(WEIGHTS[name] * value for name, value in values.items())
        for slug, values in {"alpha": alpha, "bravo": bravo, "charlie": charlie}.items()
    }


def best_fit(api: GraphQLClient, key: str, need: dict[str, Any], first: int = 10) -> Any:
    return api.data(BEST_FIT, {"need": need, "first": first}, key=key)["bestFitPartners"]


def test_scores_worked_out_by_hand(keys: dict[str, str], api: GraphQLClient) -> None:
    found = best_fit(api, keys["acme"], NEED)
    expected = expected_scores()
    assert [m["partner"]["slug"] for m in found] == sorted(expected, key=lambda s: -expected[s])
    for match in found:
        assert match["score"] == pytest.approx(expected[match["partner"]["slug"]], abs=1e-9)
        assert [f["name"] for f in match["factors"]] == list(WEIGHTS)
        assert [f["weight"] for f in match["factors"]] == pytest.approx(list(WEIGHTS.values()))
        total = sum(f["weight"] * f["value"] for f in match["factors"])
        assert total == pytest.approx(match["score"], abs=1e-12)


def test_each_factor_says_where_it_comes_from(keys: dict[str, str], api: GraphQLClient) -> None:
    found = {m["partner"]["slug"]: m for m in best_fit(api, keys["admin"], NEED)}
    alpha = {f["name"]: f["evidence"] for f in found["alpha"]["factors"]}
    assert alpha["industry_experience"] == "6 verified engagements in healthcare"
    assert alpha["industry_success"].startswith(
        "6 verified engagements in healthcare; NPS 83, 95% interval "
    )
    assert alpha["customer_success"].startswith("NPS 83, 95% interval ")
    assert alpha["product_experience"] == "6 verified engagements with Acme CRM"
    assert alpha["product_success"].startswith("Acme CRM: NPS 83, 95% interval ")
    # market 100 (12 - 2) / 16 = 62.5; overall (6 x 83.3 + 10 x 62.5) / 16 = 70.3;
    # Acme CRM's (6 x 83.3 + 10 x 70.3) / 16 = 75.2
    assert alpha["product_success"].endswith(
        "(6 responses); shrunk toward the partner's overall 70: 75"
    )
    assert alpha["proximity"] == "nearest office Berlin, DE, 0 km away"
    assert alpha["budget_fit"] == (
        "6 of 6 verified engagements had a budget between 50,000 and 200,000"
    )
    assert alpha["go_live"] == (
        "6 of 6 ended verified engagements went live (completed, as both sides recorded it), "
        "0 cancelled"
    )
    assert alpha["repeat_customers"] == "1 of 7 customers came back for another engagement"
    assert alpha["recency"] == (
        "latest verified engagement 2025-06, 12 months before the newest on record (2026-06)"
    )
    charlie = {f["name"]: f["evidence"] for f in found["charlie"]["factors"]}
    assert (
        charlie["customer_success"] == "0 published responses, under 5: the market's NPS 62 counts"
    )
    assert "withheld" in charlie["industry_success"]
    assert "NPS 100" not in " ".join(charlie.values())


def test_weights_scale_to_the_factors_the_need_informs(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    need = {"industry": "healthcare", "weights": {"customerSuccess": 30, "industrySuccess": 10}}
    found = best_fit(api, keys["acme"], need)
    for match in found:
        weights = {f["name"]: f["weight"] for f in match["factors"]}
        # products, location and budget are not given: their factors drop out; the rest
        # keep their documented defaults: 5 + 15 + 10 + 5 + 5
        total = 30 + 10 + 5 + 15 + 10 + 5 + 5
        assert weights == pytest.approx(
            {
                "customer_success": 30 / total,
                "industry_success": 10 / total,
                "industry_experience": 5 / total,
                "go_live": 15 / total,
                "repeat_customers": 10 / total,
                "recency": 5 / total,
                "capacity": 5 / total,
            }
        )
        total = sum(f["weight"] * f["value"] for f in match["factors"])
        assert total == pytest.approx(match["score"], abs=1e-12)


def test_one_weight_given_leaves_the_others_at_their_documented_defaults(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    """Issue 19: `weights: {productExperience: 30}` made product 97.7% of the score, as the
    defaults were on another scale (0.3, 0.25, ...). The defaults add up to 100: giving 30
    for product (default 10) makes the total 120, and product 30 / 120 of the score."""
    found = best_fit(api, keys["acme"], {**NEED, "weights": {"productExperience": 30}})
    for match in found:
        shares = {f["name"]: f["weight"] for f in match["factors"]}
        expected = {name: 100 * share / 120 for name, share in WEIGHTS.items()}
        expected["product_experience"] = 30 / 120
        assert shares == pytest.approx(expected, abs=1e-12)
        assert shares["product_experience"] == pytest.approx(0.25, abs=1e-12)
        assert shares["customer_success"] == pytest.approx(20 / 120)
    # the defaults given explicitly change nothing
    defaults = {_camel(name): 100 * share for name, share in WEIGHTS.items()}
    assert best_fit(api, keys["acme"], {**NEED, "weights": defaults}) == best_fit(
        api, keys["acme"], NEED
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_same_need_same_answer_and_ties_by_slug(db: Database, api: GraphQLClient) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in ("twin-c", "twin-a", "twin-b"):
            row = factories.partner(session, world, slug, offices=(("Oslo", "NO", 59.9, 10.7),))
            answers(session, world, row.id, "retail", [9, 9, 9, 9, 9])
        publish(session)
        key = factories.key(session, "vendor", vendor="acme")
    first = best_fit(api, key, {"industry": "retail", "country": "NO"})
    assert [m["partner"]["slug"] for m in first] == ["twin-a", "twin-b", "twin-c"]
    assert len({m["score"] for m in first}) == 1
    assert best_fit(api, key, {"industry": "retail", "country": "NO"}) == first


def test_sponsorship_tier_and_revenue_change_nothing(
    keys: dict[str, str], db: Database, api: GraphQLClient
) -> None:
    before = best_fit(api, keys["acme"], NEED)
    rebuilds = match_index(db).rebuilds
    with db.session() as session, session.begin():
        acme = session.query(Vendor).filter_by(slug="acme").one()
        for partner in session.query(Partner).all():
            session.add(
                VendorProgramMembership(
                    vendor_id=acme.id,
                    partner_id=partner.id,
                    tier="registered",
                    annual_revenue=0,
                    sponsored=False,
                )
            )
        # Make the match index read every partner again, so nothing is served from before.
        changes.record(session, partner_id=None, reason="everything")
    assert best_fit(api, keys["acme"], NEED) == before
    with db.session() as session, session.begin():
        session.execute(
            update(VendorProgramMembership)
            .where(VendorProgramMembership.partner_id == Partner.id, Partner.slug == "charlie")
            .values(tier="platinum", annual_revenue=50_000_000, sponsored=True)
        )
        changes.record(session, partner_id=None, reason="everything")
    assert best_fit(api, keys["acme"], NEED) == before
    assert match_index(db).rebuilds == rebuilds + 2


def match_index(db: Database) -> MatchIndex:
    """The server's match index: the test server runs in this process, on this engine."""
    with db.session() as session:
        return index_for(session)


@pytest.mark.parametrize("caller", ["public", "partner"])
def test_only_vendors_and_admins_may_ask(
    keys: dict[str, str], api: GraphQLClient, caller: str
) -> None:
    assert api.error_codes(BEST_FIT, {"need": NEED}, key=keys[caller] or None) == ["FORBIDDEN"]


@pytest.mark.parametrize(
    ("need", "first", "field", "words"),
    [
        ({"industry": "space-mining"}, 5, "need.industry", "unknown industry slug"),
        ({"products": ["nope"]}, 5, "need.products", "unknown product slug"),
        ({"country": "XX"}, 5, "need.country", "ISO 3166-1"),
        ({"latitude": 91, "longitude": 0}, 5, "need.latitude", "between -90 and 90"),
        ({"latitude": 50}, 5, "need.latitude", "together"),
        ({"budget": -5}, 5, "need.budget", "budget must be"),
        ({"capabilities": ["juggling"]}, 5, "need.capabilities", "capabilities must be among"),
        ({"languages": ["English"]}, 5, "need.languages", "ISO 639-1"),
        ({"partnerTypes": ["guru"]}, 5, "need.partnerTypes", "partnerTypes must be among"),
        ({"weights": {"proximity": -1}}, 5, "need.weights.proximity", "between 0 and 100"),
        ({"weights": {"budgetFit": 1e9}}, 5, "need.weights.budgetFit", "between 0 and 100"),
        (
            {
                "weights": {
                    "customerSuccess": 0,
                    "industrySuccess": 0,
                    "industryExperience": 0,
                    "productExperience": 0,
                    "goLive": 0,
                    "repeatCustomers": 0,
                    "recency": 0,
                    "capacity": 0,
                    "proximity": 0,
                    "budgetFit": 0,
                }
            },
            5,
            "need.weights",
            "at least one factor",
        ),
        ({"require": {"maxDistanceKm": 10}}, 5, "need.require.maxDistanceKm", "latitude"),
        ({}, 101, "first", "between 0 and 100"),
        ({}, -1, "first", "between 0 and 100"),  # 0 is an empty list, as on every field
    ],
)
def test_a_bad_need_is_a_validation_error_naming_the_field(
    keys: dict[str, str],
    api: GraphQLClient,
    need: dict[str, Any],
    first: int,
    field: str,
    words: str,
) -> None:
    body = api.execute(BEST_FIT, {"need": need, "first": first}, key=keys["acme"])
    [error] = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": field}
    assert words in error["message"]


def test_hard_filters_leave_partners_out(keys: dict[str, str], api: GraphQLClient) -> None:
    def slugs(need: dict[str, Any]) -> list[str]:
        return sorted(m["partner"]["slug"] for m in best_fit(api, keys["acme"], need))

    assert slugs({**NEED, "require": {"maxDistanceKm": 600}}) == ["alpha", "bravo"]
    assert slugs({**NEED, "country": "CA", "require": {"officeInCountry": True}}) == ["charlie"]
    assert slugs({"industry": "retail", "require": {"industryExperience": True}}) == ["bravo"]
    assert slugs({**NEED, "require": {"minResponses": 6}}) == ["alpha", "bravo"]
    assert slugs({**NEED, "languages": ["de"]}) == []
    assert slugs({**NEED, "languages": ["de", "en"], "partnerTypes": ["implementation"]}) == [
        "alpha",
        "bravo",
        "charlie",
    ]
    assert slugs({**NEED, "partnerTypes": ["reseller"]}) == []


def test_capabilities_are_a_hard_filter_read_after_a_profile_change(
    keys: dict[str, str], db: Database, api: GraphQLClient
) -> None:
    def slugs(capabilities: list[str]) -> list[str]:
        need = {**NEED, "capabilities": capabilities}
        return sorted(m["partner"]["slug"] for m in best_fit(api, keys["acme"], need))

    assert slugs(["training"]) == []
    with db.session() as session, session.begin():
        alpha = session.query(Partner).filter_by(slug="alpha").one()
        alpha.capabilities = ["training", "analytics"]
        changes.record(session, partner_id=alpha.id, reason="profile")
    assert slugs(["training"]) == ["alpha"]
    assert slugs(["training", "analytics"]) == ["alpha"]
    assert slugs(["training", "security"]) == []
