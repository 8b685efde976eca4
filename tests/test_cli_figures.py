"""`vouch responses void` and `vouch figures rebuild`, run as the operator runs them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from api.models import AuditEntry, SurveyResponse, live_market, partner_tallies
from api.services.apikeys import Caller
from api.services.engagement_agreement import confirm_engagement
from api.services.engagements import EngagementDraft, record_engagement
from api.services.surveys import SurveyAnswers, create_invitation, submit_response
from tests import factories
from tests.cli_runner import vouch
from tests.databases import Database

SCORES = (10, 9, 3)


@pytest.fixture
def response_ids(db: Database) -> list[int]:
    return seed_responses(db)


def seed_responses(db: Database) -> list[int]:
    """One completed engagement of alpha-health for acme (recorded by acme, confirmed by
    alpha-health), answered once per score."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        alpha = factories.partner(session, world, "alpha-health")
        acme = world.vendors["acme"]
        caller = Caller(role="vendor", vendor_id=acme.id, vendor_slug="acme")
        partner = Caller(role="partner", partner_id=alpha.id, partner_slug="alpha-health")
        engagement = record_engagement(
            session=session,
            caller=caller,
            draft=EngagementDraft(
                partner_slug="alpha-health",
                customer_name="Mercy Hospital",
                customer_domain="mercy.example",
                industry="healthcare",
                status="completed",
                products=("acme-crm",),
                selection_reason="peer_referral",
            ),
        )
        confirm_engagement(session=session, caller=partner, engagement_id=engagement.id)
        ids = []
        for number, score in enumerate(SCORES):
            _, token = create_invitation(
                session=session,
                caller=caller,
                engagement_id=engagement.id,
                email=f"person{number}@mercy.example",
            )
            answers = SurveyAnswers(likelihood_to_recommend=score, questions={"rating_overall": 4})
            ids.append(submit_response(session=session, token=token, answers=answers).id)
        return ids


def all_row(db: Database) -> dict[str, Any]:
    with db.session() as session:
        row = (
            session.execute(select(partner_tallies).where(partner_tallies.c.kind == "all"))
            .mappings()
            .one()
        )
    return dict(row)


def tallies(db: Database) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    with db.session() as session:
        partner = session.execute(
            select(partner_tallies).order_by(*partner_tallies.primary_key.columns)
        ).mappings()
        market = session.execute(
            live_market().order_by(partner_tallies.c.kind, partner_tallies.c.segment)
        ).mappings()
        return [dict(r) for r in partner], [dict(r) for r in market]


def void_entries(db: Database) -> list[tuple[str, str, dict[str, Any]]]:
    with db.session() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "response.void")
        ).all()
    return [(e.actor, e.entity_id, e.details) for e in entries]


def test_voiding_a_response_moves_the_figures_once(
    db: Database, response_ids: list[int], tmp_path: Path
) -> None:
    before = all_row(db)
    target = response_ids[0]  # the 10

    first = vouch(
        "responses", "void", str(target), "--reason", "respondent works for the partner",
        db=db, data_dir=tmp_path,
    )  # fmt: skip
    after = all_row(db)
    again = vouch(
        "responses", "void", str(target), "--reason", "respondent works for the partner",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    assert first.returncode == 0, first.stderr
    assert f"voided response {target}" in first.stdout
    assert "alpha-health" in first.stdout
    assert (before["n"], before["lp_10"]) == (3, 1)
    assert (after["n"], after["lp_10"], after["lp_9"], after["lp_3"]) == (2, 0, 1, 1)
    assert void_entries(db) == [
        (
            "cli",
            str(target),
            {"reason": "respondent works for the partner", "partner_id": before["partner_id"]},
        )
    ]
    with db.session() as session:
        voided = session.get_one(SurveyResponse, target)
    assert voided.voided is True

    assert again.returncode == 1
    assert "already void" in again.stderr
    assert "Traceback" not in again.stderr
    assert all_row(db) == after
    assert len(void_entries(db)) == 1


def test_a_void_of_an_unknown_response_or_without_a_reason_fails_cleanly(
    db: Database, response_ids: list[int], tmp_path: Path
) -> None:
    before = tallies(db)

    unknown = vouch(
        "responses", "void", "999999", "--reason", "duplicate", db=db, data_dir=tmp_path
    )
    short = vouch(
        "responses", "void", str(response_ids[1]), "--reason", "x", db=db, data_dir=tmp_path
    )

    assert unknown.returncode == 1
    assert "no survey response 999999" in unknown.stderr
    assert short.returncode == 1
    assert "reason of at least 5 characters" in short.stderr
    assert "Traceback" not in unknown.stderr + short.stderr
    assert tallies(db) == before
    assert void_entries(db) == []


@pytest.mark.parametrize("given", ["99999999999999999999999", "2147483648", "0", "-5", "12abc"])
def test_a_response_id_out_of_range_is_a_one_line_error(
    db: Database, response_ids: list[int], tmp_path: Path, given: str
) -> None:
    before = tallies(db)

    result = vouch("responses", "void", given, "--reason", "duplicate", db=db, data_dir=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"vouch responses void: error: argument ID: {given!r} is not a response id: "
        "give a whole number from 1 to 2147483647"
    )
    assert tallies(db) == before


def test_the_largest_response_id_is_looked_up_like_any_other(
    db: Database, response_ids: list[int], tmp_path: Path
) -> None:
    largest = str(2**31 - 1)  # INTEGER ids, 32 bits on PostgreSQL

    result = vouch("responses", "void", largest, "--reason", "duplicate", db=db, data_dir=tmp_path)

    assert result.returncode == 1
    assert result.stderr == f"vouch: no survey response {largest}\n"


def test_figures_rebuild_restores_corrupted_tallies(
    db: Database, response_ids: list[int], tmp_path: Path
) -> None:
    correct = tallies(db)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE partner_tallies SET n = 999, lp_10 = 999 WHERE kind = 'all'")
        )
    assert all_row(db)["n"] == 999

    result = vouch("figures", "rebuild", db=db, data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "3 live responses" in result.stdout
    assert f"{len(correct[0])} partner tally rows" in result.stdout
    assert f"{len(correct[1])} market tally rows" in result.stdout
    assert result.stdout.rstrip().endswith("s")  # the time taken, e.g. "in 0.03s"
    row = all_row(db)
    assert (row["n"], row["lp_10"], row["lp_9"], row["lp_3"], row["invitations"]) == (
        3,
        1,
        1,
        1,
        3,
    )
    assert tallies(db) == correct
