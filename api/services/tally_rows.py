"""Writing tally rows: additive upserts, and which responses a segment holds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, func, select, true, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from api.models import Engagement, SurveyResponse, agreed, engagement_products
from api.models.base import UTCDateTime

UTC_TIME = UTCDateTime()
SegmentKey = tuple[str, str]  # (kind, segment)
ALL: SegmentKey = ("all", "")
MARKET_KINDS = ("all", "reason")
"""The kinds of a partner's rows that are summed into the market figures."""


def insert_for(session: Session, table: Table) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE."""
    return insert_for_dialect(session.get_bind().dialect.name, table)


def insert_for_dialect(dialect: str, table: Table) -> Any:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def add_rows(
    session: Session, table: Table, keys: Sequence[Mapping[str, Any]], delta: Mapping[str, int]
) -> None:
    """Add `delta` to the rows with these keys, creating missing ones, in one upsert."""
    if not keys:
        return
    statement = _adding(session.get_bind().dialect.name, table, tuple(delta))
    # Parameters apart from the statement: it compiles once and is cached from then on.
    session.execute(statement, [{**key, **delta} for key in keys])


@cache
def _adding(dialect: str, table: Table, columns: tuple[str, ...]) -> Any:
    """INSERT .. ON CONFLICT DO UPDATE SET c = c + excluded.c: built once (building the
    expression for some 50 columns costs more than running it)."""
    statement = insert_for_dialect(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={name: table.c[name] + statement.excluded[name] for name in columns},
    )


def reason_of_response() -> Any:
    """Why the customer chose the partner: the respondent's answer, else the engagement's."""
    return func.coalesce(SurveyResponse.selection_reason, Engagement.selection_reason)


def coverages(
    session: Session, partner_id: int, keys: Sequence[SegmentKey], *, through: int | None = None
) -> list[tuple[int, datetime | None]]:
    """(engagements covered, latest response) of segments of one partner, over its live
    responses (numbered up to `through`, if given), in one query, in the order of `keys`."""
    statement = _coverages(tuple(kind for kind, _ in keys), through is not None)
    params: dict[str, Any] = {"partner": partner_id, "through": through}
    for index, (kind, segment) in enumerate(keys):
        if kind == "quarter":
            params[f"start{index}"], params[f"end{index}"] = _quarter_bounds(segment)
        elif kind in ("industry", "product"):
            params[f"s{index}"] = int(segment)
        elif kind == "reason":
            params[f"s{index}"] = segment
    row = session.execute(statement, params).one()
    return [(int(row[2 * i] or 0), row[2 * i + 1]) for i in range(len(keys))]


def _quarter_bounds(segment: str) -> tuple[datetime, datetime]:
    year, quarter = int(segment[:4]), int(segment[-1])
    start = datetime(year, 3 * quarter - 2, 1, tzinfo=UTC)
    return start, datetime(year + quarter // 4, 3 * quarter % 12 + 1, 1, tzinfo=UTC)


@cache
def _coverages(kinds: tuple[str, ...], counted_through: bool) -> Any:
    """One conditional aggregate per segment over the partner's live responses, built once
    per shape (the values are parameters)."""
    columns: list[Any] = []
    for index, kind in enumerate(kinds):
        condition = _bound_condition(kind, index)
        columns.append(func.count(case((condition, SurveyResponse.engagement_id)).distinct()))
        latest = func.max(case((condition, SurveyResponse.submitted_at)))
        columns.append(type_coerce(latest, UTC_TIME))
    return (
        select(*columns)
        .select_from(SurveyResponse)
        .join(Engagement, Engagement.id == SurveyResponse.engagement_id)
        .where(
            SurveyResponse.partner_id == bindparam("partner"),
            SurveyResponse.voided.is_(False),
            SurveyResponse.partner_seq <= bindparam("through") if counted_through else true(),
        )
    )


def _bound_condition(kind: str, index: int) -> Any:
    if kind == "industry":
        return Engagement.industry_id == bindparam(f"s{index}")
    if kind == "product":
        return SurveyResponse.engagement_id.in_(
            select(engagement_products.c.engagement_id).where(
                engagement_products.c.product_id == bindparam(f"s{index}")
            )
        )
    if kind == "quarter":
        return and_(
            SurveyResponse.submitted_at >= bindparam(f"start{index}", type_=UTC_TIME),
            SurveyResponse.submitted_at < bindparam(f"end{index}", type_=UTC_TIME),
        )
    if kind == "reason":
        return reason_of_response() == bindparam(f"s{index}")
    return true()


def counted() -> Any:
    """The responses that count, for a query joining SurveyResponse to its Engagement: not
    void, and their engagement agreed by both sides (the incremental path never adds
    others: invitations and submits wait for the agreement)."""
    return and_(SurveyResponse.voided.is_(False), agreed())
