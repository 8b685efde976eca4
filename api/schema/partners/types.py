from __future__ import annotations

import strawberry

from api import models
from api.readers.rows import OfficeRow, PartnerRow
from api.schema.context import Info
from api.schema.errors import UserError
from api.schema.figures.types import CustomerSuccessMetrics
from api.schema.pagination import PageInfo, page_size
from api.schema.reference.types import Industry, Product, Vendor
from api.schema.reviews import MAX_REVIEWS, Review
from api.schema.vocabulary import Capability, PartnerType


@strawberry.type
class Office:
    id: strawberry.ID
    city: str
    country: str
    latitude: float
    longitude: float
    is_headquarters: bool

    @classmethod
    def from_row(cls, row: models.Office | OfficeRow) -> Office:
        return cls(
            id=strawberry.ID(str(row.id)),
            city=row.city,
            country=row.country,
            latitude=row.latitude,
            longitude=row.longitude,
            is_headquarters=row.is_headquarters,
        )


@strawberry.type
class Certification:
    id: strawberry.ID
    name: str
    year: int | None
    vendor: Vendor | None


@strawberry.type
class Reference:
    id: strawberry.ID
    title: str
    customer_name: str | None
    summary: str | None
    year: int | None
    industry: Industry | None


@strawberry.type
class Location:
    city: str | None
    country: str | None


@strawberry.type
class Partner:
    id: strawberry.ID
    slug: str
    name: str
    summary: str | None
    description: str | None = strawberry.field(description="Markdown, written by the partner.")
    website: str | None
    version: int = strawberry.field(
        description="Bumped by every change; send it back as expectedVersion when editing."
    )
    headquarters: Location
    employee_band: str | None
    founded_year: int | None
    partner_types: list[PartnerType]
    languages: list[str]
    capabilities: list[Capability]
    hourly_rate_min: int | None
    hourly_rate_max: int | None
    min_project_budget: int | None
    delivery_capacity: int | None = strawberry.field(
        description="Projects the partner says it can run at once (null: not declared)."
    )
    row_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: models.Partner | PartnerRow) -> Partner:
        return cls(
            id=strawberry.ID(str(row.id)),
            slug=row.slug,
            name=row.name,
            summary=row.summary,
            description=row.description,
            website=row.website,
            version=row.version,
            headquarters=Location(city=row.headquarters_city, country=row.headquarters_country),
            employee_band=row.employee_band,
            founded_year=row.founded_year,
            partner_types=[PartnerType(kind) for kind in row.partner_types],
            languages=list(row.languages),
            capabilities=[Capability(capability) for capability in row.capabilities],
            hourly_rate_min=row.hourly_rate_min,
            hourly_rate_max=row.hourly_rate_max,
            min_project_budget=row.min_project_budget,
            delivery_capacity=row.delivery_capacity,
            row_id=row.id,
        )

    @strawberry.field(description="Verified figures from surveys of the partner's customers.")
    def metrics(self, info: Info) -> CustomerSuccessMetrics:
        return CustomerSuccessMetrics.build(self.row_id, info.context.loaders.figures(self.row_id))

    @strawberry.field(
        description="Engagements in progress that both sides agreed happened: the project "
        "slots of deliveryCapacity in use."
    )
    def engagements_in_progress(self, info: Info) -> int:
        return info.context.loaders.in_progress(self.row_id)

    @strawberry.field(
        description="Published reviews (first: 0 to 50), by the quarter they show, newest "
        "first, those that show none last; within that in no particular order"
    )
    def reviews(self, info: Info, first: int = 10) -> list[Review]:
        size = page_size(first, default=10, maximum=MAX_REVIEWS)
        views = info.context.loaders.reviews_view(self.row_id, size)
        return [Review.from_view(view) for view in views]

    @strawberry.field
    def offices(self, info: Info) -> list[Office]:
        rows = info.context.loaders.offices(self.row_id)
        return [Office.from_row(row) for row in rows]

    @strawberry.field(description="Industries the partner claims to serve.")
    def industries(self, info: Info) -> list[Industry]:
        rows = info.context.loaders.industries(self.row_id)
        return [Industry.from_row(row) for row in rows]

    @strawberry.field(description="Products the partner claims to implement.")
    def products(self, info: Info) -> list[Product]:
        rows = info.context.loaders.products(self.row_id)
        return [Product.from_rows(product, vendor) for product, vendor in rows]

    @strawberry.field
    def certifications(self, info: Info) -> list[Certification]:
        rows = info.context.loaders.certifications(self.row_id)
        return [
            Certification(
                id=strawberry.ID(str(cert.id)),
                name=cert.name,
                year=cert.year,
                vendor=Vendor.from_row(vendor) if vendor else None,
            )
            for cert, vendor in rows
        ]

    @strawberry.field
    def references(self, info: Info) -> list[Reference]:
        rows = info.context.loaders.references(self.row_id)
        return [
            Reference(
                id=strawberry.ID(str(ref.id)),
                title=ref.title,
                customer_name=ref.customer_name,
                summary=ref.summary,
                year=ref.year,
                industry=Industry.from_row(industry) if industry else None,
            )
            for ref, industry in rows
        ]


@strawberry.type
class PartnerEdge:
    node: Partner
    cursor: str
    snippet: str | None = strawberry.field(
        default=None,
        description="Search results only: HTML, the partner's escaped words with <mark> "
        "around those that matched.",
    )


@strawberry.type
class PartnerConnection:
    edges: list[PartnerEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class PartnerProfilePayload:
    partner: Partner | None
    errors: list[UserError]
