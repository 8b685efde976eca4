from __future__ import annotations

import strawberry

from api.schema.pagination import PageInfo
from api.schema.partners.types import PartnerEdge


@strawberry.type
class FacetValue:
    value: str
    count: int


@strawberry.type(description="Counts over the whole result, for a faceted search page.")
class Facet:
    field: str = strawberry.field(
        description="industries, products, countries, evidenceTiers or partnerTypes"
    )
    values: list[FacetValue] = strawberry.field(description="most frequent first")


@strawberry.type
class SearchResults:
    edges: list[PartnerEdge]
    page_info: PageInfo
    total_count: int
    facets: list[Facet]
    notes: list[str] = strawberry.field(
        description="What was done to the query text: cut to size, or searched as plain words."
    )
