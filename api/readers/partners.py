"""Listing and filtering partners, and fetching their parts in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem
from api.models import (
    Certification,
    Industry,
    Office,
    Partner,
    Product,
    Reference,
    Vendor,
    partner_industries,
    partner_products,
)
from api.validation import Checker

T = TypeVar("T")


@dataclass(frozen=True)
class PartnerFilter:
    """Within a list any value matches; across lists all must match."""

    industries: Sequence[str] = field(default_factory=tuple)
    products: Sequence[str] = field(default_factory=tuple)
    countries: Sequence[str] = field(default_factory=tuple)


def _ids_for_slugs(
    session: Session,
    model: type[Industry] | type[Product],
    slugs: Sequence[str],
    field_name: str,
) -> tuple[list[int], list[FieldProblem]]:
    if not slugs:
        return [], []
    found = dict(session.execute(select(model.slug, model.id).where(model.slug.in_(slugs))).all())
    missing = [slug for slug in slugs if slug not in found]
    problems = [
        FieldProblem(field_name, f"unknown {field_name[:-1].replace('ie', 'y')} slug {slug!r}")
        for slug in missing
    ]
    return list(found.values()), problems


def filter_conditions(session: Session, wanted: PartnerFilter) -> list[ColumnElement[bool]]:
    """Translate a filter into SQL conditions, or raise naming every unknown value."""
    industry_ids, problems = _ids_for_slugs(session, Industry, wanted.industries, "industries")
    product_ids, more = _ids_for_slugs(session, Product, wanted.products, "products")
    problems += more
    check = Checker()
    for code in wanted.countries:
        check.country("countries", code)
    problems += check.problems
    if problems:
        raise DomainError(problems)
    conditions: list[ColumnElement[bool]] = []
    if industry_ids:
        conditions.append(
            exists().where(
                and_(
                    partner_industries.c.partner_id == Partner.id,
                    partner_industries.c.industry_id.in_(industry_ids),
                )
            )
        )
    if product_ids:
        conditions.append(
            exists().where(
                and_(
                    partner_products.c.partner_id == Partner.id,
                    partner_products.c.product_id.in_(product_ids),
                )
            )
        )
    if wanted.countries:
        conditions.append(
            exists().where(
                and_(Office.partner_id == Partner.id, Office.country.in_(wanted.countries))
            )
        )
    return conditions


def page_of_partners(
    *, session: Session, wanted: PartnerFilter, offset: int, limit: int
) -> tuple[list[Partner], int]:
    """One page in name order and the total that matches."""
    conditions = filter_conditions(session, wanted)
    query: Select[Partner] = select(Partner).where(*conditions)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Partner.name, Partner.id).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def partner_by_slug(*, session: Session, slug: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.slug == slug))


def _group(pairs: Sequence[tuple[int, T]]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = defaultdict(list)
    for partner_id, item in pairs:
        grouped[partner_id].append(item)
    return grouped


def offices_of(session: Session, partner_ids: Sequence[int]) -> dict[int, list[Office]]:
    rows = session.scalars(
        select(Office)
        .where(Office.partner_id.in_(partner_ids))
        .order_by(Office.is_headquarters.desc(), Office.city, Office.id)
    ).all()
    return _group([(row.partner_id, row) for row in rows])


def industries_of(session: Session, partner_ids: Sequence[int]) -> dict[int, list[Industry]]:
    rows = session.execute(
        select(partner_industries.c.partner_id, Industry)
        .join(Industry, Industry.id == partner_industries.c.industry_id)
        .where(partner_industries.c.partner_id.in_(partner_ids))
        .order_by(Industry.name)
    ).all()
    return _group([(pid, industry) for pid, industry in rows])


def products_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[Product, Vendor]]]:
    rows = session.execute(
        select(partner_products.c.partner_id, Product, Vendor)
        .join(Product, Product.id == partner_products.c.product_id)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(partner_products.c.partner_id.in_(partner_ids))
        .order_by(Vendor.name, Product.name)
    ).all()
    return _group([(pid, (product, vendor)) for pid, product, vendor in rows])


def certifications_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[Certification, Vendor | None]]]:
    rows = session.execute(
        select(Certification, Vendor)
        .outerjoin(Vendor, Vendor.id == Certification.vendor_id)
        .where(Certification.partner_id.in_(partner_ids))
        .order_by(Certification.name, Certification.id)
    ).all()
    return _group([(cert.partner_id, (cert, vendor)) for cert, vendor in rows])


def references_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[Reference, Industry | None]]]:
    rows = session.execute(
        select(Reference, Industry)
        .outerjoin(Industry, Industry.id == Reference.industry_id)
        .where(Reference.partner_id.in_(partner_ids))
        .order_by(Reference.year.desc(), Reference.id)
    ).all()
    return _group([(ref.partner_id, (ref, industry)) for ref, industry in rows])
