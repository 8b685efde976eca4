"""A vendor's catalogue and program: vendors (admin), their products and the program
memberships of partners (tier, annual revenue, sponsorship; the vendor or an admin).

Memberships are kept so a vendor can run its program in Vouch and see where tier and
evidence disagree (api/readers/tier_evidence.py); no figure, ranking or match reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError, PermissionDenied
from api.models import Partner, Product, Vendor, VendorProgramMembership
from api.services import audit, changes
from api.services.apikeys import Caller
from api.validation import MAX_ANNUAL_REVENUE, Checker
from api.vocabulary import PROGRAM_TIERS

SLUG_LENGTH = 64  # vendors.slug and products.slug
NAME_LENGTH = 120

Outcome = Literal["new", "changed", "present"]


@dataclass(frozen=True)
class NewVendor:
    slug: str
    name: str
    website: str | None = None


@dataclass(frozen=True)
class NewProduct:
    slug: str
    name: str


@dataclass(frozen=True)
class MembershipChange:
    """What to set; a value left None keeps the membership's (a new one: revenue 0, not
    sponsored; its tier must be given)."""

    tier: str | None = None
    annual_revenue: int | None = None
    sponsored: bool | None = None


def create_vendor(*, session: Session, actor: str, new: NewVendor) -> Vendor:
    check = Checker()
    check.slug("slug", new.slug, max_length=SLUG_LENGTH)
    check.text("name", new.name, max_length=NAME_LENGTH, required=True)
    check.url("website", new.website)
    if check.problems:
        raise DomainError(check.problems)
    if session.scalar(select(Vendor.id).where(Vendor.slug == new.slug)) is not None:
        raise DomainError.one("slug", f"a vendor with slug {new.slug!r} already exists")
    vendor = Vendor(slug=new.slug, name=new.name.strip(), website=new.website or None)
    session.add(vendor)
    session.flush()
    changes.record(session, partner_id=None, reason="catalogue")
    audit.record(
        session=session,
        actor=actor,
        action="vendor.create",
        entity_type="vendor",
        entity_id=new.slug,
        details={"name": vendor.name, "website": vendor.website},
    )
    return vendor


def acting_vendor(session: Session, caller: Caller, slug: str, check: Checker) -> Vendor | None:
    """The vendor a vendor key (itself only) or an admin acts for; rights first, so a caller
    without the right learns nothing of the vendor or of its input."""
    if caller.role == "vendor" and slug != caller.vendor_slug:
        raise PermissionDenied("a vendor key manages its own vendor's catalogue and program only")
    if caller.role not in ("vendor", "admin"):
        raise PermissionDenied("only the vendor itself or an admin may do this")
    vendor = session.scalar(select(Vendor).where(Vendor.slug == slug))
    if vendor is None:
        check.fail("vendor", f"no vendor with slug {slug!r}")
    return vendor


def add_product(
    *, session: Session, caller: Caller, vendor_slug: str, new: NewProduct
) -> tuple[Product, Vendor]:
    check = Checker()
    vendor = acting_vendor(session, caller, vendor_slug, check)
    check.slug("slug", new.slug, max_length=SLUG_LENGTH)
    check.text("name", new.name, max_length=NAME_LENGTH, required=True)
    if not check.problems and session.scalar(select(Product.id).where(Product.slug == new.slug)):
        check.fail("slug", f"a product with slug {new.slug!r} already exists")
    if check.problems:
        raise DomainError(check.problems)
    assert vendor is not None
    product = Product(vendor_id=vendor.id, slug=new.slug, name=new.name.strip())
    session.add(product)
    session.flush()
    changes.record(session, partner_id=None, reason="catalogue")
    audit.record(
        session=session,
        actor=caller.actor,
        action="product.create",
        entity_type="product",
        entity_id=new.slug,
        details={"vendor": vendor.slug, "name": product.name},
    )
    return product, vendor


def check_membership(
    check: Checker, change: MembershipChange, *, is_new: bool, tier_field: str = "tier"
) -> None:
    if change.tier is None:
        if is_new:
            check.fail(
                tier_field, f"{tier_field} is required for a new membership: one of {_tiers()}"
            )
    elif change.tier not in PROGRAM_TIERS:
        check.fail(tier_field, f"{tier_field} must be one of {_tiers()}, got {change.tier!r}")
    revenue = change.annual_revenue
    if revenue is not None and not 0 <= revenue <= MAX_ANNUAL_REVENUE:
        check.fail(
            "annual_revenue",
            f"annual_revenue must be between 0 and {MAX_ANNUAL_REVENUE:,}, got {revenue:,}",
        )


def _tiers() -> str:
    return ", ".join(PROGRAM_TIERS)


def set_membership(
    *,
    session: Session,
    caller: Caller,
    partner_slug: str,
    vendor_slug: str,
    change: MembershipChange,
) -> VendorProgramMembership:
    """Add the partner to the vendor's program, or change its membership."""
    check = Checker()
    vendor = acting_vendor(session, caller, vendor_slug, check)
    partner_id = session.scalar(select(Partner.id).where(Partner.slug == partner_slug))
    if partner_id is None:
        check.fail("partner_slug", f"no partner with slug {partner_slug!r}")
    existing = (
        session.get(VendorProgramMembership, (vendor.id, partner_id))
        if vendor is not None and partner_id is not None
        else None
    )
    check_membership(check, change, is_new=existing is None)
    if check.problems:
        raise DomainError(check.problems)
    assert vendor is not None
    assert partner_id is not None
    membership, _ = apply_membership(
        session, caller, vendor, partner_id, partner_slug, existing, change
    )
    return membership


def apply_membership(
    session: Session,
    caller: Caller,
    vendor: Vendor,
    partner_id: int,
    partner_slug: str,
    existing: VendorProgramMembership | None,
    change: MembershipChange,
) -> tuple[VendorProgramMembership, Outcome]:
    """Write a checked change; one that changes nothing writes nothing (an import again)."""
    before = _values(existing) if existing is not None else None
    membership = existing or VendorProgramMembership(
        vendor_id=vendor.id, partner_id=partner_id, annual_revenue=0, sponsored=False
    )
    if change.tier is not None:
        membership.tier = change.tier
    if change.annual_revenue is not None:
        membership.annual_revenue = change.annual_revenue
    if change.sponsored is not None:
        membership.sponsored = change.sponsored
    after = _values(membership)
    if after == before:
        return membership, "present"
    if existing is None:
        session.add(membership)
    audit.record(
        session=session,
        actor=caller.actor,
        action="membership.set",
        entity_type="membership",
        entity_id=f"{vendor.slug}/{partner_slug}",
        details={"before": before, "after": after},
    )
    session.flush()
    return membership, "new" if existing is None else "changed"


def _values(row: VendorProgramMembership) -> dict[str, object]:
    return {"tier": row.tier, "annual_revenue": row.annual_revenue, "sponsored": row.sponsored}
