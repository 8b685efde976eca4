"""Partners rate a vendor's programme through GraphQL: one answer per partner, vendor and
quarter (a later one replaces it), published per vendor and ended quarter from 5 partners,
never per partner, and never so that two quarters differ by 1 to 4 partners."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from api.models import (
    Industry,
    Partner,
    Product,
    ProgramFeedback,
    Vendor,
    VendorProgramMembership,
)
from api.readers import program as program_reader
from api.services import program_feedback
from tests import factories
from tests.databases import Database
from tests.matching_world import engagement
from tests.server import GraphQLClient

SUBMIT = """
mutation Rate($vendor: String!, $input: ProgramFeedbackInput!) {
  submitProgramFeedback(vendor: $vendor, input: $input) { accepted errors { field code message } }
}
"""
PROGRAM = """
query Program($quarter: String) {
  vendors {
    slug
    program(quarter: $quarter) {
      quarter respondingPartners withheldReason comments
      nps { value low high n }
      ratings { name mean n withheldReason }
    }
  }
}
"""
MEMBERS = [f"member-{n}" for n in range(1, 11)]
Q1 = datetime(2026, 2, 10, 9, tzinfo=UTC)
Q2 = datetime(2026, 5, 10, 9, tzinfo=UTC)
Q3 = datetime(2026, 8, 10, 9, tzinfo=UTC)


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """Ten partners in acme's programme, one (loner) with no tie to acme, and keys."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        keys = {}
        for slug in MEMBERS:
            row = factories.partner(session, world, slug)
            session.add(
                VendorProgramMembership(
                    vendor_id=world.vendors["acme"].id, partner_id=row.id, tier="gold"
                )
            )
            keys[slug] = factories.key(session, "partner", partner=slug)
        factories.partner(session, world, "loner")
        keys["loner"] = factories.key(session, "partner", partner="loner")
        keys["acme"] = factories.key(session, "vendor", vendor="acme")
        keys["admin"] = factories.key(session, "admin")
        return keys


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime, datetime], None]:
    """clock(answered, read): when answers arrive, and when the figures are read."""

    def set_clock(answered: datetime, read: datetime) -> None:
        monkeypatch.setattr(program_feedback, "now", lambda: answered)
        monkeypatch.setattr(program_reader, "now", lambda: read)

    return set_clock


def rate(api: GraphQLClient, key: str, vendor: str = "acme", **answer: Any) -> dict[str, Any]:
    body = api.data(SUBMIT, {"vendor": vendor, "input": answer}, key=key)
    payload: dict[str, Any] = body["submitProgramFeedback"]
    return payload


def program(api: GraphQLClient, quarter: str | None = None, key: str | None = None) -> Any:
    vendors = api.data(PROGRAM, {"quarter": quarter}, key=key)["vendors"]
    return {vendor["slug"]: vendor["program"] for vendor in vendors}["acme"]


def stored(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(ProgramFeedback)) or 0)


