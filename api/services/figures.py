"""Keeping the stored tallies equal to the live responses: incrementally, or by a rebuild.

A submit adds its answers to every segment row it belongs to and a void subtracts them,
with `column = column + delta` updates in the caller's transaction. The partner's 'all'
row is locked first, so concurrent submits for one partner take turns on PostgreSQL and
the non-additive columns (engagements covered, latest response) are read consistently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.metrics import Answer, Tally
from api.models import (
    Engagement,
    SurveyResponse,
    engagement_products,
    market_tallies,
    partner_tallies,
)

SegmentKey = tuple[str, str]  # (kind, segment)
ALL: SegmentKey = ("all", "")


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class Placement:
    """Where one response counts: its partner's segments and its selection reason."""

    partner_id: int
    engagement_id: int
    segments: tuple[SegmentKey, ...]
    reason: str | None


def answer_of(response: SurveyResponse) -> Answer:
    return Answer.from_attributes(response)


def placement_of(session: Session, response: SurveyResponse) -> Placement:
    industry_id, engagement_reason = session.execute(
        select(Engagement.industry_id, Engagement.selection_reason).where(
            Engagement.id == response.engagement_id
        )
    ).one()
    product_ids = session.scalars(
        select(engagement_products.c.product_id)
        .where(engagement_products.c.engagement_id == response.engagement_id)
        .order_by(engagement_products.c.product_id)
    ).all()
    return _placement(response, industry_id, product_ids, engagement_reason)


def _placement(
    response: SurveyResponse,
    industry_id: int,
    product_ids: Iterable[int],
    engagement_reason: str | None,
) -> Placement:
    segments: list[SegmentKey] = [ALL, ("industry", str(industry_id))]
    segments += [("product", str(product_id)) for product_id in product_ids]
    segments.append(("quarter", quarter_of(response.submitted_at)))
    return Placement(
        partner_id=response.partner_id,
        engagement_id=response.engagement_id,
        segments=tuple(segments),
        reason=response.selection_reason or engagement_reason,
    )


def _insert_ignoring_conflict(session: Session, table: Table, keys: Mapping[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    session.execute(module.insert(table).values(**keys).on_conflict_do_nothing())


def _where(table: Table, keys: Mapping[str, Any]) -> Any:
    return and_(*(table.c[name] == value for name, value in keys.items()))


def _bump(
    session: Session, table: Table, keys: Mapping[str, Any], delta: Mapping[str, int]
) -> None:
    _insert_ignoring_conflict(session, table, keys)
    changes = {name: table.c[name] + value for name, value in delta.items() if value}
    session.execute(update(table).where(_where(table, keys)).values(changes))


def _lock_partner(session: Session, partner_id: int) -> None:
    keys = {"partner_id": partner_id, "kind": "all", "segment": ""}
    _insert_ignoring_conflict(session, partner_tallies, keys)
    session.execute(
        select(partner_tallies.c.n).where(_where(partner_tallies, keys)).with_for_update()
    )


def apply_response(*, session: Session, response: SurveyResponse, sign: int) -> None:
    """Add (sign=+1) or remove (sign=-1) one response's answers in every tally it belongs to."""
    placement = placement_of(session, response)
    _lock_partner(session, placement.partner_id)
    delta = {
        name: sign * value for name, value in Tally.single(answer_of(response)).to_row().items()
    }
    for kind, segment in placement.segments:
        keys = {"partner_id": placement.partner_id, "kind": kind, "segment": segment}
        _bump(session, partner_tallies, keys, delta)
    _bump(session, market_tallies, {"kind": "all", "segment": ""}, delta)
    if placement.reason:
        _bump(session, market_tallies, {"kind": "reason", "segment": placement.reason}, delta)
    session.flush()
    for kind, segment in placement.segments:
        _refresh_coverage(session, placement.partner_id, kind, segment)


def _segment_condition(kind: str, segment: str) -> Any:
    if kind == "industry":
        return Engagement.industry_id == int(segment)
    if kind == "product":
        return SurveyResponse.engagement_id.in_(
            select(engagement_products.c.engagement_id).where(
                engagement_products.c.product_id == int(segment)
            )
        )
    if kind == "quarter":
        year, quarter = int(segment[:4]), int(segment[-1])
        start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
        end = datetime(year + quarter // 4, 3 * quarter % 12 + 1, 1, tzinfo=UTC)
        return and_(SurveyResponse.submitted_at >= start, SurveyResponse.submitted_at < end)
    return True


def _refresh_coverage(session: Session, partner_id: int, kind: str, segment: str) -> None:
    covered, latest = session.execute(
        select(
            func.count(SurveyResponse.engagement_id.distinct()),
            func.max(SurveyResponse.submitted_at),
        )
        .join(Engagement, Engagement.id == SurveyResponse.engagement_id)
        .where(
            SurveyResponse.partner_id == partner_id,
            SurveyResponse.voided.is_(False),
            _segment_condition(kind, segment),
        )
    ).one()
    keys = {"partner_id": partner_id, "kind": kind, "segment": segment}
    session.execute(
        update(partner_tallies)
        .where(_where(partner_tallies, keys))
        .values(engagements_covered=covered, latest_response_at=latest)
    )


def count_invitation(*, session: Session, partner_id: int) -> None:
    _bump(
        session,
        partner_tallies,
        {"partner_id": partner_id, "kind": "all", "segment": ""},
        {"invitations": 1},
    )
