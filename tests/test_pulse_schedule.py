"""`vouch pulses send`: pulse checks on a schedule, once a period, to whoever was asked
before; a new partner's first three engagements more often (issue 22, item 1)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Engagement, PulseCheck
from api.services import engagements, pulses
from api.services.apikeys import Caller
from api.services.pulse_schedule import period_start, send_due
from tests import factories
from tests.cli_runner import vouch
from tests.databases import Database

ADMIN = Caller(role="admin", source="test")


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)


def engagement(session: Session, domain: str, started: str, status: str = "in_progress") -> int:
    draft = engagements.EngagementDraft(
        partner_slug="alpha-health",
        vendor_slug="acme",
        customer_name=domain,
        customer_domain=domain,
        industry="healthcare",
        status=status,
        started_on=date.fromisoformat(started),
    )
    return engagements.record_engagement(session=session, caller=ADMIN, draft=draft).id


def world(session: Session) -> tuple[int, int]:
    """alpha-health's three first engagements (one in progress), then a fourth in progress;
    each in progress was sent a pulse check on 5 January."""
    refs = factories.reference_data(session)
    factories.partner(session, refs, "alpha-health", industries=("healthcare",))
    engagement(session, "a.example", "2025-06-01", status="completed")
    first = engagement(session, "b.example", "2026-01-01")
    engagement(session, "c.example", "2025-09-01", status="completed")
    later = engagement(session, "d.example", "2026-01-01")
    engagement(session, "e.example", "2026-01-01")  # never asked: the schedule skips it
    for engagement_id, email in ((first, "pm@b.example"), (later, "pm@d.example")):
        pulses.create_pulse_check(
            session=session,
            caller=ADMIN,
            engagement_id=engagement_id,
            email=email,
            now=at("2026-01-05"),
        )
    return first, later


def sent_to(session: Session, day: str) -> list[tuple[int, str]]:
    return [(s.engagement_id, s.email) for s in send_due(session=session, now=at(day))]


def test_periods_count_from_the_start() -> None:
    start = date(2026, 1, 1)
    assert period_start(start, date(2026, 1, 30), 30) == date(2026, 1, 1)
    assert period_start(start, date(2026, 1, 31), 30) == date(2026, 1, 31)
    assert period_start(start, date(2026, 3, 1), 30) == date(2026, 1, 31)
    assert period_start(start, date(2026, 3, 2), 30) == date(2026, 3, 2)
    assert period_start(start, date(2026, 1, 15), 14) == date(2026, 1, 15)


def test_once_a_period_and_sooner_for_a_new_partners_first_engagements(db: Database) -> None:
    with db.session() as session, session.begin():
        first, later = world(session)

        # 14 days: still the first period of both, asked on 5 January
        assert sent_to(session, "2026-01-14") == []
        # 15 days: a new period for the partner's first engagements (every 14 days)
        assert sent_to(session, "2026-01-15") == [(first, "pm@b.example")]
        # twice the same day, or later in the same period: nothing new
        assert sent_to(session, "2026-01-15") == []
        assert sent_to(session, "2026-01-28") == []
        # the first's third period starts on 29 January; the fourth's second on 31 January
        assert sent_to(session, "2026-01-29") == [(first, "pm@b.example")]
        assert sent_to(session, "2026-01-31") == [(later, "pm@d.example")]
        assert sent_to(session, "2026-02-01") == []
        scheduled = session.scalar(
            select(func.count()).select_from(PulseCheck).where(PulseCheck.scheduled.is_(True))
        )
        assert scheduled == 3


def test_an_engagement_no_longer_in_progress_is_not_asked(db: Database) -> None:
    with db.session() as session, session.begin():
        first, later = world(session)
        for engagement_id in (first, later):
            session.get_one(Engagement, engagement_id).status = "completed"

        assert sent_to(session, "2026-03-01") == []


def test_the_command_prints_one_line_per_new_check_and_nothing_the_second_time(
    db: Database, tmp_path: Path
) -> None:
    with db.session() as session, session.begin():
        first, later = world(session)

    once = vouch("pulses", "send", db=db, data_dir=tmp_path)
    twice = vouch("pulses", "send", db=db, data_dir=tmp_path)

    assert once.returncode == twice.returncode == 0, once.stderr + twice.stderr
    lines = [line.split("\t") for line in once.stdout.splitlines()]
    assert [(int(e), email) for e, email, _ in lines] == [
        (first, "pm@b.example"),
        (later, "pm@d.example"),
    ]
    assert all(len(token) >= 43 for _, _, token in lines)
    assert once.stderr.strip() == "sent 2 pulse checks"
    assert twice.stdout == ""
    assert twice.stderr.strip() == "sent 0 pulse checks"
