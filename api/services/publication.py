"""Published figures move in steps of K_ANONYMITY answers, so no two snapshots differ by one.

A partner's figure (overall, or one segment) is republished, copied from its live tally,
only once the live tally holds at least K_ANONYMITY answers that the published copy does
not: whoever compares two publications sees at least five new answers at once, never one
respondent's. A void takes effect at once: a published copy that counts the voided
response loses it in the same transaction.

Each copy remembers up to which of the partner's responses it counts (`published_through`,
compared with SurveyResponse.partner_seq), so a void knows whether the copy holds it, and
a rebuild can recompute every copy from the responses alone. The market figures are the
sum of the partners' published 'all' and 'reason' rows, kept by the same deltas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from api.metrics import K_ANONYMITY, TALLY_COLUMNS
from api.models import SurveyResponse, partner_tallies, published_market, published_tallies
from api.services.tally_rows import MARKET_KINDS, SegmentKey, add_rows, coverage, insert_for

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


def publish_due(
    session: Session, partner_id: int, keys: Sequence[SegmentKey], *, through: int | None
) -> list[SegmentKey]:
    """Republish each of the partner's segments that gained STEP answers; the ones it did."""
    live = _rows(session, partner_tallies, partner_id, keys)
    published = _rows(session, published_tallies, partner_id, keys)
    due = [
        key
        for key in keys
        if key in live and live[key]["n"] - published.get(key, {}).get("n", 0) >= STEP
    ]
    now = datetime.now(UTC)
    for key in due:
        copy = {name: live[key][name] for name in COPIED}
        values = {"partner_id": partner_id, "kind": key[0], "segment": key[1], **copy}
        values |= {"published_through": through or 0, "published_at": now}
        statement = insert_for(session, published_tallies).values(**values)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["partner_id", "kind", "segment"],
                set_={name: statement.excluded[name] for name in values if name not in KEY_NAMES},
            )
        )
        if key[0] in MARKET_KINDS:
            old = published.get(key, {})
            change = {name: copy[name] - old.get(name, 0) for name in SUMMED}
            add_rows(session, published_market, [{"kind": key[0], "segment": key[1]}], change)
    return due


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
    add_rows(session, published_tallies, rows, delta)
    for key in holding:
        row = published[key]
        covered, latest = coverage(
            session, partner_id, key, SurveyResponse.partner_seq <= row["published_through"]
        )
        session.execute(
            update(published_tallies)
            .where(
                published_tallies.c.partner_id == partner_id,
                published_tallies.c.kind == key[0],
                published_tallies.c.segment == key[1],
            )
            .values(engagements_covered=covered, latest_response_at=latest)
        )
        if key[0] in MARKET_KINDS:
            change = {**delta, "engagements_covered": covered - row["engagements_covered"]}
            add_rows(session, published_market, [{"kind": key[0], "segment": key[1]}], change)
