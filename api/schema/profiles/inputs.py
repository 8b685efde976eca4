"""What a partner may send about itself. No input here can reach a verified figure."""

from __future__ import annotations

from typing import Any

import strawberry

from api.services.profile_parts import CertificationValues, OfficeValues, ReferenceValues
from api.vocabulary import CAPABILITIES, PARTNER_TYPES


@strawberry.input(description="Fields to change; omit a field to keep it, send null to clear it.")
class PartnerProfileInput:
    summary: str | None = strawberry.UNSET
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="Markdown, at most 20,000 characters"
    )
    website: str | None = strawberry.field(default=strawberry.UNSET, description="http or https")
    headquarters_city: str | None = strawberry.UNSET
    headquarters_country: str | None = strawberry.field(
        default=strawberry.UNSET, description='ISO 3166-1 alpha-2, e.g. "DE"'
    )
    employee_band: str | None = strawberry.UNSET
    founded_year: int | None = strawberry.UNSET
    partner_types: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"PartnerType values: {', '.join(PARTNER_TYPES)}",
    )
    languages: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description='ISO 639-1 codes, e.g. ["en", "de"]'
    )
    capabilities: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description=f"Capability values: {', '.join(CAPABILITIES)}"
    )
    hourly_rate_min: int | None = strawberry.UNSET
    hourly_rate_max: int | None = strawberry.UNSET
    min_project_budget: int | None = strawberry.UNSET
    delivery_capacity: int | None = strawberry.field(
        default=strawberry.UNSET,
        description="projects it can run at once, 1 to 1,000 (null: not declared)",
    )

    def to_changes(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value is not strawberry.UNSET}


@strawberry.input
class OfficeInput:
    city: str
    country: str = strawberry.field(description='ISO 3166-1 alpha-2, e.g. "DE"')
    latitude: float
    longitude: float
    is_headquarters: bool = False

    def to_values(self) -> OfficeValues:
        return OfficeValues(
            city=self.city,
            country=self.country,
            latitude=self.latitude,
            longitude=self.longitude,
            is_headquarters=self.is_headquarters,
        )


@strawberry.input
class CertificationInput:
    name: str
    vendor: str | None = strawberry.field(default=None, description="a vendor slug")
    year: int | None = None

    def to_values(self) -> CertificationValues:
        return CertificationValues(name=self.name, vendor=self.vendor, year=self.year)


@strawberry.input
class ReferenceInput:
    title: str
    customer_name: str | None = None
    industry: str | None = strawberry.field(default=None, description="an industry slug")
    summary: str | None = None
    year: int | None = None

    def to_values(self) -> ReferenceValues:
        return ReferenceValues(
            title=self.title,
            customer_name=self.customer_name,
            industry=self.industry,
            summary=self.summary,
            year=self.year,
        )
