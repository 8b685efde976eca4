"""Reading pulse checks: an engagement's early warning (for its vendor, its partner and
admins only), the engagements at risk, and the public on-track share (published copies)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from api.models import Engagement, EngagementNote, published_pulses
from api.models.pulse import latest_answers


@dataclass(frozen=True)
class PulseStatus:
    latest_confidence: int | None
    answers: int
    at_risk: bool
    risks: tuple[str, ...]


NO_ANSWER = PulseStatus(latest_confidence=None, answers=0, at_risk=False, risks=())


@dataclass(frozen=True)
class OnTrackShare:
    """A partner's published share: `on_track` of `engagements` in progress."""

    engagements: int
    on_track: int
    published_on: date

    @property
    def share(self) -> float:
        return self.on_track / self.engagements


def pulse_statuses(session: Session, engagement_ids: Sequence[int]) -> dict[int, PulseStatus]:
    """Each engagement's state by its latest answer; NO_ANSWER for those without one."""
    latest = latest_answers()
    rows = session.execute(
        select(
            latest.c.engagement_id,
            latest.c.confidence,
            latest.c.answers,
            latest.c.at_risk,
            latest.c.risks,
        ).where(latest.c.engagement_id.in_(list(engagement_ids)))
    ).all()
    found = {
        row.engagement_id: PulseStatus(
            latest_confidence=row.confidence,
            answers=row.answers,
            at_risk=bool(row.at_risk),
            risks=tuple(row.risks.split(",")) if row.risks else (),
        )
        for row in rows
    }
    return {i: found.get(i, NO_ANSWER) for i in engagement_ids}


def at_risk_page(
    session: Session,
    *,
    partner_id: int | None,
    vendor_id: int | None,
    offset: int,
    limit: int,
) -> tuple[list[Engagement], int]:
    """The engagements in progress whose latest answer is at risk, newest answer first,
    narrowed to one partner's or one vendor's (neither: an admin's view of all)."""
    latest = latest_answers()
    where: list[ColumnElement[bool]] = [
        latest.c.at_risk.is_(True),
        Engagement.status == "in_progress",
    ]
    if partner_id is not None:
        where.append(Engagement.partner_id == partner_id)
    if vendor_id is not None:
        where.append(Engagement.vendor_id == vendor_id)
    base = select(Engagement).join(latest, latest.c.engagement_id == Engagement.id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(
        base.order_by(latest.c.used_at.desc(), Engagement.id.desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def notes_of(session: Session, engagement_ids: Sequence[int]) -> dict[int, list[EngagementNote]]:
    found: dict[int, list[EngagementNote]] = {i: [] for i in engagement_ids}
    for note in session.scalars(
        select(EngagementNote)
        .where(EngagementNote.engagement_id.in_(list(engagement_ids)))
        .order_by(EngagementNote.created_at, EngagementNote.id)
    ):
        found[note.engagement_id].append(note)
    return found


def on_track_shares(session: Session, partner_ids: Sequence[int]) -> dict[int, OnTrackShare | None]:
    """The published shares of these partners; a partner without a copy is withheld."""
    copy = published_pulses.c
    rows = session.execute(
        select(
            copy.partner_id,
            func.count(),
            func.sum(case((copy.on_track.is_(True), 1), else_=0)),
            func.max(copy.published_on),
        )
        .where(copy.partner_id.in_(list(partner_ids)))
        .group_by(copy.partner_id)
    ).all()
    found = {
        partner: OnTrackShare(engagements=n, on_track=int(on_track or 0), published_on=day)
        for partner, n, on_track, day in rows
    }
    return {partner: found.get(partner) for partner in partner_ids}
