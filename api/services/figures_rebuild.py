"""`vouch figures rebuild`: recompute every stored tally from the live responses, in SQL.

This is deliberately a second, independent implementation of the tallies (SQL GROUP BY
here, Python `Tally` arithmetic in the incremental path); the tests hold the two equal.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from api.metrics import K_ANONYMITY, TALLY_COLUMNS
from api.models import (
    Engagement,
    SurveyInvitation,
    SurveyResponse,
    agreed,
    engagement_products,
    live_market,
    partner_tallies,
    published_market,
    published_tallies,
)
from api.services import ranking_keys, shown_segments
from api.services.figures import REVIEW_KEY_BYTES
from api.services.publication import EMPTY_COPY
from api.services.tally_rows import MARKET_KINDS, counted, reason_of_response
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


def _segment_sums(kind: str, segment: Any, joins: Any) -> Any:
    query = (
        select(
            R.partner_id,
            literal(kind),
            cast(segment, String),
            *tally_sums(),
            func.count(R.engagement_id.distinct()),
            func.max(R.submitted_at),
        )
        .select_from(R)
        .join(Engagement, Engagement.id == R.engagement_id)
    )
    for target, on in joins:
        query = query.join(target, on)
    return query.where(counted())


_SEGMENT_NAMES = [
    "partner_id",
    "kind",
    "segment",
    *TALLY_COLUMNS,
    "engagements_covered",
    "latest_response_at",
]


def _segments(session: Session) -> list[tuple[str, Any, tuple[Any, ...]]]:
    """(kind, segment expression, joins) of every kind of partner row."""
    product_on = (engagement_products, engagement_products.c.engagement_id == R.engagement_id)
    return [  # every kind reads the response's engagement (_segment_sums joins it)
        ("all", literal(""), ()),
        ("industry", Engagement.industry_id, ()),
        ("product", engagement_products.c.product_id, (product_on,)),
        ("quarter", quarter_label(session), ()),
        ("reason", reason_of_response(), ()),
    ]


def _insert_partner_segments(session: Session, kind: str, segment: Any, joins: Any) -> None:
    query = _segment_sums(kind, segment, joins)
    if kind == "reason":
        query = query.where(segment.is_not(None))
    query = query.group_by(R.partner_id, segment)
    session.execute(insert(partner_tallies).from_select(_SEGMENT_NAMES, query))


def _number_responses(session: Session) -> None:
    """Give every response without one its place among its partner's responses and its
    public review key (responses loaded in bulk, by the demo data or an import)."""
    highest = _highest_numbers(session)
    pending = session.execute(
        select(R.id, R.partner_id, R.partner_seq, R.review_key)
        .where(or_(R.partner_seq.is_(None), R.review_key.is_(None)))
        .order_by(R.partner_id, R.id)
    ).all()
    numbered = []
    for response_id, partner_id, number, key in pending:
        if number is None:
            highest[partner_id] = number = highest.get(partner_id, 0) + 1
        key = key or secrets.token_urlsafe(REVIEW_KEY_BYTES)
        numbered.append({"id": response_id, "partner_seq": number, "review_key": key})
    if numbered:
        session.execute(update(SurveyResponse), numbered)  # ORM bulk update by primary key


def _highest_numbers(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(R.partner_id, func.max(R.partner_seq))
        .where(R.partner_seq.is_not(None))
        .group_by(R.partner_id)
    ).all()
    return {partner_id: int(highest or 0) for partner_id, highest in rows}


def _tally_names(table: Table) -> list[str]:
    return [table.c[name].name for name in TALLY_COLUMNS]


def _set_on_all_rows(session: Session, table: Table, column: str, values: dict[int, int]) -> None:
    """Set one column of partners' 'all' rows, creating the rows that are missing."""
    if not values:
        return
    have = set(session.scalars(select(table.c.partner_id).where(table.c.kind == "all")))
    missing = [
        {"partner_id": pid, "kind": "all", "segment": ""} for pid in values if pid not in have
    ]
    if missing:
        session.execute(insert(table), missing)
    statement = (
        update(table)
        .where(table.c.partner_id == bindparam("pid"), table.c.kind == "all")
        .values({column: bindparam("value")})
    )
    session.connection().execute(
        statement, [{"pid": pid, "value": value} for pid, value in values.items()]
    )


