"""Recording engagements: by a vendor, or proposed by a partner, each waiting for the other
side's confirmation (api/services/engagement_agreement.py); an admin's count at once."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, PermissionDenied
from api.models import Customer, Engagement, Industry, Partner, Product, Vendor, engagement_products
from api.services import audit, changes
from api.services.apikeys import Caller
from api.validation import MAX_BUDGET, Checker
from api.vocabulary import (
    CUSTOMER_SIZE_BANDS,
    ENGAGEMENT_STATUSES,
    IN_PROGRESS_STATUS,
    SELECTION_REASONS,
)

DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


@dataclass(frozen=True)
class EngagementDraft:
    partner_slug: str
    customer_name: str
    customer_domain: str
    industry: str
    status: str
    vendor_slug: str | None = None
    products: Sequence[str] = field(default_factory=tuple)
    budget: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    selection_reason: str | None = None
    customer_country: str | None = None
    customer_size: str | None = None


def check_values(draft: EngagementDraft) -> Checker:
    """The checks on the draft's own values; `vouch import engagements` runs them too."""
    check = Checker()
    check.text("customer_name", draft.customer_name, max_length=200, required=True)
    if not DOMAIN.match(draft.customer_domain.lower()):
        check.fail(
            "customer_domain", f"customer_domain {draft.customer_domain!r} is not a domain name"
        )
    if draft.status not in ENGAGEMENT_STATUSES:
        check.fail("status", f"status must be one of {', '.join(ENGAGEMENT_STATUSES)}")
    if draft.selection_reason is not None and draft.selection_reason not in SELECTION_REASONS:
        check.fail(
            "selection_reason", f"selection_reason must be one of {', '.join(SELECTION_REASONS)}"
        )
    if draft.budget is not None and not 0 <= draft.budget <= MAX_BUDGET:
        check.fail("budget", f"budget must be between 0 and {MAX_BUDGET:,}")
    if draft.started_on and draft.ended_on and draft.ended_on < draft.started_on:
        check.fail("ended_on", "ended_on is before started_on")
    if draft.customer_size is not None and draft.customer_size not in CUSTOMER_SIZE_BANDS:
        check.fail(
            "customer_size", f"customer_size must be one of {', '.join(CUSTOMER_SIZE_BANDS)}"
        )
    check.country("customer_country", draft.customer_country)
    return check


def _vendor_for(
    session: Session, caller: Caller, draft: EngagementDraft, check: Checker
) -> Vendor | None:
    if caller.role == "vendor" and draft.vendor_slug not in (None, caller.vendor_slug):
        raise PermissionDenied("a vendor key records engagements for its own vendor only")
    slug = caller.vendor_slug if caller.role == "vendor" else draft.vendor_slug
    if caller.role == "partner" and slug is None:
        check.fail("vendor_slug", "a proposed engagement names the vendor who will confirm it")
    if slug is None:
        return None
    vendor = session.scalar(select(Vendor).where(Vendor.slug == slug))
    if vendor is None:
        check.fail("vendor_slug", f"no vendor with slug {slug!r}")
    return vendor


def check_references(
    check: Checker,
    draft: EngagementDraft,
    vendor: Vendor | None,
    partner_id: int | None,
    industry_id: int | None,
    products: Mapping[str, tuple[int, int]],
) -> None:
    """The checks on what the draft's slugs name, given what each was found to name (the
    ids; products: slug -> (id, vendor id)); `vouch import engagements` looks them up in bulk."""
    if partner_id is None:
        check.fail("partner_slug", f"no partner with slug {draft.partner_slug!r}")
    if industry_id is None:
        check.fail("industry", f"no industry with slug {draft.industry!r}")
    for slug in draft.products:
        if slug not in products:
            check.fail("products", f"no product with slug {slug!r}")
        elif vendor is not None and products[slug][1] != vendor.id:
            check.fail("products", f"product {slug!r} is not one of {vendor.name}'s")


