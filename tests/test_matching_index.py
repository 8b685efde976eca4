"""The match index: its SQL does not grow with the partners, it follows the real write
paths through the change log, and nothing withheld reaches a score."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.models import public_version as version_table
from tests import factories
from tests.databases import Database, count_statements
from tests.matching_world import answers, publish
from tests.server import GraphQLClient
from tests.survey_flow import confirm, engagement_input, invite, record, submit
from tests.test_matching import BEST_FIT

SLIM = """
query BestFit($need: ProjectNeed!, $first: Int) {
  bestFitPartners(need: $need, first: $first) {
    partner { slug } score factors { name value evidence }
  }
}
"""
NEED = {
    "industry": "healthcare",
    "products": ["acme-crm"],
    "latitude": 59.9,
    "longitude": 10.7,
    "budget": 80_000,
}


def world(db: Database, partners: int) -> str:
    with db.session() as session, session.begin():
        ref = factories.reference_data(session)
        for number in range(partners):
            row = factories.partner(
                session,
                ref,
                f"partner-{number:03d}",
                offices=(("Oslo", "NO", 59.9 + number / 100, 10.7), ("Bergen", "NO", 60.4, 5.3)),
            )
            scores = [10 - (number + i) % 11 for i in range(5 + number % 7)]
            answers(session, ref, row.id, "healthcare" if number % 3 else "retail", scores)
        publish(session)
        return factories.key(session, "vendor", vendor="acme")


@pytest.mark.parametrize("partners", [4, 150])
def test_statements_do_not_grow_with_the_partners(
    db: Database, api: GraphQLClient, partners: int
) -> None:
    key = world(db, partners)
    api.data(SLIM, {"need": NEED, "first": 3}, key=key)  # the index reads every partner once
    with count_statements(db.engine) as statements:
        found = api.data(SLIM, {"need": NEED, "first": 3}, key=key)["bestFitPartners"]
    assert len(found) == 3
    # the API key (on PostgreSQL it also sets the request's statement_timeout), the
    # industry, the products, the change log, the three partners' rows
    assert len(statements) == 5, statements


def test_a_publication_through_the_api_reaches_the_next_match(
    db: Database, api: GraphQLClient
) -> None:
    with db.session() as session, session.begin():
        ref = factories.reference_data(session)
        factories.partner(session, ref, "alpha-health", offices=(("Oslo", "NO", 59.9, 10.7),))
        key = factories.key(session, "vendor", vendor="acme")
        alpha = factories.key(session, "partner", partner="alpha-health")

    def success() -> dict[str, Any]:
        [match] = api.data(BEST_FIT, {"need": {"industry": "healthcare"}}, key=key)[
            "bestFitPartners"
        ]
        return {f["name"]: f for f in match["factors"]}["customer_success"]

    assert success()["evidence"].startswith("0 published responses")
    for number in range(5):  # the fifth answer publishes the partner's figures
        domain = f"clinic{number}.example"
        values = engagement_input("alpha-health", customerDomain=domain)
        engagement = record(api, key, alpha, **values)
        token = invite(api, key, engagement, f"cio@{domain}")
        assert submit(api, token, likelihoodToRecommend=10)["accepted"] is True
    assert success()["evidence"].startswith("NPS 100, 95% interval ")


def test_a_segment_withheld_by_subtraction_does_not_move_the_score(
    db: Database, api: GraphQLClient
) -> None:
    """6 answers in healthcare and 3 in retail: retail is under k, so healthcare is withheld
    too (overall minus healthcare would give retail back). Moving answers between the two
    segments, with the overall figures the same, must leave every score as it was."""

    def scores(healthcare: list[int], retail: list[int]) -> list[Any]:
        db.wipe()
        with db.session() as session, session.begin():
            ref = factories.reference_data(session)
            delta = factories.partner(session, ref, "delta")
            answers(session, ref, delta.id, "healthcare", healthcare)
            answers(session, ref, delta.id, "retail", retail, product="globex-erp")
            publish(session)
            key = factories.key(session, "vendor", vendor="acme")
        found = api.data(BEST_FIT, {"need": {"industry": "healthcare"}}, key=key)
        return found["bestFitPartners"]

    first = scores([10, 10, 10, 10, 10, 0], [0, 0, 0])
    second = scores([10, 10, 10, 0, 0, 0], [10, 10, 0])
    assert first == second
    industry = {f["name"]: f for f in first[0]["factors"]}["industry_success"]
    assert "withheld" in industry["evidence"]


def test_answers_under_k_weigh_as_none(db: Database, api: GraphQLClient) -> None:
    """A partner with 4 answers scores as the market; its answers show nowhere."""
    with db.session() as session, session.begin():
        ref = factories.reference_data(session)
        small = factories.partner(session, ref, "small")
        big = factories.partner(session, ref, "big")
        answers(session, ref, small.id, "healthcare", [0, 0, 0, 0])
        answers(session, ref, big.id, "retail", [10, 10, 9, 8, 7, 6, 3])
        publish(session)
        key = factories.key(session, "vendor", vendor="acme")
    found = {
        m["partner"]["slug"]: {f["name"]: f for f in m["factors"]}
        for m in api.data(BEST_FIT, {"need": {"industry": "healthcare"}}, key=key)[
            "bestFitPartners"
        ]
    }
    # No copy under k is published, so the market is big's 7: promoters 3, detractors 2
    market = 100 * (3 - 2) / 7
    assert found["small"]["customer_success"]["value"] == pytest.approx((market + 100) / 200)
    assert found["small"]["industry_success"]["value"] == pytest.approx((market + 100) / 200)
    assert "NPS -100" not in str(found["small"])


SET_STATUS = """
mutation($id: ID!, $status: String!) {
  setEngagementStatus(engagementId: $id, status: $status) { errors { code } }
}
"""


def test_an_engagement_agreed_through_the_api_reaches_the_next_match(
    db: Database, api: GraphQLClient
) -> None:
    """Delivery counts once both sides agreed; the partner's confirmation and the vendor's
    status change reach the match index through the change log, and buyers' data version
    does not move (nothing a buyer sees changed)."""
    with db.session() as session, session.begin():
        ref = factories.reference_data(session)
        factories.partner(session, ref, "alpha-health", offices=(("Oslo", "NO", 59.9, 10.7),))
        key = factories.key(session, "vendor", vendor="acme")
        alpha = factories.key(session, "partner", partner="alpha-health")
    need = {"products": ["acme-crm"]}

    def factors() -> dict[str, str]:
        [match] = api.data(BEST_FIT, {"need": need}, key=key)["bestFitPartners"]
        return {f["name"]: f["evidence"] for f in match["factors"]}

    assert factors()["product_experience"].startswith("0 verified engagements with Acme CRM")
    version = public_version(db)
    recorded = record(api, key, None, **engagement_input("alpha-health", status="in_progress"))
    assert factors()["go_live"] == "no verified engagement has ended yet"  # not agreed yet
    confirm(api, alpha, recorded)
    assert factors()["repeat_customers"] == "0 of 1 customer came back for another engagement"
    assert factors()["product_experience"].startswith("0 verified engagements")  # in progress
    body = api.data(SET_STATUS, {"id": recorded, "status": "completed"}, key=key)
    assert body["setEngagementStatus"]["errors"] == []
    assert factors()["product_experience"] == "1 verified engagement with Acme CRM"
    assert public_version(db) == version


def public_version(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(version_table.c.version)) or 0)
