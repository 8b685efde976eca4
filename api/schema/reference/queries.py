from __future__ import annotations

import strawberry

from api.readers import reference as readers
from api.schema.context import Info
from api.schema.reference.types import Industry, Product, Vendor


@strawberry.type
class ReferenceQueries:
    @strawberry.field(description="Every vendor, by name.")
    def vendors(self, info: Info) -> list[Vendor]:
        return [Vendor.from_row(row) for row in readers.all_vendors(info.context.session)]

    @strawberry.field(description="Every vendor's products, by name, each with its vendor.")
    def products(self, info: Info) -> list[Product]:
        return [Product.from_rows(*rows) for rows in readers.all_products(info.context.session)]

    @strawberry.field(description="The industry taxonomy, by name.")
    def industries(self, info: Info) -> list[Industry]:
        return [Industry.from_row(row) for row in readers.all_industries(info.context.session)]
