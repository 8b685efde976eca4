"""Keeping the stored tallies equal to the live responses: incrementally, or by a rebuild.

A submit adds its answers to every segment row it belongs to and a void subtracts them,
with one `INSERT .. ON CONFLICT DO UPDATE SET column = column + delta` per table, in the
caller's transaction. The partner's rows are upserted first, which locks them: concurrent
submits for one partner take turns on PostgreSQL, and the non-additive columns (engagements
covered, latest response) are then recounted from the partner's live responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, func, select, true, update
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


def _add(
    session: Session, table: Table, keys: Sequence[Mapping[str, Any]], delta: Mapping[str, int]
) -> None:
    """Add `delta` to the rows with these keys, creating missing ones, in one upsert."""
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = module.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={name: table.c[name] + statement.excluded[name] for name in delta},
    )
    # Parameters apart from the statement: it compiles once and is cached from then on.
    session.execute(statement, [{**key, **delta} for key in keys])


def apply_response(*, session: Session, response: SurveyResponse, sign: int) -> None:
    """Add (sign=+1) or remove (sign=-1) one response's answers in every tally it belongs to.

    The partner's rows come first: the upsert locks its 'all' row, so on PostgreSQL two
    submits for one partner take turns and the coverage below is read after the other's.
    """
    placement = placement_of(session, response)
    session.flush()
    delta = {
        name: sign * value for name, value in Tally.single(answer_of(response)).to_row().items()
    }
    partner = placement.partner_id
    keys = [{"partner_id": partner, "kind": k, "segment": s} for k, s in placement.segments]
    _add(session, partner_tallies, keys, delta)
    market = [{"kind": "all", "segment": ""}]
    if placement.reason:
        market.append({"kind": "reason", "segment": placement.reason})
    _add(session, market_tallies, market, delta)
    _refresh_coverage(session, partner, placement.segments)


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
    return true()


def _refresh_coverage(session: Session, partner_id: int, segments: Sequence[SegmentKey]) -> None:
    """Recount engagements covered and the latest response of the given segments."""
    for kind, segment in segments:
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
        session.execute(
            update(partner_tallies)
            .where(
                partner_tallies.c.partner_id == partner_id,
                partner_tallies.c.kind == kind,
                partner_tallies.c.segment == segment,
            )
            .values(engagements_covered=covered, latest_response_at=latest)
        )


def count_invitation(*, session: Session, partner_id: int) -> None:
    keys = [{"partner_id": partner_id, "kind": "all", "segment": ""}]
    _add(session, partner_tallies, keys, {"invitations": 1})
