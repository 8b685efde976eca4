"""Telling webhooks of an event: one outbox row per matching webhook, in the caller's
transaction, so the delivery exists exactly when the change it tells was committed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.models import WEBHOOK_EVENTS, Engagement, Partner, Webhook, WebhookDelivery, agreed


def emit(
    session: Session,
    event: str,
    *,
    vendor_id: int | None,
    partner_id: int | None,
    payload: dict[str, object],
) -> None:
    """Queue `event` for the webhooks of this vendor and of this partner that take it.

    The caller commits (or rolls back, and nothing is sent)."""
    emit_to(
        session,
        event,
        vendor_ids=[] if vendor_id is None else [vendor_id],
        partner_ids=[] if partner_id is None else [partner_id],
        payload=payload,
    )


def emit_to(
    session: Session,
    event: str,
    *,
    vendor_ids: Iterable[int],
    partner_ids: Iterable[int],
    payload: dict[str, object],
) -> None:
    if event not in WEBHOOK_EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    owners = []
    if vendors := sorted(set(vendor_ids)):
        owners.append(Webhook.vendor_id.in_(vendors))
    if partners := sorted(set(partner_ids)):
        owners.append(Webhook.partner_id.in_(partners))
    if not owners:
        return
    hooks = session.execute(
        select(Webhook.id, Webhook.events).where(or_(*owners)).order_by(Webhook.id)
    ).all()
    now = datetime.now(UTC)
    for webhook_id, events in hooks:
        if event not in events:
            continue
        delivery_id = str(uuid.uuid4())
        body = {
            "id": delivery_id,
            "event": event,
            "createdAt": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "data": payload,
        }
        session.add(
            WebhookDelivery(
                delivery_id=delivery_id,
                webhook_id=webhook_id,
                event=event,
                # Dates and such as their ISO text: an odd value never fails the change itself.
                body=json.dumps(body, separators=(",", ":"), sort_keys=True, default=str),
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )


def figures_published(session: Session, partner_id: int) -> None:
    """A partner's figures were published (a publication step): its own webhooks and those
    of the vendors of its agreed engagements hear of it. One statement when none listens."""
    vendors = (
        select(Engagement.vendor_id)
        .where(Engagement.partner_id == partner_id, Engagement.vendor_id.is_not(None), agreed())
        .distinct()
    )
    listening = session.execute(
        select(Webhook.vendor_id, Webhook.partner_id).where(
            or_(Webhook.partner_id == partner_id, Webhook.vendor_id.in_(vendors))
        )
    ).all()
    if not listening:
        return
    slug = session.scalar(select(Partner.slug).where(Partner.id == partner_id))
    today = datetime.now(UTC).date().isoformat()
    emit_to(
        session,
        "figures.published",
        vendor_ids=[vendor for vendor, _ in listening if vendor is not None],
        partner_ids=[partner for _, partner in listening if partner is not None],
        payload={"partner": {"id": str(partner_id), "slug": slug}, "publishedOn": today},
    )
