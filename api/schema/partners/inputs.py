from __future__ import annotations

from enum import Enum

import strawberry

from api.readers.partners import PartnerFilter as FilterValues
from api.schema.errors import ClientError
from api.schema.figures.types import EvidenceTier
from api.services.partners import NewPartner
from api.vocabulary import PARTNER_TYPES

MAX_FILTER_VALUES = 250
"""Distinct values per filter list (there are 249 ISO country codes)."""


@strawberry.enum(description="Orders of the partner list; the default never reads money.")
class PartnerOrder(Enum):
    RANKING_SCORE = "ranking_score"
    NPS = "nps"
    RESPONSE_COUNT = "response_count"
    NAME = "name"


@strawberry.input(description="Within a list any value matches; across lists all must match.")
class PartnerFilter:
    industries: list[str] | None = strawberry.field(default=None, description="industry slugs")
    products: list[str] | None = strawberry.field(default=None, description="product slugs")
    countries: list[str] | None = strawberry.field(
        default=None, description='ISO 3166-1 alpha-2 codes, e.g. "US"'
    )
    evidence_tiers: list[EvidenceTier] | None = strawberry.field(
        default=None, description="partners whose verified figures reach one of these tiers"
    )
    partner_types: list[str] | None = strawberry.field(
        default=None, description=f"PartnerType values: {', '.join(PARTNER_TYPES)}"
    )

    def to_values(self) -> FilterValues:
        return FilterValues(
            industries=_distinct("industries", self.industries),
            products=_distinct("products", self.products),
            countries=_distinct("countries", self.countries),
            evidence_tiers=tuple(dict.fromkeys(t.value for t in self.evidence_tiers or ())),
            partner_types=_distinct("partnerTypes", self.partner_types),
        )


def _distinct(name: str, values: list[str] | None) -> tuple[str, ...]:
    distinct = tuple(dict.fromkeys(values or ()))
    if len(distinct) > MAX_FILTER_VALUES:
        raise ClientError(
            f"filter.{name} takes at most {MAX_FILTER_VALUES} distinct values, got {len(distinct)}",
            code="VALIDATION",
            field=f"filter.{name}",
        )
    return distinct


@strawberry.input
class NewPartnerInput:
    slug: str
    name: str
    summary: str | None = None
    website: str | None = None

    def to_values(self) -> NewPartner:
        return NewPartner(
            slug=self.slug, name=self.name, summary=self.summary, website=self.website
        )
