"""A partner's declared delivery capacity through GraphQL, and matching's capacity factor:
(free slots + 1) / (declared + 2), neutral 1/2 when none is declared."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.models import Engagement, Partner
from tests import factories
from tests.databases import Database
from tests.matching_world import engagement
from tests.server import GraphQLClient

UPDATE = """
mutation Edit($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version deliveryCapacity engagementsInProgress }
    errors { field code message }
  }
}
"""
PARTNER = (
    "query($slug: String!) { partner(slug: $slug) { deliveryCapacity engagementsInProgress } }"
)
BEST_FIT = """
query {
  bestFitPartners(need: {}) { partner { slug } score factors { name weight value evidence } }
}
"""


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """alpha and bravo alike: three agreed engagements in progress and one completed each,
    no office, no answers; so only capacity can tell them apart."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in ("alpha", "bravo"):
            row = factories.partner(session, world, slug)
            engagement(session, world, row.id, "retail")
            for _ in range(3):
                engagement(session, world, row.id, "retail", status="in_progress")
        # Proposed by the partner alone and never confirmed: it takes no slot.
        unconfirmed = engagement(session, world, row.id, "retail", status="in_progress")
        unconfirmed.confirmed = False
        return {
            "alpha": factories.key(session, "partner", partner="alpha"),
            "bravo": factories.key(session, "partner", partner="bravo"),
            "acme": factories.key(session, "vendor", vendor="acme"),
        }


def declare(api: GraphQLClient, key: str, slug: str, capacity: Any) -> dict[str, Any]:
    body = api.data(
        UPDATE, {"slug": slug, "version": 1, "input": {"deliveryCapacity": capacity}}, key=key
    )
    payload: dict[str, Any] = body["updatePartnerProfile"]
    return payload


def matches(api: GraphQLClient, key: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.data(BEST_FIT, key=key)["bestFitPartners"]
    return found


def capacity_of(match: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in match["factors"] if f["name"] == "capacity")


def test_a_partner_declares_its_capacity_and_sees_the_slots_in_use(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    payload = declare(api, keys["alpha"], "alpha", 4)

    assert payload["errors"] == []
    assert payload["partner"] == {"version": 2, "deliveryCapacity": 4, "engagementsInProgress": 3}
    public = api.data(PARTNER, {"slug": "bravo"})["partner"]
    assert public == {"deliveryCapacity": None, "engagementsInProgress": 3}


@pytest.mark.parametrize("capacity", [0, -1, 1001])
def test_a_capacity_out_of_range_is_a_validation_error(
    keys: dict[str, str], api: GraphQLClient, capacity: int
) -> None:
    payload = declare(api, keys["alpha"], "alpha", capacity)

    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        ("deliveryCapacity", "VALIDATION")
    ]
    assert api.data(PARTNER, {"slug": "alpha"})["partner"]["deliveryCapacity"] is None


def test_another_partner_may_not_declare_it(keys: dict[str, str], api: GraphQLClient) -> None:
    body = api.execute(
        UPDATE,
        {"slug": "alpha", "version": 1, "input": {"deliveryCapacity": 9}},
        key=keys["bravo"],
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]


def test_undeclared_capacity_is_neutral(keys: dict[str, str], api: GraphQLClient) -> None:
    found = matches(api, keys["acme"])

    assert [m["partner"]["slug"] for m in found] == ["alpha", "bravo"], "equal: by slug"
    for match in found:
        factor = capacity_of(match)
        assert factor["value"] == pytest.approx(1 / 2)
        assert factor["evidence"] == (
            "no delivery capacity declared (3 engagements in progress): neutral"
        )
        # a need that names nothing informs customer success 20, go-live 15, repeat
        # customers 10, recency 5 and capacity 5: 55
        assert factor["weight"] == pytest.approx(5 / 55)
    assert found[0]["score"] == pytest.approx(found[1]["score"])


def test_capacity_moves_a_match(keys: dict[str, str], api: GraphQLClient) -> None:
    before = matches(api, keys["acme"])  # the match index is built before the edits
    assert [m["partner"]["slug"] for m in before] == ["alpha", "bravo"]
    declare(api, keys["alpha"], "alpha", 4)
    declare(api, keys["bravo"], "bravo", 10)

    found = matches(api, keys["acme"])

    assert [m["partner"]["slug"] for m in found] == ["bravo", "alpha"]
    alpha, bravo = capacity_of(found[1]), capacity_of(found[0])
    assert alpha["evidence"] == "3 of 4 project slots in use"
    assert alpha["value"] == pytest.approx((1 + 1) / (4 + 2))  # 1 free slot
    assert bravo["evidence"] == "3 of 10 project slots in use"
    assert bravo["value"] == pytest.approx((7 + 1) / (10 + 2))  # 7 free
    # the scores differ by the capacity factor alone
    assert found[0]["score"] - found[1]["score"] == pytest.approx(5 / 55 * (8 / 12 - 2 / 6))


def test_more_in_progress_than_declared_counts_as_full(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    declare(api, keys["alpha"], "alpha", 2)

    alpha = capacity_of(
        next(m for m in matches(api, keys["acme"]) if m["partner"]["slug"] == "alpha")
    )

    assert alpha["value"] == pytest.approx((0 + 1) / (2 + 2))
    assert alpha["evidence"] == "2 of 2 project slots in use (3 engagements in progress)"


SET_STATUS = """
mutation($id: ID!) { setEngagementStatus(engagementId: $id, status: "completed") {
  engagement { status } errors { code } } }
"""


def test_an_engagement_ending_frees_a_slot(
    keys: dict[str, str], api: GraphQLClient, db: Database
) -> None:
    declare(api, keys["alpha"], "alpha", 4)
    assert capacity_of(matches(api, keys["acme"])[1])["evidence"] == "3 of 4 project slots in use"
    with db.session() as session:
        busy = session.scalars(
            select(Engagement.id)
            .join(Partner, Partner.id == Engagement.partner_id)
            .where(Partner.slug == "alpha", Engagement.status == "in_progress")
        ).first()

    api.data(SET_STATUS, {"id": str(busy)}, key=keys["acme"])

    assert api.data(PARTNER, {"slug": "alpha"})["partner"]["engagementsInProgress"] == 2
    alpha = next(m for m in matches(api, keys["acme"]) if m["partner"]["slug"] == "alpha")
    assert capacity_of(alpha)["evidence"] == "2 of 4 project slots in use"
    assert capacity_of(alpha)["value"] == pytest.approx((2 + 1) / (4 + 2))