def test_five_partners_give_a_published_quarter_worked_out_by_hand(
    keys: dict[str, str], api: GraphQLClient, clock: Callable[[datetime, datetime], None]
) -> None:
    clock(Q2, Q2)
    answers = [  # likelihood, enablement, support, payments, comment
        (10, 5, 4, 1, "Leads arrive late"),
        (10, 4, 4, 2, None),
        (9, 4, 4, 3, "Good enablement"),
        (7, 3, 5, 4, None),
        (2, 2, None, 5, "Payments are slow"),
    ]
    for slug, (likelihood, enablement, support, payments, comment) in zip(
        MEMBERS, answers, strict=False
    ):
        given = {"likelihoodToRecommend": likelihood, "enablement": enablement}
        given |= {"payments": payments, "comment": comment}
        if support is not None:
            given["support"] = support
        assert rate(api, keys[slug], **given) == {"accepted": True, "errors": []}

    assert program(api) is None, "the quarter has not ended: nothing of it shows"

    clock(Q3, Q3)
    figures = program(api)
    # 3 promoters (10, 10, 9), 1 passive (7), 1 detractor (2): NPS 100 x (3 - 1) / 5 = 40;
    # adjusted Wald: p_P = 3.75 / 8, p_D = 1.75 / 8, centre 25,
    # half-width 196 x sqrt((0.6875 - 0.0625) / 8) = 54.78
    half = 196 * math.sqrt((5.5 / 8 - (2 / 8) ** 2) / 8)
    assert figures["quarter"] == "2026-Q2"
    assert figures["respondingPartners"] == 5
    assert figures["withheldReason"] is None
    assert figures["nps"]["value"] == pytest.approx(40)
    assert figures["nps"]["low"] == pytest.approx(25 - half)
    assert figures["nps"]["high"] == pytest.approx(25 + half)
    assert figures["nps"]["n"] == 5
    ratings = {r["name"]: r for r in figures["ratings"]}
    assert list(ratings) == ["enablement", "support", "lead_sharing", "payments"]
    assert ratings["enablement"]["mean"] == pytest.approx((5 + 4 + 4 + 3 + 2) / 5)
    assert ratings["payments"]["mean"] == pytest.approx((1 + 2 + 3 + 4 + 5) / 5)
    # four partners rated support: withheld, as no customer figure under 5 shows
    assert ratings["support"]["mean"] is None
    assert ratings["support"]["n"] == 4
    assert ratings["lead_sharing"]["mean"] is None
    assert ratings["lead_sharing"]["n"] == 0
    # unattributed, in the order of their text, not of their arrival
    assert figures["comments"] == ["Good enablement", "Leads arrive late", "Payments are slow"]


def test_four_partners_are_withheld(
    keys: dict[str, str], api: GraphQLClient, clock: Callable[[datetime, datetime], None]
) -> None:
    clock(Q2, Q3)
    for slug in MEMBERS[:4]:
        rate(api, keys[slug], likelihoodToRecommend=10, enablement=5, comment="Great")

    figures = program(api)

    assert figures["quarter"] == "2026-Q2"
    assert figures["respondingPartners"] == 4
    assert figures["nps"] is None
    assert "fewer than 5" in figures["withheldReason"]
    assert all(rating["mean"] is None for rating in figures["ratings"])
    assert figures["comments"] == []


def test_a_later_answer_in_the_quarter_replaces_the_earlier_one(
    keys: dict[str, str],
    api: GraphQLClient,
    db: Database,
    clock: Callable[[datetime, datetime], None],
) -> None:
    clock(Q2, Q3)
    rate(api, keys[MEMBERS[0]], likelihoodToRecommend=0, comment="first thoughts")
    for slug in MEMBERS[:4]:
        rate(api, keys[slug], likelihoodToRecommend=10)
    # Four partners, five answers: one per partner counts, so still withheld.
    assert stored(db) == 4
    assert program(api)["nps"] is None

    rate(api, keys[MEMBERS[4]], likelihoodToRecommend=6)
    figures = program(api)

    assert figures["respondingPartners"] == 5
    # member-1's 0 was replaced by its 10: 4 promoters, 1 detractor, NPS 60
    assert figures["nps"]["value"] == pytest.approx(100 * (4 - 1) / 5)
    assert figures["comments"] == [], "the replaced answer's comment went with it"


def test_one_partner_added_between_quarters_gives_nothing_new(
    keys: dict[str, str], api: GraphQLClient, clock: Callable[[datetime, datetime], None]
) -> None:
    """The attack: the same five partners answer the same in two quarters, and a sixth
    joins in the second; the difference of the two would be the sixth partner's answer."""
    scores = [10, 9, 8, 7, 3]
    clock(Q1, Q3)
    for slug, score in zip(MEMBERS, scores, strict=False):
        rate(api, keys[slug], likelihoodToRecommend=score, enablement=4)
    clock(Q2, Q3)
    for slug, score in zip(MEMBERS, [*scores, 0], strict=False):
        rate(api, keys[slug], likelihoodToRecommend=score, enablement=4)

    latest = program(api)
    second = program(api, "2026-Q2")

    assert latest["quarter"] == "2026-Q1", "the later quarter is withheld: Q1 stays the news"
    assert latest["nps"]["value"] == pytest.approx(100 * (2 - 1) / 5)
    assert second["respondingPartners"] == 6
    assert second["nps"] is None
    assert all(rating["mean"] is None for rating in second["ratings"])
    assert "differ from an earlier published quarter" in second["withheldReason"]


