"""One token, many simultaneous submits: exactly one response counts (PostgreSQL).

The respondent double-clicks, or a replayed request races the first one. Each attempt
runs in its own thread with its own session and transaction, released together by a
barrier right before `submit_response`; the database must let exactly one through.
Also: simultaneous submits of different tokens all count, and simultaneous voids of one
response subtract it once.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.errors import DomainError
from api.models import SurveyInvitation, SurveyResponse, live_market, partner_tallies
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement
from api.services.figures_consistency import figures_consistency, tally_snapshots
from api.services.surveys import (
    SurveyAnswers,
    create_invitation,
    submit_response,
    void_response,
)
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import SUBMIT

ADMIN = Caller(role="admin")


@pytest.fixture(autouse=True)
def _postgresql_only(db: Database) -> None:
    if db.backend != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite has one writer and the API takes SQLite requests in "
            "turn; sessions racing outside it get 'database is locked', not TOKEN_USED"
        )


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    code: str | None = None  # the DomainError code when refused
    unexpected: BaseException | None = None


@pytest.fixture
def token(db: Database) -> str:
    """A fresh invitation to the survey of a completed engagement of alpha-health."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")
        draft = EngagementDraft(
            partner_slug="alpha-health",
            customer_name="Mercy Hospital",
            customer_domain="mercy.example",
            industry="healthcare",
            status="completed",
            products=("acme-crm",),
            selection_reason="peer_referral",
        )
        engagement = record_engagement(session=session, caller=ADMIN, draft=draft)
        _, plaintext = create_invitation(
            session=session, caller=ADMIN, engagement_id=engagement.id, email="cio@mercy.example"
        )
    return plaintext


