"""Deciding, when figures are published, which of a partner's segments the public sees.

The overlap rule (api.metrics.withholding) needs the answer sets behind each published
copy, not only their counts: a copy holds the partner's live responses numbered up to its
`published_through` that belong to its segment. Working them out reads the partner's
responses, so it is done here, when a copy changes (a publication, a void, a rebuild),
and stored as `published_tallies.shown`; every reader (GraphQL, the site, the search
index, matching) reads the column and never decides again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from api.metrics.quarters import quarter_of
from api.metrics.withholding import SegmentKey, shown_segments
from api.models import Engagement, SurveyResponse, engagement_products, published_tallies
from api.services.tally_rows import counted, reason_of_response

SHOWN_KINDS = ("industry", "product", "quarter", "reason")
"""The families of published sets: a partner's page shows the first three; 'reason' rows
are summed into the market figures, whose versions compared give them back."""
ALL: SegmentKey = ("all", "")


@dataclass
class _Partner:
    copies: dict[SegmentKey, int] = field(default_factory=dict)  # -> published_through
    stored: dict[SegmentKey, bool] = field(default_factory=dict)  # the `shown` column now
    answers: dict[SegmentKey, set[int]] = field(default_factory=lambda: defaultdict(set))


def refresh(session: Session, partner_ids: Sequence[int] | None) -> int:
    """Decide again which segments of these partners (None: every partner) are shown and
    store it; the number of rows that changed."""
    partners = _copies(session, partner_ids)
    if not partners:
        return 0
    _fill_answers(session, partners, partner_ids)
    changed: list[dict[str, Any]] = []
    for partner_id, partner in partners.items():
        overall = partner.answers.get(ALL, set())
        segments = {key: partner.answers.get(key, set()) for key in partner.copies if key != ALL}
        shown = shown_segments(overall, segments)
        for key, was in partner.stored.items():
            if (key in shown) != was:
                changed.append({"pid": partner_id, "k": key[0], "s": key[1], "shown": key in shown})
    if changed:
        t = published_tallies.c
        session.connection().execute(
            update(published_tallies)
            .where(
                t.partner_id == bindparam("pid"),
                t.kind == bindparam("k"),
                t.segment == bindparam("s"),
            )
            .values(shown=bindparam("shown")),
            changed,
        )
    return len(changed)


def _copies(session: Session, partner_ids: Sequence[int] | None) -> dict[int, _Partner]:
    t = published_tallies.c
    query = select(t.partner_id, t.kind, t.segment, t.published_through, t.shown).where(
        t.kind.in_((ALL[0], *SHOWN_KINDS))
    )
    if partner_ids is not None:
        query = query.where(t.partner_id.in_(partner_ids))
    partners: dict[int, _Partner] = defaultdict(_Partner)
    for partner_id, kind, segment, through, shown in session.execute(query):
        partner = partners[partner_id]
        partner.copies[(kind, segment)] = through
        partner.stored[(kind, segment)] = bool(shown)
    return partners


def _fill_answers(
    session: Session, partners: dict[int, _Partner], partner_ids: Sequence[int] | None
) -> None:
    """Each copy's answer set: the live responses numbered up to its place, in its segment."""
    R = SurveyResponse
    only = [] if partner_ids is None else [R.partner_id.in_(partner_ids)]
    products: dict[int, list[int]] = defaultdict(list)
    for engagement_id, product_id in session.execute(
        select(engagement_products.c.engagement_id, engagement_products.c.product_id)
        .join(R, R.engagement_id == engagement_products.c.engagement_id)
        .join(Engagement, Engagement.id == R.engagement_id)
        .where(*only, counted())
        .distinct()
    ):
        products[engagement_id].append(product_id)
    rows = session.execute(
        select(R.id, R.partner_id, R.partner_seq, R.submitted_at, R.engagement_id)
        .add_columns(Engagement.industry_id, reason_of_response())
        .join(Engagement, Engagement.id == R.engagement_id)
        .where(*only, counted(), R.partner_seq.is_not(None))
    )
    for response_id, partner_id, number, submitted_at, engagement_id, industry_id, reason in rows:
        partner = partners.get(partner_id)
        if partner is None:
            continue
        keys = [
            ALL,
            ("industry", str(industry_id)),
            ("quarter", quarter_of(submitted_at)),
            *(("product", str(product)) for product in products.get(engagement_id, ())),
            *([("reason", reason)] if reason else []),
        ]
        for key in keys:
            through = partner.copies.get(key)
            if through is not None and number <= through:
                partner.answers[key].add(response_id)
