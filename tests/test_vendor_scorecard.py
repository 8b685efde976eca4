"""vendorScorecard: a vendor's own partners, its survey work with each, and the market."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.models import Vendor, VendorProgramMembership
from tests import factories
from tests.databases import Database
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
