from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from api import models
from api.readers.rows import IndustryRow
from api.schema.context import Info

if TYPE_CHECKING:
    from api.schema.program.types import ProgramFigures


@strawberry.type
class Vendor:
    slug: str
    name: str
    website: str | None
    row_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Vendor) -> Vendor:
        return cls(slug=row.slug, name=row.name, website=row.website, row_id=row.id)

    @strawberry.field(
        description="What partners say of the vendor's partner programme: the latest published "
        'quarter (or the quarter named, e.g. "2026-Q3"), from 5 answering partners; never '
        "per partner. Null when no ended quarter has answers."
    )
    def program(
        self, info: Info, quarter: str | None = None
    ) -> Annotated[ProgramFigures, strawberry.lazy("api.schema.program.types")] | None:
        from api.schema.program.types import program_figures

        return program_figures(info.context.loaders.program(self.row_id), quarter)


@strawberry.type
class Industry:
    slug: str
    name: str

    @classmethod
    def from_row(cls, row: models.Industry | IndustryRow) -> Industry:
        return cls(slug=row.slug, name=row.name)


@strawberry.type
class Product:
    slug: str
    name: str
    vendor: Vendor

    @classmethod
    def from_rows(cls, product: models.Product, vendor: models.Vendor) -> Product:
        return cls(slug=product.slug, name=product.name, vendor=Vendor.from_row(vendor))
