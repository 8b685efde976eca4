from __future__ import annotations

import strawberry

from api.services.catalogue import MembershipChange, NewProduct, NewVendor


@strawberry.input(description="A vendor to add (admin key).")
class NewVendorInput:
    slug: str = strawberry.field(description="lowercase letters, digits and single hyphens")
    name: str
    website: str | None = None

    def to_values(self) -> NewVendor:
        return NewVendor(slug=self.slug, name=self.name, website=self.website)


@strawberry.input(description="A product of the vendor's.")
class NewProductInput:
    slug: str = strawberry.field(
        description="lowercase letters, digits and single hyphens; unique across vendors"
    )
    name: str

    def to_values(self) -> NewProduct:
        return NewProduct(slug=self.slug, name=self.name)


@strawberry.input(
    description="What the vendor's program says of a partner; a field left out keeps its "
    "value (a new membership: tier required, revenue 0, not sponsored). No figure, ranking "
    "or match reads any of it."
)
class MembershipInput:
    tier: str | None = strawberry.field(
        default=None, description="registered, silver, gold or platinum (lowest first)"
    )
    annual_revenue: int | None = strawberry.field(
        default=None, description="the partner's annual revenue to the vendor, 0 to 2,000,000,000"
    )
    sponsored: bool | None = None

    def to_values(self) -> MembershipChange:
        return MembershipChange(
            tier=self.tier, annual_revenue=self.annual_revenue, sponsored=self.sponsored
        )
