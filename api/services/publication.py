"""Published figures move in steps of K_ANONYMITY answers, so no two snapshots differ by one.

A partner's figure (overall, or one segment) is republished, copied from its live tally,
only once the live tally holds at least K_ANONYMITY answers that the published copy does
not: whoever compares two publications sees at least five new answers at once, never one
respondent's. A void takes effect at once: a published copy that counts the voided
response loses it in the same transaction; a copy it leaves under K_ANONYMITY answers is
emptied, or published again from the live tally if that holds K_ANONYMITY answers: no
published copy ever holds 1 to K_ANONYMITY - 1 answers (the reviews it lets through and its
answer counts would show what its withheld figures hide).

Each copy remembers up to which of the partner's responses it counts (`published_through`,
compared with SurveyResponse.partner_seq), so a void knows whether the copy holds it, and
a rebuild can recompute every copy from the responses alone. After either, which
segments the public sees is decided again (api/services/shown_segments.py). The market
figures are the sum of the partners' published 'all' rows and shown 'reason' rows, moved
by what each publication or void changed in them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import and_, func, select, tuple_, update
from sqlalchemy.orm import Session

from api.metrics import K_ANONYMITY, TALLY_COLUMNS
from api.models import partner_tallies, published_market, published_tallies
from api.services import changes, ranking_keys, shown_segments
from api.services.tally_rows import (
    ALL,
    MARKET_KINDS,
    SegmentKey,
    add_rows,
    coverages,
    insert_for_dialect,
)
from api.webhooks import events as webhook_events

STEP = K_ANONYMITY
COPIED = (*TALLY_COLUMNS, "engagements_covered", "invitations", "latest_response_at")
SUMMED = (*TALLY_COLUMNS, "engagements_covered")  # what the market adds up
KEY_NAMES = ("partner_id", "kind", "segment")


def _rows(
    session: Session, table: Any, partner_id: int, keys: Sequence[SegmentKey]
) -> dict[SegmentKey, Mapping[str, Any]]:
    found = session.execute(
        select(table).where(
            table.c.partner_id == partner_id,
            tuple_(table.c.kind, table.c.segment).in_(list(keys)),
        )
    ).all()
    return {(row.kind, row.segment): dict(row._mapping) for row in found}


def _due(session: Session, partner_id: int, keys: Sequence[SegmentKey]) -> list[SegmentKey]:
    """The segments whose live tally holds STEP answers or more that the copy lacks: one
    light query, the rows themselves are read only when a copy is due (one submit in five)."""
    live, copy = partner_tallies, published_tallies
    joined = live.outerjoin(
        copy,
        and_(
            copy.c.partner_id == live.c.partner_id,
            copy.c.kind == live.c.kind,
            copy.c.segment == live.c.segment,
        ),
    )
    rows = session.execute(
        select(live.c.kind, live.c.segment, live.c.n - func.coalesce(copy.c.n, 0))
        .select_from(joined)
        .where(
            live.c.partner_id == partner_id,
            tuple_(live.c.kind, live.c.segment).in_(list(keys)),
        )
    ).all()
    return [(kind, segment) for kind, segment, pending in rows if pending >= STEP]


def publish_due(
    session: Session, partner_id: int, keys: Sequence[SegmentKey], *, through: int | None
) -> list[SegmentKey]:
    """Republish each of the partner's segments that gained STEP answers; the ones it did."""
    due = _due(session, partner_id, keys)
    if not due:
        return due
    live = _rows(session, partner_tallies, partner_id, due)
    now = datetime.now(UTC)
    copies = [
        {
            "partner_id": partner_id,
            "kind": kind,
            "segment": segment,
            **{name: live[(kind, segment)][name] for name in COPIED},
            "published_through": through or 0,
            "published_at": now,
        }
        for kind, segment in due
    ]
    before = _market_share(session, partner_id)
    # Parameters apart from the statement: it compiles once and is cached from then on.
    session.execute(_copying(session.get_bind().dialect.name), copies)
    changes.record(session, partner_id=partner_id, reason="figures")
    shown_segments.refresh(session, [partner_id])
    _move_market(session, before, _market_share(session, partner_id))
    if ALL in due:  # after the market moved: the keys follow the published market
        ranking_keys.settle(session, [partner_id])
    webhook_events.figures_published(session, partner_id)
    return due


