from __future__ import annotations

import strawberry

from api.readers import reference as readers
from api.schema.context import Info
from api.schema.reference.types import Industry, Vendor


@strawberry.type
class ReferenceQueries:
    @strawberry.field(description="Every vendor, by name.")
    def vendors(self, info: Info) -> list[Vendor]:
        return [Vendor.from_row(row) for row in readers.all_vendors(info.context.session)]

    @strawberry.field(description="The industry taxonomy, by name.")
    def industries(self, info: Info) -> list[Industry]:
        return [Industry.from_row(row) for row in readers.all_industries(info.context.session)]