def _invitations(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Engagement.partner_id, func.count())
        .join(SurveyInvitation, SurveyInvitation.engagement_id == Engagement.id)
        .where(agreed())
        .group_by(Engagement.partner_id)
    ).all()
    return {partner_id: int(count) for partner_id, count in rows}


def _publish_everything(session: Session) -> None:
    """Publish every live row as of now (demo data, a first load): copies are filled below,
    and those under K_ANONYMITY answers emptied again."""
    session.execute(delete(published_tallies))
    submitted = dict(
        session.execute(
            select(partner_tallies.c.partner_id, partner_tallies.c.submitted).where(
                partner_tallies.c.kind == "all"
            )
        ).all()
    )
    now = datetime.now(UTC)
    rows = session.execute(
        select(partner_tallies.c.partner_id, partner_tallies.c.kind, partner_tallies.c.segment)
    ).all()
    if not rows:
        return
    session.execute(
        insert(published_tallies),
        [
            {
                "partner_id": pid,
                "kind": kind,
                "segment": segment,
                "published_through": submitted.get(pid, 0),
                "published_at": now,
            }
            for pid, kind, segment in rows
        ],
    )


def _recount_published(session: Session) -> None:
    """Each published copy, recounted from the live responses up to its place."""
    P = published_tallies
    zeros = dict.fromkeys((*TALLY_COLUMNS, "engagements_covered", "invitations"), 0)
    session.execute(update(P).values(**zeros, latest_response_at=None))
    for kind, segment, joins in _segments(session):
        counted = (
            _segment_sums(kind, segment, joins)
            .join(
                P,
                and_(
                    P.c.partner_id == R.partner_id,
                    P.c.kind == kind,
                    P.c.segment == cast(segment, String),
                    R.partner_seq <= P.c.published_through,
                ),
            )
            .group_by(R.partner_id, segment)
            .subquery()
        )
        columns = list(counted.c)
        named = dict(zip(_SEGMENT_NAMES, columns, strict=True))
        session.execute(
            update(P)
            .where(
                P.c.partner_id == named["partner_id"],
                P.c.kind == kind,
                P.c.segment == named["segment"],
            )
            .values({name: named[name] for name in _SEGMENT_NAMES[3:]})
        )


def _empty_small_copies(session: Session) -> None:
    """No published copy holds 1 to K_ANONYMITY - 1 answers (a first load publishes every
    row, a void since the last publication may have left one short): such a copy is
    emptied, as api/services/publication.py empties one at a void."""
    P = published_tallies
    session.execute(update(P).where(P.c.n > 0, P.c.n < K_ANONYMITY).values(**EMPTY_COPY))


def sum_published_market(session: Session) -> None:
    """The public market figures again, from the partners' published rows."""
    session.execute(delete(published_market))
    P = published_tallies
    summed = [*TALLY_COLUMNS, "engagements_covered"]
    query = (
        select(P.c.kind, P.c.segment, *(func.sum(P.c[name]) for name in summed))
        # The reason rows the publication shows (api/services/shown_segments.py).
        .where(P.c.kind.in_(MARKET_KINDS), or_(P.c.kind == "all", P.c.shown))
        .group_by(P.c.kind, P.c.segment)
    )
    session.execute(insert(published_market).from_select(["kind", "segment", *summed], query))


def rebuild(*, session: Session, publish_all: bool = False) -> RebuildSummary:
    """Every tally again from the responses; published copies keep how far they count.

    `publish_all` publishes every figure as it is now (a first load, the demo data), but
    never a copy of fewer than K_ANONYMITY answers.
    """
    _number_responses(session)
    session.execute(delete(partner_tallies))
    for kind, segment, joins in _segments(session):
        _insert_partner_segments(session, kind, segment, joins)
    _set_on_all_rows(session, partner_tallies, "submitted", _highest_numbers(session))
    invitations = _invitations(session)
    _set_on_all_rows(session, partner_tallies, "invitations", invitations)
    if publish_all:
        _publish_everything(session)
    _recount_published(session)
    _empty_small_copies(session)
    shown_segments.refresh(session, None)
    _set_on_all_rows(session, published_tallies, "invitations", invitations)
    sum_published_market(session)
    ranking_keys.rebase(session)
    return RebuildSummary(
        partner_rows=session.scalar(select(func.count()).select_from(partner_tallies)) or 0,
        market_rows=len(session.execute(live_market()).all()),
        responses=session.scalar(
            select(func.count())
            .select_from(R)
            .join(Engagement, Engagement.id == R.engagement_id)
            .where(counted())
        )
        or 0,
    )
