"""Reading stored tallies: a page of partners' figures in one query per kind.

The public reads the published copies (api/services/publication.py), their times as days
(api.metrics.quarters.day_of); operators (`live`) read the live tallies, to the second.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from api.metrics import TALLY_COLUMNS, Tally, market_nps
from api.metrics.quarters import day_of
from api.models import live_market, partner_tallies, published_market, published_tallies

PARTNER_SEGMENT_KINDS = ("industry", "product", "quarter")
"""The segments shown per partner; 'reason' rows only feed the market figures."""


@dataclass(frozen=True)
class StoredTally:
    tally: Tally
    engagements_covered: int = 0
    invitations: int = 0
    latest_response_at: datetime | None = None
    published_at: datetime | None = None
    published_through: int = 0
    # Published segments: whether the public sees it (published_tallies.shown). Live rows
    # are the operators', who see every segment.
    shown: bool = True


EMPTY = StoredTally(tally=Tally.empty())


def _partners(live: bool) -> Table:
    return partner_tallies if live else published_tallies


def _stored(row: Row[Any], *, live: bool) -> StoredTally:
    mapping = row._asdict()
    latest, published = mapping.get("latest_response_at"), mapping.get("published_at")
    return StoredTally(
        tally=Tally.from_row(mapping),
        engagements_covered=mapping.get("engagements_covered", 0),
        invitations=mapping.get("invitations", 0),
        latest_response_at=latest if live else day_of(latest),
        published_at=published if live else day_of(published),
        published_through=mapping.get("published_through", 0),
        shown=mapping.get("shown", True),
    )


def overall_of(
    session: Session, partner_ids: Sequence[int], *, live: bool = False
) -> dict[int, StoredTally]:
    table = _partners(live)
    rows = session.execute(
        select(table).where(table.c.partner_id.in_(partner_ids), table.c.kind == "all")
    ).all()
    return {row.partner_id: _stored(row, live=live) for row in rows}


def segments_of(
    session: Session, partner_ids: Sequence[int], *, live: bool = False
) -> dict[int, list[tuple[str, str, StoredTally]]]:
    """Every shown kind of segment row (industry, product, quarter) of the partners, n > 0."""
    table = _partners(live)
    rows = session.execute(
        select(table)
        .where(
            table.c.partner_id.in_(partner_ids),
            table.c.kind.in_(PARTNER_SEGMENT_KINDS),
            table.c.n > 0,
        )
        .order_by(table.c.partner_id, table.c.kind, table.c.segment)
    ).all()
    grouped: dict[int, list[tuple[str, str, StoredTally]]] = defaultdict(list)
    for row in rows:
        grouped[row.partner_id].append((row.kind, row.segment, _stored(row, live=live)))
    return grouped


def market(session: Session, *, live: bool = False) -> dict[tuple[str, str], StoredTally]:
    """The market figures by (kind, segment): 'all', and 'reason' by selection reason."""
    if not live:
        rows = session.execute(select(published_market)).all()
        return {(row.kind, row.segment): _stored(row, live=False) for row in rows}
    rows = session.execute(live_market()).all()
    return {(row.kind, row.segment): _stored(row, live=True) for row in rows}


def market_overall_nps(session: Session, *, live: bool = False) -> float:
    if live:
        query = live_market().where(partner_tallies.c.kind == "all")
    else:
        t = published_market.c
        query = select(*(t[name] for name in TALLY_COLUMNS)).where(t.kind == "all", t.segment == "")
    row = session.execute(query).one_or_none()
    return market_nps(Tally.from_row(row._asdict())) if row else 0.0
