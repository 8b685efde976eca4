"""What partners say of a vendor's partner programme: one answer per partner, vendor and
quarter (a later answer that quarter replaces it). Published only per vendor and quarter,
never per partner (api/readers/program.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, UTCDateTime, utcnow

PROGRAM_THEMES = ("enablement", "support", "lead_sharing", "payments")
"""The 1-5 themes a partner rates, in the order they are shown."""


class ProgramFeedback(Base):
    __tablename__ = "program_feedback"
    __table_args__ = (
        UniqueConstraint("vendor_id", "partner_id", "quarter"),
        CheckConstraint("likelihood_to_recommend BETWEEN 0 AND 10", name="likelihood"),
        *(CheckConstraint(f"{theme} BETWEEN 1 AND 5", name=theme) for theme in PROGRAM_THEMES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendors.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    quarter: Mapped[str] = mapped_column(String(7))  # "2026-Q3", of the answer's UTC time
    likelihood_to_recommend: Mapped[int] = mapped_column(SmallInteger)
    enablement: Mapped[int | None] = mapped_column(SmallInteger)
    support: Mapped[int | None] = mapped_column(SmallInteger)
    lead_sharing: Mapped[int | None] = mapped_column(SmallInteger)
    payments: Mapped[int | None] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
