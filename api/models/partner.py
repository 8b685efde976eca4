"""Partners and what they say about themselves (offices, claims, certifications, references)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.models.base import Base, UTCDateTime, utcnow
from api.vocabulary import EMPLOYEE_BANDS, sql_in


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (
        CheckConstraint(sql_in("employee_band", EMPLOYEE_BANDS), name="employee_band"),
        CheckConstraint("founded_year BETWEEN 1800 AND 2100", name="founded_year"),
        CheckConstraint("hourly_rate_min >= 0", name="hourly_rate_min"),
        CheckConstraint("hourly_rate_max >= hourly_rate_min", name="hourly_rate_order"),
        CheckConstraint("min_project_budget >= 0", name="min_project_budget"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("delivery_capacity BETWEEN 1 AND 1000", name="delivery_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    summary: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(300))
    headquarters_city: Mapped[str | None] = mapped_column(String(120))
    headquarters_country: Mapped[str | None] = mapped_column(String(2))
    employee_band: Mapped[str | None] = mapped_column(String(16))
    founded_year: Mapped[int | None]
    partner_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    hourly_rate_min: Mapped[int | None]
    hourly_rate_max: Mapped[int | None]
    min_project_budget: Mapped[int | None]
    # Projects the partner says it can run at once: matching's capacity factor reads it
    # against its agreed engagements in progress. None: not declared (neutral).
    delivery_capacity: Mapped[int | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The ranking score minus the market NPS, both at the ranking basis's market NPS
    # (api/services/ranking_keys.py): 0 for a partner without published figures.
    ranking_key: Mapped[float] = mapped_column(Float, default=0.0, index=True)


class Office(Base):
    __tablename__ = "offices"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude"),
        CheckConstraint("length(country) = 2", name="country"),
        # A country filter finds its partners from this index alone (migration 0007).
        Index("ix_offices_country_partner_id", "country", "partner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    city: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    is_headquarters: Mapped[bool] = mapped_column(Boolean, default=False)


# The industries and products a partner claims; evidence comes from engagements.
partner_industries = Table(
    "partner_industries",
    Base.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("industry_id", ForeignKey("industries.id", ondelete="CASCADE"), primary_key=True),
    # Filters and counts by industry read the partners of an industry from here (0007).
    Index("ix_partner_industries_industry_id", "industry_id", "partner_id"),
)

partner_products = Table(
    "partner_products",
    Base.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("products.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_partner_products_product_id", "product_id", "partner_id"),
)


class Certification(Base):
    __tablename__ = "certifications"
    __table_args__ = (CheckConstraint("year BETWEEN 1980 AND 2100", name="year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendors.id", ondelete="SET NULL"))
    year: Mapped[int | None]


class Reference(Base):
    __tablename__ = "partner_references"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    customer_name: Mapped[str | None] = mapped_column(String(200))
    industry_id: Mapped[int | None] = mapped_column(
        ForeignKey("industries.id", ondelete="SET NULL")
    )
    summary: Mapped[str | None] = mapped_column(Text)
    year: Mapped[int | None]


class VendorProgramMembership(Base):
    """What a vendor's partner program says of a partner: tier, revenue, sponsorship.

    Kept so it can be shown for what it is; no figure and no ranking ever reads it.
    """

    __tablename__ = "vendor_program_memberships"
    __table_args__ = (CheckConstraint("annual_revenue >= 0", name="annual_revenue"),)

    vendor_id: Mapped[int] = mapped_column(
        ForeignKey("vendors.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    tier: Mapped[str] = mapped_column(String(40))
    annual_revenue: Mapped[int] = mapped_column(Integer, default=0)
    sponsored: Mapped[bool] = mapped_column(Boolean, default=False)
