from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from api.models import AuditEntry


def record(
    *,
    session: Session,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    """Append to the audit log, in the caller's transaction: the entry lands with the change."""
    session.add(
        AuditEntry(
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            details=details or {},
        )
    )