def test_five_more_partners_in_a_later_quarter_publish_it(
    keys: dict[str, str], api: GraphQLClient, clock: Callable[[datetime, datetime], None]
) -> None:
    clock(Q1, Q3)
    for slug in MEMBERS[:5]:
        rate(api, keys[slug], likelihoodToRecommend=10)
    clock(Q2, Q3)
    for slug in MEMBERS:
        rate(api, keys[slug], likelihoodToRecommend=5)

    latest = program(api)

    assert latest["quarter"] == "2026-Q2"
    assert latest["respondingPartners"] == 10
    assert latest["nps"]["value"] == pytest.approx(-100)


def test_the_vendor_sees_what_the_public_sees(
    keys: dict[str, str], api: GraphQLClient, clock: Callable[[datetime, datetime], None]
) -> None:
    clock(Q2, Q3)
    for slug, score in zip(MEMBERS, [10, 9, 8, 7, 3], strict=False):
        rate(api, keys[slug], likelihoodToRecommend=score, comment=f"from {slug}")

    assert program(api, key=keys["acme"]) == program(api)
    assert sorted(program(api)["comments"]) == program(api)["comments"]


@pytest.mark.parametrize("caller", ["public", "acme", "admin", "loner"])
def test_only_a_partner_that_works_with_the_vendor_rates_it(
    keys: dict[str, str], api: GraphQLClient, db: Database, caller: str
) -> None:
    key = None if caller == "public" else keys[caller]
    body = api.execute(SUBMIT, {"vendor": "acme", "input": {"likelihoodToRecommend": 9}}, key=key)

    codes = [error["extensions"]["code"] for error in body["errors"]]
    assert codes == ["FORBIDDEN"]
    assert body["data"] is None
    assert stored(db) == 0


def test_an_agreed_engagement_with_the_vendor_is_a_tie(
    keys: dict[str, str], api: GraphQLClient, db: Database
) -> None:
    with db.session() as session, session.begin():
        world = factories.World(
            industries={row.slug: row for row in session.scalars(select(Industry))},
            vendors={row.slug: row for row in session.scalars(select(Vendor))},
            products={row.slug: row for row in session.scalars(select(Product))},
        )
        loner = session.scalars(select(Partner).where(Partner.slug == "loner")).one()
        engagement(session, world, loner.id, "retail", vendor="globex", product="globex-erp")

    assert rate(api, keys["loner"], vendor="globex", likelihoodToRecommend=8)["accepted"]
    assert stored(db) == 1


@pytest.mark.parametrize(
    ("vendor", "given", "field"),
    [
        ("nobody", {"likelihoodToRecommend": 9}, "vendor"),
        ("Not A Slug", {"likelihoodToRecommend": 9}, "vendor"),
        ("acme", {"likelihoodToRecommend": 11}, "likelihoodToRecommend"),
        ("acme", {"likelihoodToRecommend": -1}, "likelihoodToRecommend"),
        ("acme", {"likelihoodToRecommend": 9, "enablement": 0}, "enablement"),
        ("acme", {"likelihoodToRecommend": 9, "support": 6}, "support"),
        ("acme", {"likelihoodToRecommend": 9, "leadSharing": 9}, "leadSharing"),
        ("acme", {"likelihoodToRecommend": 9, "payments": -3}, "payments"),
        ("acme", {"likelihoodToRecommend": 9, "comment": "x" * 4001}, "comment"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field(
    keys: dict[str, str],
    api: GraphQLClient,
    db: Database,
    vendor: str,
    given: dict[str, Any],
    field: str,
) -> None:
    payload = rate(api, keys[MEMBERS[0]], vendor=vendor, **given)

    assert payload["accepted"] is False
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, "VALIDATION")]
    assert stored(db) == 0
