"""Stored tallies of live survey responses, so reading figures never scans responses.

Each row holds the integer columns of `api.metrics.Tally` (counts per answer, sums), kept
up to date in the same transaction as a submit or a void, and rebuilt by `vouch figures
rebuild`. A partner has one row per segment: kind 'all' (segment ''), 'industry' (the
industry id), 'product' (the product id) and 'quarter' ('2026-Q3', by response date).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Table

from api.metrics import TALLY_COLUMNS
from api.models.base import Base, UTCDateTime

SEGMENT_KINDS = ("all", "industry", "product", "quarter")
MARKET_KINDS = ("all", "reason")


def _tally_columns() -> list[Column[int]]:
    return [Column(name, Integer, nullable=False, default=0) for name in TALLY_COLUMNS]


partner_tallies = Table(
    "partner_tallies",
    Base.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("segment", String(32), primary_key=True),
    *_tally_columns(),
    Column("engagements_covered", Integer, nullable=False, default=0),
    # Invitations are counted on the 'all' row only; segments stay 0.
    Column("invitations", Integer, nullable=False, default=0),
    Column("latest_response_at", UTCDateTime),
)

market_tallies = Table(
    "market_tallies",
    Base.metadata,
    Column("kind", String(16), primary_key=True),
    Column("segment", String(32), primary_key=True),
    *_tally_columns(),
)
