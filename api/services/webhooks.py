"""Registering a vendor's or partner's webhook: its URL checked, its events from the
closed list, its signing secret derived and shown once (api/webhooks/signing.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem, PermissionDenied
from api.models import WEBHOOK_EVENTS, Webhook
from api.services import audit
from api.services.apikeys import Caller
from api.webhooks import signing
from api.webhooks.urls import Resolver, UnsafeUrl, check_url, resolve

MAX_WEBHOOKS = 10
"""Webhooks per vendor or partner."""


def _owned_by(caller: Caller) -> ColumnElement[bool]:
    if caller.role == "vendor" and caller.vendor_id is not None:
        return Webhook.vendor_id == caller.vendor_id
    if caller.role == "partner" and caller.partner_id is not None:
        return Webhook.partner_id == caller.partner_id
    raise PermissionDenied("a webhook belongs to a vendor or a partner: use its key")


def add_webhook(
    *,
    session: Session,
    caller: Caller,
    url: str,
    events: Sequence[str],
    key: bytes,
    allow_private: bool,
    resolver: Resolver = resolve,
) -> tuple[Webhook, str]:
    """Store the webhook; return it with its signing secret, which is never stored."""
    owned = _owned_by(caller)
    problems: list[FieldProblem] = []
    unknown = sorted({event for event in events if event not in WEBHOOK_EVENTS})
    if not events:
        problems.append(FieldProblem("events", "events must name at least one event"))
    elif unknown:
        problems.append(
            FieldProblem(
                "events",
                f"events {', '.join(repr(e[:40]) for e in unknown[:3])} unknown; the events are "
                f"{', '.join(WEBHOOK_EVENTS)}",
            )
        )
    try:
        check_url(url, allow_private=allow_private, resolver=resolver)
    except UnsafeUrl as error:
        problems.append(FieldProblem("url", f"url refused: {error}"))
    if problems:
        raise DomainError(problems)
    count = session.scalar(select(func.count()).select_from(Webhook).where(owned))
    if (count or 0) >= MAX_WEBHOOKS:
        raise DomainError.one(
            "url", f"at most {MAX_WEBHOOKS} webhooks each: remove one (removeWebhook) first"
        )
    webhook = Webhook(
        vendor_id=caller.vendor_id if caller.role == "vendor" else None,
        partner_id=caller.partner_id if caller.role == "partner" else None,
        url=url,
        events=[event for event in WEBHOOK_EVENTS if event in events],
        salt=signing.new_salt(),
    )
    session.add(webhook)
    session.flush()
    audit.record(
        session=session,
        actor=caller.actor,
        action="webhook.add",
        entity_type="webhook",
        entity_id=webhook.id,
        details={"url": url, "events": webhook.events},
    )
    return webhook, signing.secret_for(key, webhook.id, webhook.salt)


def webhooks_of(*, session: Session, caller: Caller) -> list[Webhook]:
    owned = _owned_by(caller)
    return list(session.scalars(select(Webhook).where(owned).order_by(Webhook.id)))


def remove_webhook(*, session: Session, caller: Caller, webhook_id: int) -> Webhook:
    """Delete one of the caller's webhooks, with its deliveries not yet made."""
    owned = _owned_by(caller)
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise DomainError.one("webhookId", f"there is no webhook {webhook_id}", code="NOT_FOUND")
    if session.scalar(select(Webhook.id).where(Webhook.id == webhook_id, owned)) is None:
        raise PermissionDenied("a vendor or partner may remove only its own webhooks")
    session.delete(webhook)
    session.flush()
    audit.record(
        session=session,
        actor=caller.actor,
        action="webhook.remove",
        entity_type="webhook",
        entity_id=webhook_id,
        details={"url": webhook.url},
    )
    return webhook
