"""Pulse checks on a schedule, for an operator's timer (`vouch pulses send`).

An agreed engagement in progress is asked every EVERY_DAYS days, counted from its start;
a new partner's first FIRST_ENGAGEMENTS engagements every NEW_PARTNER_EVERY_DAYS (the
hand-holding the articles ask for). The schedule asks again whoever was asked before:
the vendor names the contact once with createPulseCheck. An engagement that already had
a pulse check in the current period (scheduled or not) gets nothing new, so running the
command twice in one period sends nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Engagement, PulseCheck, agreed
from api.services import pulse_publication
from api.services.pulses import send_pulse

EVERY_DAYS = 30
NEW_PARTNER_EVERY_DAYS = 14
FIRST_ENGAGEMENTS = 3


@dataclass(frozen=True)
class Sent:
    engagement_id: int
    email: str
    token: str


def _first_engagements(session: Session) -> set[int]:
    """Each partner's first FIRST_ENGAGEMENTS agreed engagements, by start, then id."""
    place = (
        func.row_number()
        .over(
            partition_by=Engagement.partner_id,
            order_by=(
                func.coalesce(Engagement.started_on, func.date(Engagement.created_at)),
                Engagement.id,
            ),
        )
        .label("place")
    )
    ranked = select(Engagement.id, place).where(agreed()).subquery()
    return set(session.scalars(select(ranked.c.id).where(ranked.c.place <= FIRST_ENGAGEMENTS)))


def period_start(started: date, today: date, every: int) -> date:
    """The first day of the period `today` falls in, periods of `every` days from `started`."""
    if today < started:
        return started
    return date.fromordinal(today.toordinal() - (today - started).days % every)


def send_due(
    *,
    session: Session,
    now: datetime,
    every: int = EVERY_DAYS,
    new_partner_every: int = NEW_PARTNER_EVERY_DAYS,
    actor: str = "cli:pulses",
) -> list[Sent]:
    """Send the pulse checks due today; the tokens, shown once."""
    first = _first_engagements(session)
    ongoing = session.scalars(
        select(Engagement)
        .where(Engagement.status == "in_progress", agreed())
        .order_by(Engagement.id)
    ).all()
    moment = now.astimezone(UTC)
    today = moment.date()
    sent: list[Sent] = []
    for engagement in ongoing:
        asked = session.execute(
            select(PulseCheck.email, PulseCheck.created_at)
            .where(PulseCheck.engagement_id == engagement.id)
            .order_by(PulseCheck.id)
        ).all()
        if not asked:
            continue
        started = engagement.started_on or engagement.created_at.date()
        cadence = new_partner_every if engagement.id in first else every
        since = period_start(started, today, cadence)
        if any(created.date() >= since for _, created in asked):
            continue
        for email in dict.fromkeys(email for email, _ in asked):
            _, token = send_pulse(
                session=session,
                engagement=engagement,
                address=email,
                actor=actor,
                moment=moment,
                scheduled=True,
            )
            sent.append(Sent(engagement_id=engagement.id, email=email, token=token))
    pulse_publication.refresh_all(session=session, today=today)
    return sent
