"""Writing the change log (api.models.changes) in the caller's transaction."""

from __future__ import annotations

import secrets
import time

from sqlalchemy import case, event, insert, update
from sqlalchemy.orm import Session, SessionTransaction

from api.models import CHANGE_REASONS, change_log, public_version

_CHANGED = "vouch_public_change"
DAY = 86_400_000_000  # microseconds


def record(session: Session, *, partner_id: int | None, reason: str) -> None:
    """Note that what a buyer sees of one partner (None: of every partner) changed."""
    if reason not in CHANGE_REASONS:
        raise ValueError(f"unknown change reason {reason!r}")
    session.execute(insert(change_log).values(partner_id=partner_id, reason=reason))
    session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump_public_version(session: Session) -> None:
    """A transaction that changed what buyers see bumps the public data version, as its
    last statement: the version and the change become visible together, and the row lock
    is held only for the commit, so no other lock is ever awaited while holding it."""
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    # The version is public (in every ETag), so it carries no time finer than a day: from
    # at least the start of the UTC day in microseconds, it moves by a random step. A
    # database restored from a backup thus goes on from today, and the random steps keep
    # it off the versions a running server saw with other data (one chance in 2**20 each).
    today = time.time_ns() // 1000 // DAY * DAY
    version = public_version.c.version
    step = 1 + secrets.randbits(20)
    session.execute(
        update(public_version).values(version=case((version > today, version), else_=today) + step)
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_change_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
