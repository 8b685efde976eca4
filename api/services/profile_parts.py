"""The parts of a profile a partner keeps: offices, claimed industries and products,
certifications and references. Each edit goes through begin_edit/finish_edit, and opens
the edit (rights, then version) before it looks at the values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode
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
from api.services.apikeys import Caller
from api.services.profile import begin_edit, finish_edit
from api.validation import Checker, check_range

MAX_OFFICES = 100
MAX_CLAIMS = 50
MAX_ITEMS = 200  # certifications, references


@dataclass(frozen=True)
class Edit:
    """Who edits which partner, at which version."""

    caller: Caller
    slug: str
    expected_version: int


@dataclass(frozen=True)
class OfficeValues:
    city: str
    country: str
    latitude: float
    longitude: float
    is_headquarters: bool = False


@dataclass(frozen=True)
class CertificationValues:
    name: str
    vendor: str | None = None  # a vendor slug
    year: int | None = None


@dataclass(frozen=True)
class ReferenceValues:
    title: str
    customer_name: str | None = None
    industry: str | None = None  # an industry slug
    summary: str | None = None
    year: int | None = None


def _open(session: Session, edit: Edit) -> Partner:
    return begin_edit(
        session=session, caller=edit.caller, slug=edit.slug, expected_version=edit.expected_version
    )


def _close(session: Session, edit: Edit, partner: Partner, action: str, **details: Any) -> Partner:
    return finish_edit(
        session=session, caller=edit.caller, partner=partner, action=action, details=details
    )


Row = TypeVar("Row", Office, Certification, Reference)


def _own(session: Session, model: type[Row], partner: Partner, item_id: int, field: str) -> Row:
    row = session.get(model, item_id)
    if row is None or row.partner_id != partner.id:
        raise DomainError.one(
            field, f"{partner.slug} has no such item {item_id}", code=ErrorCode.NOT_FOUND
        )
    return row


def _count(session: Session, model: type[Row], partner: Partner, limit: int, field: str) -> None:
    rows = session.scalars(select(model.id).where(model.partner_id == partner.id)).all()
    if len(rows) >= limit:
        raise DomainError.one(field, f"a profile holds at most {limit} of these")


def _check_office(values: OfficeValues) -> None:
    check = Checker()
    check.text("city", values.city, max_length=120, required=True)
    check.country("country", values.country)
    check_range(check, "latitude", values.latitude, -90, 90)
    check_range(check, "longitude", values.longitude, -180, 180)
    if check.problems:
        raise DomainError(check.problems)


def _headquarters(session: Session, partner: Partner, office: Office) -> None:
    if office.is_headquarters:
        session.execute(
            update(Office)
            .where(Office.partner_id == partner.id, Office.id != office.id)
            .values(is_headquarters=False)
        )
        partner.headquarters_city, partner.headquarters_country = office.city, office.country


def add_office(*, session: Session, edit: Edit, values: OfficeValues) -> Partner:
    partner = _open(session, edit)
    _check_office(values)
    _count(session, Office, partner, MAX_OFFICES, "office")
    office = Office(partner_id=partner.id, **asdict(values))
    session.add(office)
    session.flush()
    _headquarters(session, partner, office)
    return _close(session, edit, partner, "office.add", office=office.id, values=asdict(values))


def change_office(*, session: Session, edit: Edit, office_id: int, values: OfficeValues) -> Partner:
    partner = _open(session, edit)
    _check_office(values)
    office = _own(session, Office, partner, office_id, "office_id")
    before = {name: getattr(office, name) for name in asdict(values)}
    for name, value in asdict(values).items():
        setattr(office, name, value)
    _headquarters(session, partner, office)
    return _close(
        session,
        edit,
        partner,
        "office.change",
        office=office_id,
        before=before,
        after=asdict(values),
    )


def remove_office(*, session: Session, edit: Edit, office_id: int) -> Partner:
    partner = _open(session, edit)
    office = _own(session, Office, partner, office_id, "office_id")
    session.delete(office)
    return _close(session, edit, partner, "office.remove", office=office_id, city=office.city)


def _ids(
    session: Session, model: type[Industry] | type[Product], slugs: Sequence[str], field: str
) -> list[int]:
    found = dict(session.execute(select(model.slug, model.id).where(model.slug.in_(slugs))).all())
    missing = sorted(set(slugs) - set(found))
    if missing:
        raise DomainError.one(field, f"unknown {field}: {', '.join(missing)}")
    if len(found) > MAX_CLAIMS:
        raise DomainError.one(field, f"claim at most {MAX_CLAIMS}")
    return list(found.values())


def set_claims(
    *,
    session: Session,
    edit: Edit,
    industries: Sequence[str] | None,
    products: Sequence[str] | None,
) -> Partner:
    """Replace the claimed industries and/or products (a list given replaces that set)."""
    partner = _open(session, edit)
    industry_ids = (
        _ids(session, Industry, industries, "industries") if industries is not None else None
    )
    product_ids = _ids(session, Product, products, "products") if products is not None else None
    for table, column, ids in (
        (partner_industries, "industry_id", industry_ids),
        (partner_products, "product_id", product_ids),
    ):
        if ids is None:
            continue
        session.execute(delete(table).where(table.c.partner_id == partner.id))
        if ids:
            session.execute(insert(table), [{"partner_id": partner.id, column: i} for i in ids])
    return _close(
        session,
        edit,
        partner,
        "claims.set",
        industries=sorted(industries) if industries is not None else None,
        products=sorted(products) if products is not None else None,
    )


def _certification_fields(session: Session, values: CertificationValues) -> dict[str, Any]:
    check = Checker()
    check.text("name", values.name, max_length=200, required=True)
    check_range(check, "year", values.year, 1980, 2100)
    vendor_id = None
    if values.vendor is not None:
        vendor_id = session.scalar(select(Vendor.id).where(Vendor.slug == values.vendor))
        if vendor_id is None:
            check.fail("vendor", f"no vendor with slug {values.vendor!r}")
    if check.problems:
        raise DomainError(check.problems)
    return {"name": values.name.strip(), "vendor_id": vendor_id, "year": values.year}


Item = TypeVar("Item", Certification, Reference)


def _add_item(
    session: Session,
    edit: Edit,
    kind: str,
    model: type[Item],
    make_fields: Callable[[], dict[str, Any]],
    values: CertificationValues | ReferenceValues,
) -> Partner:
    partner = _open(session, edit)
    fields = make_fields()
    _count(session, model, partner, MAX_ITEMS, kind)
    row = model(partner_id=partner.id, **fields)
    session.add(row)
    session.flush()
    return _close(session, edit, partner, f"{kind}.add", item=row.id, values=asdict(values))


def _change_item(
    session: Session,
    edit: Edit,
    kind: str,
    model: type[Item],
    item_id: int,
    make_fields: Callable[[], dict[str, Any]],
    values: CertificationValues | ReferenceValues,
) -> Partner:
    partner = _open(session, edit)
    fields = make_fields()
    row = _own(session, model, partner, item_id, f"{kind}_id")
    before = {name: getattr(row, name) for name in fields}
    for name, value in fields.items():
        setattr(row, name, value)
    return _close(
        session, edit, partner, f"{kind}.change", item=item_id, before=before, after=asdict(values)
    )


def _remove_item(
    session: Session, edit: Edit, kind: str, model: type[Item], item_id: int
) -> Partner:
    partner = _open(session, edit)
    row = _own(session, model, partner, item_id, f"{kind}_id")
    session.delete(row)
    return _close(session, edit, partner, f"{kind}.remove", item=item_id)


def add_certification(*, session: Session, edit: Edit, values: CertificationValues) -> Partner:
    fields = partial(_certification_fields, session, values)
    return _add_item(session, edit, "certification", Certification, fields, values)


def change_certification(
    *, session: Session, edit: Edit, certification_id: int, values: CertificationValues
) -> Partner:
    fields = partial(_certification_fields, session, values)
    return _change_item(
        session, edit, "certification", Certification, certification_id, fields, values
    )


def remove_certification(*, session: Session, edit: Edit, certification_id: int) -> Partner:
    return _remove_item(session, edit, "certification", Certification, certification_id)


def _reference_fields(session: Session, values: ReferenceValues) -> dict[str, Any]:
    check = Checker()
    check.text("title", values.title, max_length=200, required=True)
    check.text("customer_name", values.customer_name, max_length=200)
    check.text("summary", values.summary, max_length=5000)
    check_range(check, "year", values.year, 1980, 2100)
    industry_id = None
    if values.industry is not None:
        industry_id = session.scalar(select(Industry.id).where(Industry.slug == values.industry))
        if industry_id is None:
            check.fail("industry", f"no industry with slug {values.industry!r}")
    if check.problems:
        raise DomainError(check.problems)
    return {
        "title": values.title.strip(),
        "customer_name": values.customer_name,
        "industry_id": industry_id,
        "summary": values.summary,
        "year": values.year,
    }


def add_reference(*, session: Session, edit: Edit, values: ReferenceValues) -> Partner:
    fields = partial(_reference_fields, session, values)
    return _add_item(session, edit, "reference", Reference, fields, values)


def change_reference(
    *, session: Session, edit: Edit, reference_id: int, values: ReferenceValues
) -> Partner:
    fields = partial(_reference_fields, session, values)
    return _change_item(session, edit, "reference", Reference, reference_id, fields, values)


def remove_reference(*, session: Session, edit: Edit, reference_id: int) -> Partner:
    return _remove_item(session, edit, "reference", Reference, reference_id)
