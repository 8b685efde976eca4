"""`vouch figures rebuild`: recompute every stored tally from the live responses, in SQL.

This is deliberately a second, independent implementation of the tallies (SQL GROUP BY
here, Python `Tally` arithmetic in the incremental path); the tests hold the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import Session

from api.metrics import TALLY_COLUMNS
from api.models import (
    Engagement,
    SurveyInvitation,
    SurveyResponse,
    engagement_products,
    market_tallies,
    partner_tallies,
)
from api.vocabulary import OUTCOME_FIELDS, RATING_FIELDS

R = SurveyResponse


@dataclass(frozen=True)
class RebuildSummary:
    partner_rows: int
    market_rows: int
    responses: int


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def tally_sums() -> list[Any]:
    """One aggregate per TALLY_COLUMNS entry, in that order."""
    columns: list[Any] = [func.count()]
    columns += [_count_if(R.likelihood_partner == i) for i in range(11)]
    columns += [_count_if(R.likelihood_vendor == i) for i in range(11)]
    for field in RATING_FIELDS:
        column = getattr(R, f"rating_{field}")
        columns += [func.count(column), func.coalesce(func.sum(column), 0)]
    for field in OUTCOME_FIELDS:
        column = getattr(R, field)
        columns += [func.count(column), _count_if(column.is_(True))]
    return [cast(column, Integer) for column in columns]


def quarter_label(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", R.submitted_at), 'YYYY-"Q"Q')
    month = cast(func.strftime("%m", R.submitted_at), Integer)
    # `//`: SQLAlchemy 2 renders `/` as true division, "2026-Q4.33333333333333" on SQLite.
    return func.strftime("%Y", R.submitted_at) + "-Q" + cast((month + 2) // 3, String)


def _insert_partner_segments(session: Session, kind: str, segment: Any, *joins: Any) -> None:
    query = select(
        R.partner_id,
        literal(kind),
        cast(segment, String),
        *tally_sums(),
        func.count(R.engagement_id.distinct()),
        func.max(R.submitted_at),
    ).select_from(R)
    for target, on in joins:
        query = query.join(target, on)
    query = query.where(R.voided.is_(False)).group_by(R.partner_id, segment)
    names = ["partner_id", "kind", "segment", *_tally_names(partner_tallies)]
    names += ["engagements_covered", "latest_response_at"]
    session.execute(insert(partner_tallies).from_select(names, query))


def _tally_names(table: Table) -> list[str]:
    return [table.c[name].name for name in TALLY_COLUMNS]


def _insert_market(session: Session) -> None:
    reason = func.coalesce(R.selection_reason, Engagement.selection_reason)
    names = ["kind", "segment", *_tally_names(market_tallies)]
    everything = select(literal("all"), literal(""), *tally_sums()).where(R.voided.is_(False))
    session.execute(insert(market_tallies).from_select(names, everything.having(func.count() > 0)))
    by_reason = (
        select(literal("reason"), reason, *tally_sums())
        .join(Engagement, Engagement.id == R.engagement_id)
        .where(R.voided.is_(False), reason.is_not(None))
        .group_by(reason)
    )
    session.execute(insert(market_tallies).from_select(names, by_reason))


def _set_invitations(session: Session) -> None:
    counts = session.execute(
        select(Engagement.partner_id, func.count())
        .join(SurveyInvitation, SurveyInvitation.engagement_id == Engagement.id)
        .group_by(Engagement.partner_id)
    ).all()
    if not counts:
        return
    have = set(
        session.scalars(select(partner_tallies.c.partner_id).where(partner_tallies.c.kind == "all"))
    )
    missing = [
        {"partner_id": pid, "kind": "all", "segment": ""} for pid, _ in counts if pid not in have
    ]
    if missing:
        session.execute(insert(partner_tallies), missing)
    statement = (
        update(partner_tallies)
        .where(partner_tallies.c.partner_id == bindparam("pid"), partner_tallies.c.kind == "all")
        .values(invitations=bindparam("count"))
    )
    session.connection().execute(statement, [{"pid": pid, "count": n} for pid, n in counts])


def rebuild(*, session: Session) -> RebuildSummary:
    session.execute(delete(partner_tallies))
    session.execute(delete(market_tallies))
    engagement_on = (Engagement, Engagement.id == R.engagement_id)
    product_on = (engagement_products, engagement_products.c.engagement_id == R.engagement_id)
    _insert_partner_segments(session, "all", literal(""))
    _insert_partner_segments(session, "industry", Engagement.industry_id, engagement_on)
    _insert_partner_segments(session, "product", engagement_products.c.product_id, product_on)
    _insert_partner_segments(session, "quarter", quarter_label(session))
    _insert_market(session)
    _set_invitations(session)
    return RebuildSummary(
        partner_rows=session.scalar(select(func.count()).select_from(partner_tallies)) or 0,
        market_rows=session.scalar(select(func.count()).select_from(market_tallies)) or 0,
        responses=session.scalar(select(func.count()).select_from(R).where(R.voided.is_(False)))
        or 0,
    )