def record_engagement(*, session: Session, caller: Caller, draft: EngagementDraft) -> Engagement:
    """A vendor's record and a partner's proposal stay unconfirmed until the other side
    confirms them: no single key can manufacture the engagement its answers count for."""
    if caller.role == "partner" and draft.partner_slug != caller.partner_slug:
        raise PermissionDenied("a partner key proposes engagements for its own partner only")
    check = check_values(draft)
    vendor = _vendor_for(session, caller, draft, check)
    partner_id = session.scalar(select(Partner.id).where(Partner.slug == draft.partner_slug))
    industry_id = session.scalar(select(Industry.id).where(Industry.slug == draft.industry))
    products = session.execute(
        select(Product.slug, Product.id, Product.vendor_id).where(Product.slug.in_(draft.products))
    ).all()
    found = {slug: (pid, vid) for slug, pid, vid in products}
    check_references(check, draft, vendor, partner_id, industry_id, found)
    if check.problems:
        raise DomainError(check.problems)
    assert partner_id is not None
    assert industry_id is not None
    customer = _customer(session, draft, industry_id)
    engagement = Engagement(
        partner_id=partner_id,
        customer_id=customer.id,
        vendor_id=vendor.id if vendor else None,
        industry_id=industry_id,
        budget=draft.budget,
        started_on=draft.started_on,
        ended_on=draft.ended_on,
        status=draft.status,
        selection_reason=draft.selection_reason,
        confirmed=caller.role == "admin",
        recorded_by=caller.role,
    )
    session.add(engagement)
    session.flush()
    if engagement.confirmed:
        changes.engagements_agreed(session, [partner_id])
        if engagement.status == IN_PROGRESS_STATUS:
            changes.in_progress_moved(session, [partner_id])
    if draft.products:
        session.execute(
            insert(engagement_products),
            [
                {"engagement_id": engagement.id, "product_id": found[s][0]}
                for s in set(draft.products)
            ],
        )
    action = "engagement.propose" if caller.role == "partner" else "engagement.record"
    audit.record(
        session=session,
        actor=caller.actor,
        action=action,
        entity_type="engagement",
        entity_id=engagement.id,
        details={
            "partner": draft.partner_slug,
            "customer": customer.email_domain,
            "status": draft.status,
        },
    )
    return engagement


def _customer(session: Session, draft: EngagementDraft, industry_id: int) -> Customer:
    domain = draft.customer_domain.lower()
    customer = session.scalar(select(Customer).where(Customer.email_domain == domain))
    if customer is None:
        customer = Customer(
            name=draft.customer_name.strip(),
            email_domain=domain,
            industry_id=industry_id,
            size_band=draft.customer_size,
            country=draft.customer_country,
        )
        session.add(customer)
        session.flush()
    return customer


def locked_engagement(session: Session, engagement_id: int) -> Engagement:
    engagement = session.get(Engagement, engagement_id, with_for_update=True)
    if engagement is None:
        raise DomainError.one(
            "engagement_id", f"no engagement {engagement_id}", code=ErrorCode.NOT_FOUND
        )
    return engagement


def check_vendor_owns(caller: Caller, engagement: Engagement) -> None:
    if caller.role == "vendor" and engagement.vendor_id != caller.vendor_id:
        raise PermissionDenied("this engagement belongs to another vendor")
    if caller.role not in ("vendor", "admin"):
        raise PermissionDenied("only the engagement's vendor or an admin may do this")


def set_status(*, session: Session, caller: Caller, engagement_id: int, status: str) -> Engagement:
    engagement = locked_engagement(session, engagement_id)
    check_vendor_owns(caller, engagement)
    if status not in ENGAGEMENT_STATUSES:
        raise DomainError.one("status", f"status must be one of {', '.join(ENGAGEMENT_STATUSES)}")
    before, engagement.status = engagement.status, status
    if engagement.confirmed:
        changes.engagements_agreed(session, [engagement.partner_id])
        if before != status and IN_PROGRESS_STATUS in (before, status):
            changes.in_progress_moved(session, [engagement.partner_id])
    audit.record(
        session=session,
        actor=caller.actor,
        action="engagement.status",
        entity_type="engagement",
        entity_id=engagement.id,
        details={"from": before, "to": status},
    )
    return engagement
