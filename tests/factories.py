"""Small, explicit test data, written through the ORM in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlalchemy.orm import Session

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
from api.services.apikeys import create_key


@dataclass
class World:
    industries: dict[str, Industry] = field(default_factory=dict)
    vendors: dict[str, Vendor] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)


def reference_data(session: Session) -> World:
    world = World()
    for slug, name in [("healthcare", "Healthcare"), ("retail", "Retail"), ("energy", "Energy")]:
        world.industries[slug] = Industry(slug=slug, name=name)
    world.vendors["acme"] = Vendor(slug="acme", name="Acme Cloud", website="https://acme.example")
    world.vendors["globex"] = Vendor(slug="globex", name="Globex ERP")
    world.products["acme-crm"] = Product(
        slug="acme-crm", name="Acme CRM", vendor=world.vendors["acme"]
    )
    world.products["globex-erp"] = Product(
        slug="globex-erp", name="Globex ERP Suite", vendor=world.vendors["globex"]
    )
    session.add_all([*world.industries.values(), *world.products.values()])
    session.flush()
    return world


def partner(
    session: Session,
    world: World,
    slug: str,
    *,
    name: str | None = None,
    industries: tuple[str, ...] = (),
    products: tuple[str, ...] = (),
    offices: tuple[tuple[str, str, float, float], ...] = (),
    certifications: int = 0,
    references: int = 0,
) -> Partner:
    row = Partner(
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        summary=f"{slug} summary",
        partner_types=["implementation"],
        languages=["en"],
        version=1,
    )
    session.add(row)
    session.flush()
    for index, (city, country, lat, lon) in enumerate(offices):
        session.add(
            Office(
                partner_id=row.id,
                city=city,
                country=country,
                latitude=lat,
                longitude=lon,
                is_headquarters=index == 0,
            )
        )
    if industries:
        session.execute(
            insert(partner_industries),
            [{"partner_id": row.id, "industry_id": world.industries[s].id} for s in industries],
        )
    if products:
        session.execute(
            insert(partner_products),
            [{"partner_id": row.id, "product_id": world.products[s].id} for s in products],
        )
    for number in range(certifications):
        session.add(
            Certification(
                partner_id=row.id,
                name=f"Certified {number}",
                vendor_id=world.vendors["acme"].id,
                year=2020 + number,
            )
        )
    for number in range(references):
        session.add(
            Reference(
                partner_id=row.id,
                title=f"Project {number}",
                industry_id=world.industries["retail"].id,
                year=2021 + number,
            )
        )
    session.flush()
    return row


def alpha_health(session: Session, world: World) -> Partner:
    """The partner a test of one whole profile reads: alpha-health in healthcare, with
    acme-crm, an office in Berlin, a certification and a reference."""
    return partner(
        session,
        world,
        "alpha-health",
        industries=("healthcare",),
        products=("acme-crm",),
        offices=(("Berlin", "DE", 52.52, 13.405),),
        certifications=1,
        references=1,
    )


def key(
    session: Session, role: str, *, partner: str | None = None, vendor: str | None = None
) -> str:
    _, plaintext = create_key(session=session, role=role, partner_slug=partner, vendor_slug=vendor)
    return plaintext
