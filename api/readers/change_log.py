"""How far a derived copy got through the change log (api.models.changes), and what is next.

A copy records the newest id it applied and the ids below it that were missing then: an id
is handed out when a transaction inserts its row but is seen only once that transaction
commits, so a missing id may still come. Each is looked for again until it is GAP_PATIENCE
old (then its transaction was rolled back). The site build keeps its place in its manifest,
the search index (search_index/service.py) in its state file; both with these functions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from api.models import change_log

GAP_PATIENCE = 300.0
GAP_LOOKBACK = 1000  # ids before a copy's starting point checked for open transactions


@dataclass(frozen=True)
class Place:
    """The newest change id applied, and the missing ids below it (id -> first seen, epoch)."""

    through: int
    gaps: dict[str, float] = field(default_factory=dict)


def not_applied(place: Place) -> Any:
    """The condition on change_log that picks the rows not applied at `place`."""
    condition = change_log.c.id > place.through
    if place.gaps:
        return or_(condition, change_log.c.id.in_([int(gap) for gap in place.gaps]))
    return condition


class Change(NamedTuple):
    id: int
    partner_id: int | None  # None: every partner
    reason: str


def pending(session: Session, place: Place) -> list[Change]:
    """The rows not applied yet, in id order."""
    rows = session.execute(
        select(change_log.c.id, change_log.c.partner_id, change_log.c.reason)
        .where(not_applied(place))
        .order_by(change_log.c.id)
    )
    return [Change(*row) for row in rows]


def landmark(session: Session, place: Place) -> str:
    """What the row at `place` is (its id, partner, reason and time), or "" before the first:
    a copy built from another database (restored from a backup, or replaced) finds another
    row there, or none, and knows its place means nothing here."""
    if place.through == 0:
        return ""
    row = session.execute(
        select(
            change_log.c.id, change_log.c.partner_id, change_log.c.reason, change_log.c.created_at
        ).where(change_log.c.id == place.through)
    ).first()
    return "missing" if row is None else f"{row.id}/{row.partner_id}/{row.reason}/{row.created_at}"


def starting_point(session: Session) -> Place:
    """Where a copy built from the database now stands: the newest id, and the ids below
    it that may belong to transactions still open (read before the data it copies)."""
    top = session.scalar(select(func.max(change_log.c.id))) or 0
    present = set(
        session.scalars(select(change_log.c.id).where(change_log.c.id > top - GAP_LOOKBACK))
    )
    now = time.time()
    gaps = {str(i): now for i in range(max(1, top - GAP_LOOKBACK + 1), top + 1) if i not in present}
    return Place(top, gaps)


def advanced(place: Place, applied: Sequence[int]) -> Place:
    """`place` once the rows `applied` are: their ids leave the gaps, new missing ids join."""
    now = time.time()
    seen = set(applied)
    top = max([place.through, *applied])
    gaps = {
        gap: since
        for gap, since in place.gaps.items()
        if int(gap) not in seen and now - since < GAP_PATIENCE
    }
    for missing in range(place.through + 1, top + 1):
        if missing not in seen:
            gaps[str(missing)] = now
    return Place(top, gaps)
