"""Both sides agree an engagement happened before its answers count.

The side that recorded an engagement cannot vouch for it alone: the partner confirms what
a vendor recorded, the vendor confirms what a partner proposed, or either refuses it with a
dispute. A disputed engagement never counts and cannot be invited; only an admin can still
confirm it. Once confirmed it cannot be disputed: a partner who regrets its answers asks an
admin to void the fraudulent ones (api/services/surveys.py), it cannot take them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, PermissionDenied
from api.models import Customer, Engagement, Partner, Vendor
from api.models.base import utcnow
from api.services import audit, changes
from api.services.apikeys import Caller
from api.services.engagements import locked_engagement
from api.vocabulary import IN_PROGRESS_STATUS

MIN_REASON = 5
MAX_REASON = 1000


def counts(engagement: Engagement) -> bool:
    """Whether the engagement's answers may count: confirmed, never disputed."""
    return engagement.confirmed and engagement.disputed_at is None


def _check_other_side(caller: Caller, engagement: Engagement) -> None:
    """Refuse anyone but the side that did not record the engagement (or an admin)."""
    if caller.role == "admin":
        return
    if engagement.recorded_by == "vendor":
        if caller.role == "partner" and caller.partner_id == engagement.partner_id:
            return
        raise PermissionDenied("only the engagement's partner may answer for a vendor's record")
    if engagement.recorded_by == "partner":
        if caller.role == "vendor" and caller.vendor_id == engagement.vendor_id:
            return
        raise PermissionDenied("only the engagement's vendor may answer for a partner's proposal")
    raise PermissionDenied("an engagement recorded by an admin or an import is confirmed already")


def confirm_engagement(*, session: Session, caller: Caller, engagement_id: int) -> Engagement:
    """The other side agrees the engagement happened; from now on its answers count."""
    engagement = locked_engagement(session, engagement_id)
    _check_other_side(caller, engagement)
    if engagement.confirmed:
        return engagement
    details: dict[str, object] = {}
    if engagement.disputed_at is not None:
        if caller.role != "admin":
            raise DomainError.one(
                "engagement_id",
                "this engagement was disputed: only an admin can still confirm it",
                code=ErrorCode.DISPUTED,
            )
        details = {"overruled_dispute": engagement.dispute_reason}
        engagement.disputed_at = None
        engagement.dispute_reason = None
    engagement.confirmed = True
    changes.engagements_agreed(session, [engagement.partner_id])
    if engagement.status == IN_PROGRESS_STATUS:
        changes.in_progress_moved(session, [engagement.partner_id])
    audit.record(
        session=session,
        actor=caller.actor,
        action="engagement.confirm",
        entity_type="engagement",
        entity_id=engagement.id,
        details=details or None,
    )
    return engagement


def dispute_engagement(
    *, session: Session, caller: Caller, engagement_id: int, reason: str
) -> Engagement:
    """The other side says the engagement did not happen as recorded: it never counts."""
    engagement = locked_engagement(session, engagement_id)
    _check_other_side(caller, engagement)
    text = reason.strip()
    if not MIN_REASON <= len(text) <= MAX_REASON:
        raise DomainError.one("reason", f"give a reason of {MIN_REASON} to {MAX_REASON} characters")
    if engagement.confirmed:
        raise DomainError.one(
            "engagement_id",
            "a confirmed engagement cannot be disputed: ask an admin to void its answers",
            code=ErrorCode.ALREADY_CONFIRMED,
        )
    if engagement.disputed_at is not None:
        raise DomainError.one(
            "engagement_id", "this engagement is disputed already", code=ErrorCode.ALREADY_DISPUTED
        )
    engagement.disputed_at = utcnow()
    engagement.dispute_reason = text
    audit.record(
        session=session,
        actor=caller.actor,
        action="engagement.dispute",
        entity_type="engagement",
        entity_id=engagement.id,
        details={"reason": text},
    )
    return engagement


@dataclass(frozen=True)
class Dispute:
    """A disputed engagement as an admin reviews it."""

    engagement: Engagement
    partner_slug: str
    vendor_slug: str | None
    customer_domain: str
    disputed_on: date


def disputed_engagements(*, session: Session, limit: int) -> list[Dispute]:
    """The disputed engagements, the latest dispute first (admins decide what stands)."""
    rows = session.execute(
        select(Engagement, Partner.slug, Vendor.slug, Customer.email_domain)
        .join(Partner, Partner.id == Engagement.partner_id)
        .join(Customer, Customer.id == Engagement.customer_id)
        .outerjoin(Vendor, Vendor.id == Engagement.vendor_id)
        .where(Engagement.disputed_at.is_not(None))
        .order_by(Engagement.disputed_at.desc(), Engagement.id.desc())
        .limit(limit)
    ).all()
    disputes = []
    for engagement, partner, vendor, domain in rows:
        assert engagement.disputed_at is not None
        disputes.append(Dispute(engagement, partner, vendor, domain, engagement.disputed_at.date()))
    return disputes
