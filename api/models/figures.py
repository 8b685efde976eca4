"""Stored tallies of live survey responses, so reading figures never scans responses.

Each row holds the integer columns of `api.metrics.Tally` (counts per answer, sums), kept
up to date in the same transaction as a submit or a void, and rebuilt by `vouch figures
rebuild`. A partner has one row per segment: kind 'all' (segment ''), 'industry' (the
industry id), 'product' (the product id), 'quarter' ('2026-Q3', by response date) and
'reason' (why the customer chose it: summed into the market figures, never shown alone).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    Select,
    String,
    Table,
    case,
    false,
    func,
    select,
)
from sqlalchemy.sql import ColumnCollection

from api.metrics import PARTNER_LIKELIHOOD_COLUMNS, TALLY_COLUMNS
from api.models.base import Base, UTCDateTime

SEGMENT_KINDS = ("all", "industry", "product", "quarter", "reason")
MARKET_KINDS = ("all", "reason")


def _tally_columns() -> list[Column[int]]:
    return [Column(name, Integer, nullable=False, default=0) for name in TALLY_COLUMNS]


def _partner_row_columns() -> list[Column[Any]]:
    """A partner's segment row: its key, the tally, coverage, invitations, latest answer."""
    columns: list[Column[Any]] = [
        Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
        Column("kind", String(16), primary_key=True),
        Column("segment", String(32), primary_key=True),
        *_tally_columns(),
        Column("engagements_covered", Integer, nullable=False, default=0),
        # Invitations are counted on the 'all' row only; segments stay 0.
        Column("invitations", Integer, nullable=False, default=0),
        Column("latest_response_at", UTCDateTime),
    ]
    return columns


partner_tallies = Table(
    "partner_tallies",
    Base.metadata,
    *_partner_row_columns(),
    # On the 'all' row: the partner's responses so far, voided ones included; each new
    # response takes the next number (SurveyResponse.partner_seq).
    Column("submitted", Integer, nullable=False, default=0),
)

published_tallies = Table(
    "published_tallies",
    Base.metadata,
    *_partner_row_columns(),
    # The figure counts the live responses numbered up to here (SurveyResponse.partner_seq).
    Column("published_through", Integer, nullable=False, default=0),
    Column("published_at", UTCDateTime),
    # Whether the public sees this segment's figures: decided when anything of the partner
    # is published or voided, over the answer sets of every copy (api.metrics.withholding),
    # so readers never decide it again. Always false on the 'all' row, which is never a
    # segment (its own figures are withheld below K_ANONYMITY answers only).
    Column("shown", Boolean, nullable=False, default=False, server_default=false()),
)
"""What the public sees: a copy of a partner_tallies row taken when it had gained at least
K_ANONYMITY answers since the copy before (api/services/publication.py)."""

published_market = Table(
    "published_market",
    Base.metadata,
    Column("kind", String(16), primary_key=True),
    Column("segment", String(32), primary_key=True),
    *_tally_columns(),
    Column("engagements_covered", Integer, nullable=False, default=0),
)
"""The sum of every partner's published 'all' and 'reason' rows: the public market figures."""


def live_market() -> Select[Any]:
    """The live market figures by (kind, segment): the sum of every partner's live 'all' and
    'reason' rows, worked out when read (operators only). No row of its own: a submit writes
    its own partner's rows only, so submits for different partners never queue on a market
    row's lock (issue 25). Engagements belong to one partner each: the market covers the sum
    of the partners'."""
    t = partner_tallies.c
    sums = [func.sum(t[name]).label(name) for name in (*TALLY_COLUMNS, "engagements_covered")]
    return (
        select(t.kind, t.segment, *sums).where(t.kind.in_(MARKET_KINDS)).group_by(t.kind, t.segment)
    )


def sql_pick(condition: Any, then: Any, otherwise: Any) -> Any:
    """The `pick` that turns a rule of api.metrics (api.metrics.expressions) into SQL."""
    return case((condition, then), else_=otherwise)


def likelihood_counts(columns: ColumnCollection[str, Any]) -> list[Any]:
    """A tally table's 11 columns of partner likelihood counts (answers 0..10), for
    api.metrics.promoters_of and detractors_of."""
    return [columns[name] for name in PARTNER_LIKELIHOOD_COLUMNS]
