"""Pulse checks while an engagement is in progress, partners' notes, and the published
on-track share (api/services/pulses.py, api/services/pulse_publication.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Subquery,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, UTCDateTime, utcnow


class PulseCheck(Base):
    """One single-use link to a contact at the customer, and its answer once used."""

    __tablename__ = "pulse_checks"
    __table_args__ = (
        CheckConstraint("confidence BETWEEN 0 AND 10", name="confidence"),
        CheckConstraint("(used_at IS NULL) = (confidence IS NULL)", name="answered"),
        CheckConstraint("(used_at IS NULL) = (at_risk IS NULL)", name="at_risk"),
        Index("ix_pulse_checks_engagement_used", "engagement_id", "used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Sent by `vouch pulses send` (a schedule) rather than by a vendor's request.
    scheduled: Mapped[bool] = mapped_column(Boolean, default=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confidence: Mapped[int | None] = mapped_column(SmallInteger)
    # The named risks, comma-separated in the order of api.vocabulary.PULSE_RISKS.
    risks: Mapped[str | None] = mapped_column(String(120))
    comment: Mapped[str | None] = mapped_column(Text)
    # Worked out when answered, against the engagement's previous answer (api.metrics.pulse).
    at_risk: Mapped[bool | None] = mapped_column(Boolean)


class EngagementNote(Base):
    """A partner's word on one of its engagements, for its vendor (e.g. on a worried pulse)."""

    __tablename__ = "engagement_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(8))  # partner or admin
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# The engagements a partner's published on-track share counts, each with the pulse that was
# its latest at publication; the share is read from these rows alone, and changes only in
# steps (api/services/pulse_publication.py).
published_pulses = Table(
    "published_pulses",
    Base.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("pulse_id", ForeignKey("pulse_checks.id", ondelete="CASCADE"), nullable=False),
    Column("on_track", Boolean, nullable=False),
    Column("published_on", Date, nullable=False),
)


def latest_answers() -> Subquery:
    """Each engagement's latest answered pulse (engagement_id, pulse_id, confidence, risks,
    at_risk, used_at, answers: how many it has): the one definition of "latest" that the
    early warning, the published share and the schedule read."""
    ranked = (
        select(
            PulseCheck.engagement_id,
            PulseCheck.id.label("pulse_id"),
            PulseCheck.confidence,
            PulseCheck.risks,
            PulseCheck.at_risk,
            PulseCheck.used_at,
            func.row_number()
            .over(
                partition_by=PulseCheck.engagement_id,
                order_by=(PulseCheck.used_at.desc(), PulseCheck.id.desc()),
            )
            .label("place"),
            func.count().over(partition_by=PulseCheck.engagement_id).label("answers"),
        )
        .where(PulseCheck.used_at.is_not(None))
        .subquery()
    )
    return (
        select(
            ranked.c.engagement_id,
            ranked.c.pulse_id,
            ranked.c.confidence,
            ranked.c.risks,
            ranked.c.at_risk,
            ranked.c.used_at,
            ranked.c.answers,
        )
        .where(ranked.c.place == 1)
        .subquery("latest_pulse")
    )
