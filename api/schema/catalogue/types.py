from __future__ import annotations

import strawberry

from api import models
from api.schema.errors import UserError
from api.schema.partners.types import Partner
from api.schema.reference.types import Product, Vendor


@strawberry.type
class VendorPayload:
    vendor: Vendor | None
    errors: list[UserError]


@strawberry.type
class ProductPayload:
    product: Product | None
    errors: list[UserError]


@strawberry.type(
    description="A partner in a vendor's program, as the vendor keeps it: seen by the vendor "
    "and admins only, and read by no figure, ranking or match."
)
class ProgramMembership:
    partner: Partner
    vendor: Vendor
    tier: str
    annual_revenue: int
    sponsored: bool

    @classmethod
    def from_rows(
        cls, row: models.VendorProgramMembership, partner: models.Partner, vendor: models.Vendor
    ) -> ProgramMembership:
        return cls(
            partner=Partner.from_row(partner),
            vendor=Vendor.from_row(vendor),
            tier=row.tier,
            annual_revenue=row.annual_revenue,
            sponsored=row.sponsored,
        )


@strawberry.type
class MembershipPayload:
    membership: ProgramMembership | None
    errors: list[UserError]
