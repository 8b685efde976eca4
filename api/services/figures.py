"""Keeping the stored tallies equal to the live responses: incrementally, or by a rebuild.

A submit adds its answers to every segment row it belongs to and a void subtracts them,
with one `INSERT .. ON CONFLICT DO UPDATE SET column = column + delta` per table, in the
caller's transaction. The partner's 'all' row is upserted first, which locks it: concurrent
submits for one partner take turns on PostgreSQL, each takes the next number among the
partner's responses, and the non-additive columns (engagements covered, latest response)
are then recounted from the partner's live responses. Then the published figures follow
(api/services/publication.py). No row is shared by every submit: the live market figures are
the sum of the partners' rows, worked out when read (api.models.figures.live_market).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from api.metrics import Answer, Tally
from api.metrics.quarters import quarter_of
from api.models import (
    Engagement,
    SurveyResponse,
    engagement_products,
    partner_tallies,
    published_tallies,
)
from api.services import changes, publication
from api.services.tally_rows import (
    ALL,
    SegmentKey,
    add_rows,
    coverages,
    insert_for,
)

REVIEW_KEY_BYTES = 12


@dataclass(frozen=True)
class Placement:
    """Where one response counts: its partner's segments (its selection reason included)."""

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
    reason = response.selection_reason or engagement_reason
    segments: list[SegmentKey] = [ALL, ("industry", str(industry_id))]
    segments += [("product", str(product_id)) for product_id in product_ids]
    segments.append(("quarter", quarter_of(response.submitted_at)))
    if reason:
        segments.append(("reason", reason))
    return Placement(
        partner_id=response.partner_id,
        engagement_id=response.engagement_id,
        segments=tuple(segments),
        reason=reason,
    )


def _next_number(session: Session, partner_id: int) -> int:
    """The partner's next response number; the upsert locks its 'all' row until commit."""
    statement = insert_for(session, partner_tallies).values(
        partner_id=partner_id, kind="all", segment="", submitted=1
    )
    statement = statement.on_conflict_do_update(
        index_elements=["partner_id", "kind", "segment"],
        set_={"submitted": partner_tallies.c.submitted + 1},
    ).returning(partner_tallies.c.submitted)
    number: int = session.execute(statement).scalar_one()
    return number


def apply_response(*, session: Session, response: SurveyResponse, sign: int) -> None:
    """Add (sign=+1) or remove (sign=-1) one response's answers in every tally it belongs to."""
    # A new response is written once, already numbered: no INSERT then UPDATE.
    with session.no_autoflush:
        placement = placement_of(session, response)
        partner = placement.partner_id
        if sign > 0:
            response.partner_seq = _next_number(session, partner)
            response.review_key = response.review_key or secrets.token_urlsafe(REVIEW_KEY_BYTES)
    session.flush()
    delta = {
        name: sign * value for name, value in Tally.single(answer_of(response)).to_row().items()
    }
    keys = [{"partner_id": partner, "kind": k, "segment": s} for k, s in placement.segments]
    add_rows(session, partner_tallies, keys, delta)
    _refresh_coverage(session, partner, placement.segments)
    if sign > 0:
        publication.publish_due(session, partner, placement.segments, through=response.partner_seq)
    else:
        publication.withdraw(
            session, partner, placement.segments, number=response.partner_seq, delta=delta
        )


_SET_COVERAGE = (
    update(partner_tallies)
    .where(
        partner_tallies.c.partner_id == bindparam("pid"),
        partner_tallies.c.kind == bindparam("k"),
        partner_tallies.c.segment == bindparam("s"),
    )
    .values(engagements_covered=bindparam("covered"), latest_response_at=bindparam("latest"))
)


def _refresh_coverage(session: Session, partner_id: int, segments: Sequence[SegmentKey]) -> None:
    """Recount engagements covered and the latest response of the given segments: one
    query and one batched update, whatever the number of segments."""
    counted = coverages(session, partner_id, segments)
    rows = [
        {"pid": partner_id, "k": kind, "s": segment, "covered": covered, "latest": latest}
        for (kind, segment), (covered, latest) in zip(segments, counted, strict=True)
    ]
    session.connection().execute(_SET_COVERAGE, rows)


def count_invitation(*, session: Session, partner_id: int) -> None:
    """Invitations are no answers: the live and the published count move together, and
    buyers see the new count (and response rate) at once."""
    keys = [{"partner_id": partner_id, "kind": "all", "segment": ""}]
    add_rows(session, partner_tallies, keys, {"invitations": 1})
    add_rows(session, published_tallies, keys, {"invitations": 1})
    changes.record(session, partner_id=partner_id, reason="figures")
