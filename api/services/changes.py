"""Writing the change log (api.models.changes) in the caller's transaction, and moving the
public data version whenever a transaction changed what buyers see, with the parts of the
data it changed (api.models.public_state.public_parts):

- `partner:<id>`: what a buyer sees of that one partner (its change-log rows say which);
- `all`: every partner at once (a change-log row naming none, or a partner's table
  written with no change-log row to say whose);
- `market`: the published market figures (every publication moves them);
- `catalogue`: vendors, products and industries.

The version itself moves with every one of them: lists, rankings and search, which any
partner's change can reorder, answer by it (api/response_cache.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, event, insert, inspect, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from api.models import CHANGE_REASONS, UNSEEN_REASONS, change_log, public_parts, public_version

log = logging.getLogger("vouch.changes")

_CHANGED = "vouch_public_change"
_WROTE = "vouch_wrote_shown"
_PARTS = "vouch_changed_parts"

EVERY_PARTNER = "all"
MARKET = "market"
CATALOGUE = "catalogue"


def partner_part(partner_id: int) -> str:
    return f"partner:{partner_id}"


PARTS_OF_TABLES = {
    "published_market": MARKET,
    "industries": CATALOGUE,
    "vendors": CATALOGUE,
    "products": CATALOGUE,
}
"""Shown tables that are not one partner's: the part a write to each changes. A write to
`ranking_basis` changes only the order of lists (the version); any other shown table is a
partner's, named by the transaction's change-log rows."""

SHOWN_AT_ONCE = frozenset(
    {
        "partners",
        "offices",
        "partner_industries",
        "partner_products",
        "certifications",
        "partner_references",
        "review_replies",
        "published_tallies",  # invitations count at once; answers by publication steps
        "published_market",
        "published_pulses",  # the on-track share, by publication steps
        "ranking_basis",  # the order of every list
        "industries",
        "vendors",
        "products",
    }
)
"""Tables a buyer's answers read as they are: a transaction that writes one of them moves
the public version, whether or not its service remembered to record the change."""

SHOWN_LATER_OR_NEVER = frozenset(
    {
        # Answers show only through a publication step (published_tallies); a review reads
        # its response, engagement and customer only once published, and no mutation
        # changes what a published review reads of them.
        "survey_responses",
        "survey_invitations",
        "pulse_checks",  # shown only through the on-track share's steps (published_pulses)
        "engagement_notes",  # its vendor and partner only
        "engagements",
        "engagement_products",
        "customers",
        "partner_tallies",  # live figures: operators only
        "vendor_program_memberships",  # the vendor's scorecard: keyed
        # Shown per ended quarter only: the quarter turning moves the public tags
        # (api/response_cache.py), no answer does.
        "program_feedback",
        "api_keys",
        "audit_log",
        "change_log",  # what the copies must redo: written by record() below
        "webhooks",  # a vendor's or partner's own receivers
        "webhook_deliveries",  # their outbox
        "public_version",  # the version itself
        "public_parts",  # and its parts'
    }
)
"""Tables whose writes a buyer does not see when they happen. Every table is in exactly
one of these two sets (tests/test_public_version.py)."""


def record(session: Session, *, partner_id: int | None, reason: str) -> None:
    """Note that what a buyer sees of one partner (None: of every partner) changed, or, for
    an UNSEEN_REASONS reason, what matching reads of it."""
    if reason not in CHANGE_REASONS:
        raise ValueError(f"unknown change reason {reason!r}")
    session.execute(insert(change_log).values(partner_id=partner_id, reason=reason))
    if reason not in UNSEEN_REASONS:
        session.info[_CHANGED] = True
        if partner_id is not None:
            part = partner_part(partner_id)
        else:
            part = CATALOGUE if reason == "catalogue" else EVERY_PARTNER
        session.info.setdefault(_PARTS, set()).add(part)


def engagements_agreed(session: Session, partner_ids: Iterable[int]) -> None:
    """Engagements of these partners became agreed, or an agreed one changed status: what
    matching reads of them moved (nothing a buyer sees)."""
    rows = [{"partner_id": pid, "reason": "engagement"} for pid in sorted(set(partner_ids))]
    if rows:
        session.execute(insert(change_log), rows)


def in_progress_moved(session: Session, partner_ids: Iterable[int]) -> None:
    """An agreed engagement of these partners entered or left progress: what a buyer reads
    of them (`engagementsInProgress`) and what matching reads (capacity) moved."""
    for partner_id in sorted(set(partner_ids)):
        record(session, partner_id=partner_id, reason="profile")


def _wrote(session: Session, table: str) -> None:
    if table in SHOWN_AT_ONCE:
        session.info.setdefault(_WROTE, set()).add(table)


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    """An INSERT, UPDATE or DELETE run through the session, on a table buyers read."""
    if state.is_insert or state.is_update or state.is_delete:
        table: Any = getattr(state.statement, "table", None)
        if table is not None:
            _wrote(state.session, str(table.name))


@event.listens_for(Session, "before_flush")
def _note_flush(session: Session, context: UOWTransaction, instances: object) -> None:
    """Rows the unit of work is about to add, change or delete, on a table buyers read."""
    changed = (obj for obj in session.dirty if session.is_modified(obj))
    for obj in (*session.new, *changed, *session.deleted):
        for table in inspect(obj).mapper.tables:
            _wrote(session, table.name)


@event.listens_for(Session, "before_commit")
def _bump_public_version(session: Session) -> None:
    """A transaction that changed what buyers see bumps the public data version, as its
    last statement: the version and the change become visible together, and the row lock
    is held only for the commit, so no other lock is ever awaited while holding it."""
    if session.in_nested_transaction():
        return
    # The commit flushes what is pending only after this hook: flushed now, it is seen.
    session.flush()
    recorded = session.info.pop(_CHANGED, False)
    wrote = session.info.pop(_WROTE, set())
    parts = session.info.pop(_PARTS, set())
    if not (recorded or wrote):
        return
    if not recorded:
        # The version still moves; the copies (search index, site) would miss the change.
        log.warning("a transaction wrote %s without a change-log row", ", ".join(sorted(wrote)))
    parts |= changed_parts(wrote, parts)
    # Microseconds since the epoch when that is more: a database restored from a backup
    # never reaches again a version that a running server saw with other data.
    now = time.time_ns() // 1000
    bumped = public_version.c.version + 1
    version = session.scalar(
        update(public_version)
        .values(version=case((bumped > now, bumped), else_=now))
        .returning(public_version.c.version)
    )
    if version is not None and parts:
        _set_parts(session, sorted(parts), version)


def changed_parts(wrote: set[str], recorded: set[str]) -> set[str]:
    """The parts that tables written change beyond the change-log rows' own: a partner's
    table written with no partner named changes, as far as anyone can tell, every partner."""
    parts = {PARTS_OF_TABLES[table] for table in wrote if table in PARTS_OF_TABLES}
    partners_named = any(part.startswith("partner:") or part == EVERY_PARTNER for part in recorded)
    if not partners_named and wrote - PARTS_OF_TABLES.keys() - {"ranking_basis"}:
        parts.add(EVERY_PARTNER)
    return parts


def _set_parts(session: Session, parts: list[str], version: int) -> None:
    """Each part at the version just bumped to. Taken after the version's row lock, as every
    writer here does (in the parts' order), so no two writers wait on each other's."""
    dialect = session.get_bind().dialect.name
    maker = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = maker(public_parts).values([{"part": part, "version": version} for part in parts])
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[public_parts.c.part], set_={"version": statement.excluded.version}
        )
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_change_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_WROTE, None)
        session.info.pop(_PARTS, None)
