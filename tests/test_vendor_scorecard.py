"""vendorScorecard: a vendor's own partners, its survey work with each, and the market."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import Vendor, VendorProgramMembership
from tests import factories
from tests.databases import Database, count_statements
from tests.matching_world import answers, engagement, invite, publish
from tests.server import GraphQLClient

SCORECARD = """
query Scorecard($vendor: String) {
  vendorScorecard(vendor: $vendor) {
    vendor { slug }
    marketNps
    partners {
      partner { slug metrics { responseCount } }
      engagements completedEngagements engagementsNotSurveyed invitations responses
      responseRate rankingScore comparedToMarket
    }
  }
}
"""


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """acme: alpha (6 answered, 1 completed not surveyed, 1 invitation unanswered) and
    bravo (in acme's program only). globex: charlie (5 answered)."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        alpha = factories.partner(session, world, "alpha")
        bravo = factories.partner(session, world, "bravo")
        charlie = factories.partner(session, world, "charlie")
        answers(session, world, alpha.id, "healthcare", [10, 10, 9, 9, 8, 0])
        engagement(session, world, alpha.id, "retail")  # completed, never surveyed
        asked = engagement(session, world, alpha.id, "retail")
        invite(session, asked, answered=None)
        engagement(session, world, alpha.id, "retail", status="in_progress")
        answers(
            session,
            world,
            charlie.id,
            "retail",
            [9, 9, 9, 9, 9],
            product="globex-erp",
            vendor="globex",
        )
        acme = session.scalar(select(Vendor).where(Vendor.slug == "acme"))
        assert acme is not None
        session.add(
            VendorProgramMembership(
                vendor_id=acme.id,
                partner_id=bravo.id,
                tier="gold",
                annual_revenue=9,
                sponsored=True,
            )
        )
        publish(session)
        return {
            "acme": factories.key(session, "vendor", vendor="acme"),
            "globex": factories.key(session, "vendor", vendor="globex"),
            "admin": factories.key(session, "admin"),
            "partner": factories.key(session, "partner", partner="alpha"),
        }


def test_a_vendor_sees_its_own_partners(keys: dict[str, str], api: GraphQLClient) -> None:
    card = api.data(SCORECARD, key=keys["acme"])["vendorScorecard"]
    assert card["vendor"] == {"slug": "acme"}
    market = 100 * ((4 + 5) - (1 + 0)) / 11  # alpha 6 (P4 D1) and charlie 5 (P5)
    assert card["marketNps"] == pytest.approx(market)
    rows = {row["partner"]["slug"]: row for row in card["partners"]}
    # by ranking score: bravo has no answers, so the market's 72.7; alpha's NPS 50 from 6
    # answers is shrunk toward it: 64.2
    assert list(rows) == ["bravo", "alpha"]
    alpha = rows["alpha"]
    ranking = (100 * (4 - 1) + 10 * market) / (6 + 10)
    assert alpha == {
        "partner": {"slug": "alpha", "metrics": {"responseCount": 6}},
        "engagements": 9,
        "completedEngagements": 8,
        "engagementsNotSurveyed": 1,
        "invitations": 7,
        "responses": 6,
        "responseRate": pytest.approx(6 / 7),
        "rankingScore": pytest.approx(ranking),
        "comparedToMarket": pytest.approx(ranking - market),
    }
    assert rows["bravo"]["engagements"] == 0
    assert rows["bravo"]["comparedToMarket"] == 0
    assert "gold" not in str(card)


def test_a_vendor_reads_no_other_vendors_scorecard(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    assert api.error_codes(SCORECARD, {"vendor": "globex"}, key=keys["acme"]) == ["FORBIDDEN"]
    own = api.data(SCORECARD, {"vendor": "globex"}, key=keys["globex"])["vendorScorecard"]
    assert [row["partner"]["slug"] for row in own["partners"]] == ["charlie"]


def test_an_admin_names_the_vendor(keys: dict[str, str], api: GraphQLClient) -> None:
    assert api.error_codes(SCORECARD, key=keys["admin"]) == ["VALIDATION"]
    assert api.error_codes(SCORECARD, {"vendor": "nope"}, key=keys["admin"]) == ["NOT_FOUND"]
    card = api.data(SCORECARD, {"vendor": "acme"}, key=keys["admin"])["vendorScorecard"]
    assert [row["partner"]["slug"] for row in card["partners"]] == ["bravo", "alpha"]


@pytest.mark.parametrize("caller", ["partner", None])
def test_partners_and_the_public_are_refused(
    keys: dict[str, str], api: GraphQLClient, caller: str | None
) -> None:
    key = keys[caller] if caller else None
    assert api.error_codes(SCORECARD, {"vendor": "acme"}, key=key) == ["FORBIDDEN"]


PAGE = """
query Page($first: Int, $after: String) {
  vendorScorecard(vendor: "acme", first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { partner { slug metrics { responseCount } offices { city } } } }
    partners { partner { slug } rankingScore }
  }
}
"""


def many_partners(db: Database, count: int) -> str:
    """`count` partners in acme's program, every third with 5 answers (ranking apart)."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        acme = session.scalar(select(Vendor).where(Vendor.slug == "acme"))
        assert acme is not None
        for number in range(count):
            row = factories.partner(session, world, f"partner-{number:03d}")
            session.add(
                VendorProgramMembership(
                    vendor_id=acme.id, partner_id=row.id, tier="gold", annual_revenue=1
                )
            )
            if number % 3 == 0:
                answers(session, world, row.id, "retail", [number % 11] * 5)
        publish(session)
        return factories.key(session, "vendor", vendor="acme")


@pytest.mark.parametrize("size", [1, 7, 20, 100])
def test_pages_cover_every_partner_once_in_the_scorecards_order(
    db: Database, api: GraphQLClient, size: int
) -> None:
    """Issue 19: 118 partners came back in one answer. Page after page, each partner comes
    once, in the order of the whole list (ranking score, then slug)."""
    key = many_partners(db, 45)
    whole = api.data(PAGE, {"first": 100}, key=key)["vendorScorecard"]
    assert whole["totalCount"] == 45
    order = [row["partner"]["slug"] for row in whole["partners"]]
    assert len(order) == 45
    scores = [row["rankingScore"] for row in whole["partners"]]
    assert scores == sorted(scores, reverse=True)
    seen: list[str] = []
    after = None
    while True:
        page = api.data(PAGE, {"first": size, "after": after}, key=key)["vendorScorecard"]
        assert page["totalCount"] == 45
        slugs = [edge["node"]["partner"]["slug"] for edge in page["edges"]]
        assert slugs == [row["partner"]["slug"] for row in page["partners"]]
        seen += slugs
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert seen == order


def test_the_default_page_is_20_and_more_than_100_is_refused(
    db: Database, api: GraphQLClient
) -> None:
    key = many_partners(db, 25)
    page = api.data(PAGE, key=key)["vendorScorecard"]
    assert (len(page["edges"]), page["totalCount"], page["pageInfo"]["hasNextPage"]) == (
        20,
        25,
        True,
    )
    empty = api.data(PAGE, {"first": 0}, key=key)["vendorScorecard"]
    assert (empty["edges"], empty["totalCount"], empty["pageInfo"]) == (
        [],
        25,
        {"hasNextPage": True, "endCursor": None},
    )
    assert api.error_codes(PAGE, {"first": 101}, key=key) == ["VALIDATION"]
    assert api.error_codes(PAGE, {"first": -1}, key=key) == ["VALIDATION"]
    assert api.error_codes(PAGE, {"after": "not-a-cursor"}, key=key) == ["VALIDATION"]


@pytest.mark.parametrize("count", [5, 60])
def test_a_page_costs_the_same_statements_whatever_the_partners(
    db: Database, api: GraphQLClient, count: int
) -> None:
    key = many_partners(db, count)
    with count_statements(db.engine) as statements:
        page = api.data(PAGE, {"first": 5}, key=key)["vendorScorecard"]
    assert len(page["edges"]) == 5
    # the API key (on PostgreSQL it also sets the statement timeout); the vendor; its work
    # (3); the market; ranking scores (2); the page's partners, their figures and their
    # offices
    assert len(statements) == 11, statements
