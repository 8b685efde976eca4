"""vendorScorecard.tierVersusEvidence: where a vendor's program tiers and verified customer
success (the ranking score of the shown figures) disagree, worked out by hand."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from api.models import Partner, Vendor, VendorProgramMembership
from api.readers.tier_evidence import HIGH_TIERS, LOW_TIERS, Member, tier_check
from api.vocabulary import PROGRAM_TIERS
from tests import factories
from tests.databases import Database, count_statements
from tests.matching_world import answers, publish
from tests.server import GraphQLClient

CHECK = """
query($vendor: String) {
  vendorScorecard(vendor: $vendor) {
    marketNps
    tierVersusEvidence {
      judgedPartners notJudged bottomQuartileAtMost topQuartileAtLeast
      mismatches { partner { slug } tier rankingScore kind }
    }
  }
}
"""
SET_TIER = """
mutation($partner: String!, $tier: String!) {
  setProgramMembership(partnerSlug: $partner, vendor: "acme", input: {tier: $tier}) {
    errors { field code }
  }
}
"""

# partner: (acme tier or None, answers); every answer is one of acme's engagements
WORLD: dict[str, tuple[str | None, list[int]]] = {
    "ash": ("platinum", [0] * 5),  # NPS -100
    "beech": ("gold", [7] * 5),  # NPS 0
    "cedar": ("silver", [10] * 5),  # NPS 100
    "dogwood": ("gold", [10] * 10),  # NPS 100 from 10
    "elm": ("registered", [9, 9, 9, 0, 0]),  # NPS 20
    "fir": ("gold", [10, 10, 10, 10, 0]),  # NPS 60
    "gum": ("platinum", [10, 10]),  # 2 answers: withheld, not judged
    "hazel": (None, [0] * 5),  # not in the program: counts in the market only
}
# The market: 22 promoters, 13 detractors in 40 published answers (gum's 2 are below
# the publication step): NPS 22.5. Ranking score: (n x NPS + 10 x 22.5) / (n + 10).
MARKET = 100 * (22 - 13) / 40
RANKING = {
    "ash": (5 * -100 + 10 * MARKET) / 15,  # -18.33
    "beech": (5 * 0 + 10 * MARKET) / 15,  # 15
    "elm": (5 * 20 + 10 * MARKET) / 15,  # 21.67
    "fir": (5 * 60 + 10 * MARKET) / 15,  # 35
    "cedar": (5 * 100 + 10 * MARKET) / 15,  # 48.33
    "dogwood": (10 * 100 + 10 * MARKET) / 20,  # 61.25
}
# 6 judged: k = ceil(6 / 4) = 2; the bottom quartile is at most the 2nd lowest (beech, 15),
# the top at least the 2nd highest (cedar, 48.33). In the bottom: ash (platinum) and beech
# (gold), both high tiers; in the top: cedar (silver, a low tier) and dogwood (gold, fine).


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug, (tier, scores) in WORLD.items():
            row = factories.partner(session, world, slug)
            answers(session, world, row.id, "retail", scores)
            if tier is not None:
                session.add(
                    VendorProgramMembership(
                        vendor_id=world.vendors["acme"].id, partner_id=row.id, tier=tier
                    )
                )
            if slug == "ash":  # globex's only member
                session.add(
                    VendorProgramMembership(
                        vendor_id=world.vendors["globex"].id, partner_id=row.id, tier="registered"
                    )
                )
        publish(session)
        return {
            "acme": factories.key(session, "vendor", vendor="acme"),
            "globex": factories.key(session, "vendor", vendor="globex"),
            "admin": factories.key(session, "admin"),
        }


def mismatch(slug: str, tier: str, kind: str) -> dict[str, object]:
    return {
        "partner": {"slug": slug},
        "tier": tier,
        "rankingScore": pytest.approx(RANKING[slug]),
        "kind": kind,
    }


def test_the_mismatches_worked_out_by_hand(keys: dict[str, str], api: GraphQLClient) -> None:
    card = api.data(CHECK, key=keys["acme"])["vendorScorecard"]

    assert card["marketNps"] == pytest.approx(MARKET)
    assert card["tierVersusEvidence"] == {
        "judgedPartners": 6,
        "notJudged": 1,
        "bottomQuartileAtMost": pytest.approx(RANKING["beech"]),
        "topQuartileAtLeast": pytest.approx(RANKING["cedar"]),
        "mismatches": [
            mismatch("ash", "platinum", "HIGH_TIER_BOTTOM_QUARTILE"),
            mismatch("beech", "gold", "HIGH_TIER_BOTTOM_QUARTILE"),
            mismatch("cedar", "silver", "LOW_TIER_TOP_QUARTILE"),
        ],
    }


def test_re_tiering_on_the_evidence_clears_the_list(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    for partner, tier in (("ash", "registered"), ("beech", "silver"), ("cedar", "platinum")):
        body = api.data(SET_TIER, {"partner": partner, "tier": tier}, key=keys["acme"])
        assert body["setProgramMembership"]["errors"] == []

    card = api.data(CHECK, key=keys["acme"])["vendorScorecard"]
    assert card["tierVersusEvidence"]["mismatches"] == []
    assert card["tierVersusEvidence"]["judgedPartners"] == 6


def test_too_few_judged_members_have_no_quartiles(keys: dict[str, str], api: GraphQLClient) -> None:
    card = api.data(CHECK, key=keys["globex"])["vendorScorecard"]
    assert card["tierVersusEvidence"] == {
        "judgedPartners": 1,
        "notJudged": 0,
        "bottomQuartileAtMost": None,
        "topQuartileAtLeast": None,
        "mismatches": [],
    }


def test_an_admin_reads_any_vendors_and_another_vendor_none(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    admin = api.data(CHECK, {"vendor": "acme"}, key=keys["admin"])["vendorScorecard"]
    slugs = [m["partner"]["slug"] for m in admin["tierVersusEvidence"]["mismatches"]]
    assert slugs == ["ash", "beech", "cedar"]
    assert api.error_codes(CHECK, {"vendor": "acme"}, key=keys["globex"]) == ["FORBIDDEN"]
    assert api.error_codes(CHECK, {"vendor": "acme"}) == ["FORBIDDEN"]


# -- the rule alone ---------------------------------------------------------------------


def members(*rows: tuple[str, float]) -> list[Member]:
    return [Member(index, f"p{index}", tier, score) for index, (tier, score) in enumerate(rows)]


def test_four_members_make_quartiles_of_one() -> None:
    check = tier_check(
        members(("platinum", 1.0), ("registered", 2.0), ("gold", 3.0), ("registered", 4.0))
    )
    assert (check.bottom_quartile_at_most, check.top_quartile_at_least) == (1.0, 4.0)
    assert [(m.member.slug, m.kind) for m in check.mismatches] == [
        ("p0", "high_tier_bottom_quartile"),
        ("p3", "low_tier_top_quartile"),
    ]


def test_equal_evidence_judges_no_one() -> None:
    check = tier_check(
        members(("platinum", 5.0), ("registered", 5.0), ("gold", 5.0), ("silver", 5.0))
    )
    assert check.mismatches == ()


def test_three_members_are_not_enough() -> None:
    check = tier_check(members(("platinum", -50.0), ("registered", 0.0), ("registered", 90.0)), 2)
    assert (check.judged, check.not_judged, check.mismatches) == (3, 2, ())
    assert check.bottom_quartile_at_most is None


MEMBER_ROWS = st.lists(
    st.tuples(st.sampled_from(PROGRAM_TIERS), st.integers(-100, 100).map(float)),
    min_size=0,
    max_size=40,
)


@given(rows=MEMBER_ROWS, seed=st.integers(0, 1000))
def test_the_rule_holds_whatever_the_members(rows: list[tuple[str, float]], seed: int) -> None:
    given_members = members(*rows)
    check = tier_check(given_members)
    shuffled = list(given_members)
    random.Random(seed).shuffle(shuffled)
    assert tier_check(shuffled) == check  # the order they come in changes nothing
    if len(rows) < 4:
        assert check.mismatches == ()
        return
    low, high = check.bottom_quartile_at_most, check.top_quartile_at_least
    assert low is not None
    assert high is not None
    k = math.ceil(len(rows) / 4)
    scores = [m.ranking_score for m in given_members]
    assert sum(score <= low for score in scores) >= k  # a quarter at least, ties included
    assert sum(score >= high for score in scores) >= k
    for found in check.mismatches:
        member = found.member
        if found.kind == "high_tier_bottom_quartile":
            assert member.tier in HIGH_TIERS
            assert member.ranking_score <= low < high
        else:
            assert member.tier in LOW_TIERS
            assert member.ranking_score >= high > low
    expected = sum(
        (m.tier in HIGH_TIERS and m.ranking_score <= low < high)
        or (m.tier in LOW_TIERS and m.ranking_score >= high > low)
        for m in given_members
    )
    assert len(check.mismatches) == expected


TIERS_ONLY = """
{ vendorScorecard(first: 0) {
    tierVersusEvidence { judgedPartners mismatches { partner { slug } } }
} }
"""


@pytest.mark.parametrize("more", [0, 12])
def test_the_check_costs_the_same_statements_whatever_the_members(
    keys: dict[str, str], db: Database, api: GraphQLClient, more: int
) -> None:
    with db.session() as session, session.begin():
        acme = session.scalar(select(Vendor).where(Vendor.slug == "acme"))
        assert acme is not None
        for number in range(more):
            row = Partner(slug=f"extra-{number}", name=f"Extra {number}", version=1)
            session.add(row)
            session.flush()
            tier = PROGRAM_TIERS[number % 4]
            session.add(VendorProgramMembership(vendor_id=acme.id, partner_id=row.id, tier=tier))
    with count_statements(db.engine) as statements:
        check = api.data(TIERS_ONLY, key=keys["acme"])["vendorScorecard"]["tierVersusEvidence"]
    assert check["judgedPartners"] == 6  # the extra members have no answers: not judged
    # the API key (on PostgreSQL it also sets the statement timeout); the vendor; its work
    # (3); the market; ranking scores (2); the page's partners (none); the members; their
    # figures; the mismatched partners
    assert len(statements) == 12, statements
