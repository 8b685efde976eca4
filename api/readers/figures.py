"""Reading stored tallies: a page of partners' figures in one query per kind."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from api.metrics import Tally, market_nps
from api.models import market_tallies, partner_tallies

T = partner_tallies


@dataclass(frozen=True)
class StoredTally:
    tally: Tally
    engagements_covered: int = 0
    invitations: int = 0
    latest_response_at: datetime | None = None


EMPTY = StoredTally(tally=Tally.empty())


def _stored(row: Row[Any]) -> StoredTally:
    mapping = row._asdict()
    return StoredTally(
        tally=Tally.from_row(mapping),
        engagements_covered=mapping["engagements_covered"],
        invitations=mapping["invitations"],
        latest_response_at=mapping["latest_response_at"],
    )


def overall_of(session: Session, partner_ids: Sequence[int]) -> dict[int, StoredTally]:
    rows = session.execute(
        select(T).where(T.c.partner_id.in_(partner_ids), T.c.kind == "all")
    ).all()
    return {row.partner_id: _stored(row) for row in rows}


def segments_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[str, str, StoredTally]]]:
    """Every segment row (industry, product, quarter) of the partners, with n > 0."""
    rows = session.execute(
        select(T)
        .where(T.c.partner_id.in_(partner_ids), T.c.kind != "all", T.c.n > 0)
        .order_by(T.c.partner_id, T.c.kind, T.c.segment)
    ).all()
    grouped: dict[int, list[tuple[str, str, StoredTally]]] = defaultdict(list)
    for row in rows:
        grouped[row.partner_id].append((row.kind, row.segment, _stored(row)))
    return grouped


def market(session: Session) -> dict[tuple[str, str], Tally]:
    rows = session.execute(select(market_tallies)).all()
    return {(row.kind, row.segment): Tally.from_row(row._asdict()) for row in rows}


def market_overall_nps(session: Session) -> float:
    row = session.execute(
        select(market_tallies).where(market_tallies.c.kind == "all", market_tallies.c.segment == "")
    ).one_or_none()
    return market_nps(Tally.from_row(row._asdict())) if row else 0.0
