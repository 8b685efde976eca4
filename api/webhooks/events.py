"""Emitting an event: the services call this in the request's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session


def emit(
    session: Session,
    event: str,
    *,
    vendor_id: int | None,
    partner_id: int | None,
    payload: dict[str, object],
) -> None:
    """placeholder; the webhook outbox replaces it"""
