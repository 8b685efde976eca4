from __future__ import annotations

import strawberry

from api import models


@strawberry.type
class Vendor:
    slug: str
    name: str
    website: str | None

    @classmethod
    def from_row(cls, row: models.Vendor) -> Vendor:
        return cls(slug=row.slug, name=row.name, website=row.website)


@strawberry.type
class Industry:
    slug: str
    name: str

    @classmethod
    def from_row(cls, row: models.Industry) -> Industry:
        return cls(slug=row.slug, name=row.name)


@strawberry.type
class Product:
    slug: str
    name: str
    vendor: Vendor

    @classmethod
    def from_rows(cls, product: models.Product, vendor: models.Vendor) -> Product:
        return cls(slug=product.slug, name=product.name, vendor=Vendor.from_row(vendor))
