"""The public on-track share of a partner's engagements in progress, published in steps.

The share counts the partner's agreed engagements in progress that have an answered pulse,
each by its latest answer: on track unless that answer put it at risk. Like every
published figure (api/services/publication.py) it is a copy that moves in steps: it is
republished only once at least K_ANONYMITY of its engagements changed since the copy (a
new latest answer, an engagement that joined or left), so comparing two copies never
shows one engagement's answer; a copy never counts fewer than K_ANONYMITY engagements
(below that the share is withheld, and the copy emptied). It is one set per partner with
no segments, so no two published sets of it can be subtracted. Days only: the copy keeps
the day it was made.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from api.metrics import K_ANONYMITY, is_withheld
from api.models import Engagement, agreed, published_pulses
from api.models.pulse import latest_answers
from api.services import changes

STEP = K_ANONYMITY
State = dict[int, tuple[int, bool]]  # engagement id -> (its latest pulse id, on track)


def in_flight(session: Session, partner_id: int) -> State:
    """The partner's agreed engagements in progress with an answer, by their latest one."""
    latest = latest_answers()
    rows = session.execute(
        select(latest.c.engagement_id, latest.c.pulse_id, latest.c.at_risk)
        .join(Engagement, Engagement.id == latest.c.engagement_id)
        .where(Engagement.partner_id == partner_id, Engagement.status == "in_progress", agreed())
    ).all()
    return {engagement: (pulse, not worried) for engagement, pulse, worried in rows}


def published(session: Session, partner_id: int) -> State:
    rows = session.execute(
        select(
            published_pulses.c.engagement_id,
            published_pulses.c.pulse_id,
            published_pulses.c.on_track,
        ).where(published_pulses.c.partner_id == partner_id)
    ).all()
    return {engagement: (pulse, on_track) for engagement, pulse, on_track in rows}


def changed(live: State, copy: State) -> int:
    """How many engagements the copy shows otherwise than they stand (or not at all)."""
    return sum(1 for key in live.keys() | copy.keys() if live.get(key) != copy.get(key))


def next_copy(live: State, copy: State) -> State | None:
    """The copy to publish given the live state and the published copy: None keeps the
    copy; an empty state withholds the share."""
    if changed(live, copy) < STEP:
        return None
    return {} if is_withheld(len(live)) else dict(live)


def refresh(*, session: Session, partner_id: int, today: date) -> bool:
    """Republish the partner's share when due; whether it was."""
    live = next_copy(in_flight(session, partner_id), published(session, partner_id))
    if live is None:
        return False
    session.execute(delete(published_pulses).where(published_pulses.c.partner_id == partner_id))
    if live:
        session.execute(
            insert(published_pulses),
            [
                {
                    "partner_id": partner_id,
                    "engagement_id": engagement,
                    "pulse_id": pulse,
                    "on_track": on_track,
                    "published_on": today,
                }
                for engagement, (pulse, on_track) in sorted(live.items())
            ],
        )
    changes.record(session, partner_id=partner_id, reason="figures")
    return True


def refresh_all(*, session: Session, today: date) -> int:
    """Every partner with a pulse or a copy (the schedule runs this); how many moved."""
    latest = latest_answers()
    partners = set(
        session.scalars(
            select(Engagement.partner_id).join(latest, latest.c.engagement_id == Engagement.id)
        )
    )
    partners |= set(session.scalars(select(published_pulses.c.partner_id)))
    return sum(refresh(session=session, partner_id=p, today=today) for p in sorted(partners))