def _attempt(db: Database, token: str, score: int, barrier: threading.Barrier) -> Outcome:
    """One submit in its own transaction, started together with the others."""
    with db.session() as session:
        session.begin()
        session.connection()  # check out the connection before the start line
        barrier.wait(timeout=10)
        try:
            submit_response(
                session=session, token=token, answers=SurveyAnswers(likelihood_to_recommend=score)
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            return Outcome(accepted=False, code=error.problems[0].code)
        except Exception as error:  # any other failure is a finding, not a crash of the test
            session.rollback()
            return Outcome(accepted=False, unexpected=error)
    return Outcome(accepted=True)


def _counts(db: Database) -> tuple[int, int, int]:
    """(response rows, voided or not; the partner's stored n; the market's stored n)."""
    with db.session() as session:
        responses = session.scalar(select(func.count()).select_from(SurveyResponse)) or 0
        partner_n = session.scalar(
            select(partner_tallies.c.n).where(partner_tallies.c.kind == "all")
        )
        market_n = session.scalar(
            select(live_market().where(partner_tallies.c.kind == "all").subquery().c.n)
        )
    return responses, partner_n or 0, market_n or 0


@pytest.mark.parametrize("racers", [2, 8])
def test_simultaneous_submits_with_one_token_count_once(
    db: Database, token: str, racers: int
) -> None:
    # given: `racers` threads, each with its own session, waiting at one barrier
    barrier = threading.Barrier(racers)

    # when: they all submit the same token at once
    with ThreadPoolExecutor(max_workers=racers) as pool:
        futures = [pool.submit(_attempt, db, token, score, barrier) for score in range(racers)]
        outcomes = [future.result(timeout=60) for future in futures]

    # then: one accepted, every other one refused as TOKEN_USED, one response counted
    assert [o.unexpected for o in outcomes if o.unexpected] == []
    assert sum(o.accepted for o in outcomes) == 1
    assert [o.code for o in outcomes if not o.accepted] == ["TOKEN_USED"] * (racers - 1)
    assert _counts(db) == (1, 1, 1)
    with db.session() as session:
        assert session.scalar(select(SurveyInvitation.used_at)) is not None


def test_simultaneous_submits_with_different_tokens_all_count(db: Database, token: str) -> None:
    # given: eight more invitations, on two engagements of the same partner
    racers = 8
    with db.session() as session, session.begin():
        first = session.scalar(select(SurveyInvitation.engagement_id))
        assert first is not None
        draft = EngagementDraft(
            partner_slug="alpha-health",
            customer_name="Saint Luke",
            customer_domain="stluke.example",
            industry="retail",
            status="completed",
            products=("acme-crm", "globex-erp"),
        )
        second = record_engagement(session=session, caller=ADMIN, draft=draft).id
        tokens = [
            create_invitation(
                session=session,
                caller=ADMIN,
                engagement_id=(first, second)[number % 2],
                email=f"person{number}@{('mercy', 'stluke')[number % 2]}.example",
            )[1]
            for number in range(racers)
        ]
    barrier = threading.Barrier(racers)

    # when: each thread submits its own token, all at once
    with ThreadPoolExecutor(max_workers=racers) as pool:
        futures = [
            pool.submit(_attempt, db, tokens[number], number + 3, barrier)
            for number in range(racers)
        ]
        outcomes = [future.result(timeout=60) for future in futures]

    # then: every one counts, and the stored tallies equal a rebuild
    assert outcomes == [Outcome(accepted=True)] * racers
    assert _counts(db) == (racers, racers, racers)
    with db.session() as session:
        assert figures_consistency(session=session) == []
        partners, _market = tally_snapshots(session)
    [overall] = [row for key, row in partners.items() if key[1] == "all"]
    assert overall["engagements_covered"] == 2


def _void_attempt(db: Database, response_id: int, barrier: threading.Barrier) -> Outcome:
    with db.session() as session:
        session.begin()
        session.connection()
        barrier.wait(timeout=10)
        try:
            void_response(
                session=session, actor="test", response_id=response_id, reason="duplicate fraud"
            )
            session.commit()
        except DomainError as error:
            session.rollback()
            return Outcome(accepted=False, code=error.problems[0].code)
        except Exception as error:
            session.rollback()
            return Outcome(accepted=False, unexpected=error)
    return Outcome(accepted=True)


def test_simultaneous_voids_of_one_response_subtract_it_once(db: Database, token: str) -> None:
    # given: two responses, one of which two operators void at the same moment
    with db.session() as session, session.begin():
        engagement_id = session.scalar(select(SurveyInvitation.engagement_id))
        assert engagement_id is not None
        other = create_invitation(
            session=session, caller=ADMIN, engagement_id=engagement_id, email="cfo@mercy.example"
        )[1]
        target = submit_response(
            session=session, token=token, answers=SurveyAnswers(likelihood_to_recommend=0)
        ).id
        submit_response(
            session=session, token=other, answers=SurveyAnswers(likelihood_to_recommend=10)
        )
    racers = 4
    barrier = threading.Barrier(racers)

    # when
    with ThreadPoolExecutor(max_workers=racers) as pool:
        futures = [pool.submit(_void_attempt, db, target, barrier) for _ in range(racers)]
        outcomes = [future.result(timeout=60) for future in futures]

    # then: one void, the others ALREADY_VOID; the tallies lost exactly one response
    assert [o.unexpected for o in outcomes if o.unexpected] == []
    assert sum(o.accepted for o in outcomes) == 1
    assert [o.code for o in outcomes if not o.accepted] == ["ALREADY_VOID"] * (racers - 1)
    assert _counts(db) == (2, 1, 1)
    with db.session() as session:
        assert figures_consistency(session=session) == []


def test_simultaneous_submits_over_http_accept_exactly_one(
    db: Database, api: GraphQLClient, token: str
) -> None:
    # given: eight clients, each with its own connection, released together
    racers = 8
    barrier = threading.Barrier(racers)

    def post(score: int) -> dict[str, Any]:
        with httpx.Client(timeout=30) as http:
            client = GraphQLClient(base_url=api.base_url, http=http)
            client.execute("{ __typename }")  # open the connection before the start line
            barrier.wait(timeout=10)
            variables = {"token": token, "input": {"likelihoodToRecommend": score}}
            result: dict[str, Any] = client.data(SUBMIT, variables)["submitSurveyResponse"]
            return result

    # when
    with ThreadPoolExecutor(max_workers=racers) as pool:
        results = list(pool.map(post, range(racers)))

    # then
    accepted = [r for r in results if r["accepted"] is True]
    refused = [r for r in results if r["accepted"] is False]
    assert accepted == [{"accepted": True, "errors": []}]
    assert len(refused) == racers - 1
    for result in refused:
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("token", "TOKEN_USED")]
    assert _counts(db) == (1, 1, 1)
