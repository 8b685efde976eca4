"""Writing tally rows: additive upserts, and which responses a segment holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, and_, func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.models import Engagement, SurveyResponse, engagement_products

SegmentKey = tuple[str, str]  # (kind, segment)
ALL: SegmentKey = ("all", "")
MARKET_KINDS = ("all", "reason")
"""The kinds of a partner's rows that are summed into the market figures."""


def insert_for(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE."""
    module: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(table)


def add_rows(
    session: Session, table: Table, keys: Sequence[Mapping[str, Any]], delta: Mapping[str, int]
) -> None:
    """Add `delta` to the rows with these keys, creating missing ones, in one upsert."""
    if not keys:
        return
    statement = insert_for(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={name: table.c[name] + statement.excluded[name] for name in delta},
    )
    # Parameters apart from the statement: it compiles once and is cached from then on.
    session.execute(statement, [{**key, **delta} for key in keys])


def reason_of_response() -> Any:
    """Why the customer chose the partner: the respondent's answer, else the engagement's."""
    return func.coalesce(SurveyResponse.selection_reason, Engagement.selection_reason)


def segment_condition(kind: str, segment: str) -> Any:
    """Which responses (joined with their engagement) a segment of a partner holds."""
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
    if kind == "reason":
        return reason_of_response() == segment
    return true()


def coverage(
    session: Session, partner_id: int, key: SegmentKey, *conditions: Any
) -> tuple[int, datetime | None]:
    """(engagements covered, latest response) of a partner's segment, over live responses."""
    covered, latest = session.execute(
        select(
            func.count(SurveyResponse.engagement_id.distinct()),
            func.max(SurveyResponse.submitted_at),
        )
        .join(Engagement, Engagement.id == SurveyResponse.engagement_id)
        .where(
            SurveyResponse.partner_id == partner_id,
            SurveyResponse.voided.is_(False),
            segment_condition(*key),
            *conditions,
        )
    ).one()
    return int(covered), latest
