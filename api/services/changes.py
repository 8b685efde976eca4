"""Writing the change log (api.models.changes) in the caller's transaction."""

from __future__ import annotations

from sqlalchemy import insert
from sqlalchemy.orm import Session

from api.models import CHANGE_REASONS, change_log


def record(session: Session, *, partner_id: int | None, reason: str) -> None:
    """Note that what a buyer sees of one partner (None: of every partner) changed."""
    if reason not in CHANGE_REASONS:
        raise ValueError(f"unknown change reason {reason!r}")
    session.execute(insert(change_log).values(partner_id=partner_id, reason=reason))
