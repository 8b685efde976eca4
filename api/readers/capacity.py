"""How busy a partner is: its engagements in progress that both sides agreed happened (a
record one side alone made cannot make a competitor look full)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import Engagement, agreed
from api.vocabulary import IN_PROGRESS_STATUS


def in_progress() -> Any:
    """The engagements that take one of a partner's declared project slots."""
    return (Engagement.status == IN_PROGRESS_STATUS) & agreed()


def in_progress_of(session: Session, partner_ids: Sequence[int]) -> dict[int, int]:
    """Engagements in progress per partner (absent: none), in one query."""
    rows = session.execute(
        select(Engagement.partner_id, func.count())
        .where(Engagement.partner_id.in_(partner_ids), in_progress())
        .group_by(Engagement.partner_id)
    )
    return {partner_id: int(count) for partner_id, count in rows}
