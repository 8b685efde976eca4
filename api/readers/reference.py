from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Industry, Product, Vendor


def all_vendors(session: Session) -> Sequence[Vendor]:
    return session.scalars(select(Vendor).order_by(Vendor.name)).all()


def all_products(session: Session) -> list[tuple[Product, Vendor]]:
    """Every product with its vendor, by name (then slug), in one statement."""
    rows = session.execute(
        select(Product, Vendor)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .order_by(Product.name, Product.slug)
    )
    return [(product, vendor) for product, vendor in rows]


def all_industries(session: Session) -> Sequence[Industry]:
    return session.scalars(select(Industry).order_by(Industry.name)).all()


@dataclass(frozen=True)
class ReferenceNames:
    """The small reference tables by id, read once per request when needed."""

    industries: dict[int, Industry]
    products: dict[int, tuple[Product, Vendor]]


def reference_names(session: Session) -> ReferenceNames:
    industries = {row.id: row for row in all_industries(session)}
    rows = session.execute(select(Product, Vendor).join(Vendor, Vendor.id == Product.vendor_id))
    return ReferenceNames(
        industries=industries, products={product.id: (product, vendor) for product, vendor in rows}
    )
