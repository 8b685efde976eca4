"""The partner's side of a pulse check: a note on one of its engagements that its vendor
reads (e.g. what it is doing about a worried answer). Never public."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import DomainError, PermissionDenied
from api.models import Engagement, EngagementNote
from api.services import audit
from api.services.apikeys import Caller

MAX_NOTE = 2000


def add_note(*, session: Session, caller: Caller, engagement_id: int, note: str) -> EngagementNote:
    engagement = session.get(Engagement, engagement_id)
    if engagement is None:
        raise DomainError.one("engagement_id", f"no engagement {engagement_id}", code="NOT_FOUND")
    if caller.role == "partner" and caller.partner_id != engagement.partner_id:
        raise PermissionDenied("this engagement belongs to another partner")
    if caller.role not in ("partner", "admin"):
        raise PermissionDenied("only the engagement's partner or an admin may add a note")
    text = note.strip()
    if not 1 <= len(text) <= MAX_NOTE:
        raise DomainError.one("note", f"note must be 1 to {MAX_NOTE} characters")
    row = EngagementNote(engagement_id=engagement.id, author=caller.role, note=text)
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=caller.actor,
        action="engagement.note",
        entity_type="engagement",
        entity_id=engagement.id,
        details={"note": row.id},
    )
    return row