def _market_share(session: Session, partner_id: int) -> dict[SegmentKey, dict[str, int]]:
    """What the partner adds to the market figures: its published 'all' row, and each
    'reason' row the publication shows (a reason row is a published set too, to whoever
    compares the market's versions: the overlap rule decides it like any segment)."""
    t = published_tallies.c
    rows = session.execute(
        select(t.kind, t.segment, t.shown, *(t[name] for name in SUMMED)).where(
            t.partner_id == partner_id, t.kind.in_(MARKET_KINDS)
        )
    ).all()
    return {
        (row.kind, row.segment): {name: getattr(row, name) for name in SUMMED}
        for row in rows
        if row.kind == ALL[0] or row.shown
    }


def _move_market(
    session: Session,
    before: Mapping[SegmentKey, Mapping[str, int]],
    after: Mapping[SegmentKey, Mapping[str, int]],
) -> None:
    for key in sorted({*before, *after}):
        old, new = before.get(key, {}), after.get(key, {})
        change = {name: new.get(name, 0) - old.get(name, 0) for name in SUMMED}
        if any(change.values()):
            add_rows(session, published_market, [{"kind": key[0], "segment": key[1]}], change)


@cache
def _copying(dialect: str) -> Any:
    """The upsert that replaces a published copy, built once."""
    statement = insert_for_dialect(dialect, published_tallies)
    copied = (*COPIED, "published_through", "published_at")
    return statement.on_conflict_do_update(
        index_elements=list(KEY_NAMES), set_={name: statement.excluded[name] for name in copied}
    )


def withdraw(
    session: Session,
    partner_id: int,
    keys: Sequence[SegmentKey],
    *,
    number: int | None,
    delta: Mapping[str, int],
) -> None:
    """Take a voided response (its negative `delta`) out of the copies that count it."""
    if number is None:
        return
    published = _rows(session, published_tallies, partner_id, keys)
    holding = [key for key, row in published.items() if row["published_through"] >= number]
    if not holding:
        return
    rows = [{"partner_id": partner_id, "kind": kind, "segment": seg} for kind, seg in holding]
    before = _market_share(session, partner_id)
    changes.record(session, partner_id=partner_id, reason="figures")
    add_rows(session, published_tallies, rows, delta)
    short = [key for key in holding if published[key]["n"] + delta["n"] < K_ANONYMITY]
    for key in holding:
        if key in short:
            _empty(session, partner_id, key)
        else:
            [(covered, latest)] = coverages(
                session, partner_id, [key], through=published[key]["published_through"]
            )
            _set(session, partner_id, key, engagements_covered=covered, latest_response_at=latest)
    shown_segments.refresh(session, [partner_id])
    _move_market(session, before, _market_share(session, partner_id))
    if ALL in holding:  # after the market moved, as in publish_due
        ranking_keys.settle(session, [partner_id])
    if short:
        # An emptied copy whose live figures still hold STEP answers is published again at
        # once, as any copy is once STEP answers wait: the public never lags by a step.
        publish_due(session, partner_id, short, through=_highest_number(session, partner_id))


def _highest_number(session: Session, partner_id: int) -> int:
    number = session.scalar(
        select(partner_tallies.c.submitted).where(
            partner_tallies.c.partner_id == partner_id, partner_tallies.c.kind == "all"
        )
    )
    return int(number or 0)


EMPTY_COPY: dict[str, Any] = {
    **dict.fromkeys((*TALLY_COLUMNS, "engagements_covered", "published_through"), 0),
    "latest_response_at": None,
    "published_at": None,
}
"""A copy that publishes nothing, as before a partner's first publication; the invitation
count, which is no answer, stays."""


def _empty(session: Session, partner_id: int, key: SegmentKey) -> None:
    _set(session, partner_id, key, **EMPTY_COPY)


def _set(session: Session, partner_id: int, key: SegmentKey, **values: Any) -> None:
    session.execute(
        update(published_tallies)
        .where(
            published_tallies.c.partner_id == partner_id,
            published_tallies.c.kind == key[0],
            published_tallies.c.segment == key[1],
        )
        .values(**values)
    )
