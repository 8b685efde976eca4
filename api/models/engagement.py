"""Customers, the engagements partners deliver for them, and the surveys that verify them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, UTCDateTime, utcnow
from api.vocabulary import (
    CUSTOMER_SIZE_BANDS,
    ENGAGEMENT_STATUSES,
    RATING_COLUMNS,
    RECORDED_BY,
    SELECTION_REASONS,
    sql_in,
)


class Customer(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(sql_in("size_band", CUSTOMER_SIZE_BANDS), name="size_band"),
        CheckConstraint("length(country) = 2", name="country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email_domain: Mapped[str] = mapped_column(String(253), unique=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industries.id"), index=True)
    size_band: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(2))


class Engagement(Base):
    __tablename__ = "engagements"
    __table_args__ = (
        CheckConstraint(sql_in("status", ENGAGEMENT_STATUSES), name="status"),
        CheckConstraint(sql_in("selection_reason", SELECTION_REASONS), name="selection_reason"),
        CheckConstraint("budget >= 0", name="budget"),
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates"),
        CheckConstraint(sql_in("recorded_by", RECORDED_BY), name="recorded_by"),
        # A refusal is kept with its reason, and a refused engagement never counts.
        CheckConstraint("(disputed_at IS NULL) = (dispute_reason IS NULL)", name="dispute_reason"),
        CheckConstraint("disputed_at IS NULL OR NOT confirmed", name="disputed_unconfirmed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id"), index=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industries.id"), index=True)
    budget: Mapped[int | None]
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    selection_reason: Mapped[str | None] = mapped_column(String(32))
    # Answers count only once both sides agreed the engagement happened: the side that
    # recorded it (`recorded_by`) waits for the other side's confirmation; an admin's or an
    # operator's import is confirmed at once (api/services/engagements.py).
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(8), default="admin")
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def agreed() -> ColumnElement[bool]:
    """The engagements both sides agreed happened: confirmed, and not disputed. Only these
    count, for the figures and for every piece of evidence matching reads."""
    return and_(Engagement.confirmed.is_(True), Engagement.disputed_at.is_(None))


engagement_products = Table(
    "engagement_products",
    Base.metadata,
    Column("engagement_id", ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
)


class SurveyInvitation(Base):
    __tablename__ = "survey_invitations"
    # One invitation per person per engagement: a vendor cannot stuff the ballot by re-asking.
    __table_args__ = (UniqueConstraint("engagement_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    # SHA-256 of the token; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _score(column: str, low: int, high: int) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN {low} AND {high}", name=column)


class SurveyResponse(Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        _score("likelihood_partner", 0, 10),
        _score("likelihood_vendor", 0, 10),
        *(_score(column, 1, 5) for column in RATING_COLUMNS),
        CheckConstraint(sql_in("selection_reason", SELECTION_REASONS), name="selection_reason"),
        CheckConstraint("NOT voided OR void_reason IS NOT NULL", name="void_reason"),
        Index("ix_survey_responses_partner_live", "partner_id", "voided"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One response per invitation, enforced by the database (two racing submits: one wins).
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("survey_invitations.id", ondelete="CASCADE"), unique=True
    )
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    likelihood_partner: Mapped[int] = mapped_column(SmallInteger)
    likelihood_vendor: Mapped[int | None] = mapped_column(SmallInteger)
    rating_overall: Mapped[int | None] = mapped_column(SmallInteger)
    rating_quality: Mapped[int | None] = mapped_column(SmallInteger)
    rating_schedule: Mapped[int | None] = mapped_column(SmallInteger)
    rating_budget: Mapped[int | None] = mapped_column(SmallInteger)
    rating_communication: Mapped[int | None] = mapped_column(SmallInteger)
    rating_expertise: Mapped[int | None] = mapped_column(SmallInteger)
    went_live: Mapped[bool | None]
    on_time: Mapped[bool | None]
    on_budget: Mapped[bool | None]
    goals_met: Mapped[bool | None]
    would_hire_again: Mapped[bool | None]
    selection_reason: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    respondent_name: Mapped[str | None] = mapped_column(String(200))
    respondent_title: Mapped[str | None] = mapped_column(String(200))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The response's place among its partner's responses (1, 2, ...), given under the lock
    # of the partner's tally row: a published figure counts the responses up to a place.
    partner_seq: Mapped[int | None] = mapped_column(Integer)
    # What the public sees as the review's id: random, so it does not tell the order.
    review_key: Mapped[str | None] = mapped_column(String(24), unique=True)
