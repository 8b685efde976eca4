"""Writing the change log (api.models.changes) in the caller's transaction, and moving the
public data version whenever a transaction changed what buyers see."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, event, insert, inspect, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from api.models import CHANGE_REASONS, UNSEEN_REASONS, change_log, public_version

log = logging.getLogger("vouch.changes")

_CHANGED = "vouch_public_change"
_WROTE = "vouch_wrote_shown"

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
    if not (recorded or wrote):
        return
    if not recorded:
        # The version still moves; the copies (search index, site) would miss the change.
        log.warning("a transaction wrote %s without a change-log row", ", ".join(sorted(wrote)))
    # Microseconds since the epoch when that is more: a database restored from a backup
    # never reaches again a version that a running server saw with other data.
    now = time.time_ns() // 1000
    bumped = public_version.c.version + 1
    session.execute(update(public_version).values(version=case((bumped > now, bumped), else_=now)))


@event.listens_for(Session, "after_transaction_end")
def _forget_change_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
        session.info.pop(_WROTE, None)
