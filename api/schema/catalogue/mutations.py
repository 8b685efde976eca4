from __future__ import annotations

import strawberry

from api import models
from api.schema.catalogue.inputs import MembershipInput, NewProductInput, NewVendorInput
from api.schema.catalogue.types import (
    MembershipPayload,
    ProductPayload,
    ProgramMembership,
    VendorPayload,
)
from api.schema.context import Info
from api.schema.mutation_helpers import run_service
from api.schema.permissions import IsAdmin, IsVendorOrAdmin
from api.schema.reference.types import Product, Vendor
from api.services import catalogue as service


@strawberry.type
class CatalogueMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Add a vendor (admin key).")
    def create_vendor(self, info: Info, input: NewVendorInput) -> VendorPayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: service.create_vendor(
                session=context.session, actor=context.caller.actor, new=input.to_values()
            ),
        )
        return VendorPayload(vendor=Vendor.from_row(row) if row else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsVendorOrAdmin],
        description="Add a product to a vendor's catalogue (that vendor's key, or admin).",
    )
    def add_product(self, info: Info, vendor: str, input: NewProductInput) -> ProductPayload:
        context = info.context
        rows, errors = run_service(
            context,
            lambda: service.add_product(
                session=context.session,
                caller=context.caller,
                vendor_slug=vendor,
                new=input.to_values(),
            ),
        )
        return ProductPayload(product=Product.from_rows(*rows) if rows else None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsVendorOrAdmin],
        description="Put a partner in a vendor's program, or change its tier, revenue or "
        "sponsorship (that vendor's key, or admin). Never read by figures, ranking or matching.",
    )
    def set_program_membership(
        self, info: Info, partner_slug: str, vendor: str, input: MembershipInput
    ) -> MembershipPayload:
        context = info.context
        session = context.session
        row, errors = run_service(
            context,
            lambda: service.set_membership(
                session=session,
                caller=context.caller,
                partner_slug=partner_slug,
                vendor_slug=vendor,
                change=input.to_values(),
            ),
        )
        if row is None:
            return MembershipPayload(membership=None, errors=errors)
        partner = session.get_one(models.Partner, row.partner_id)
        owner = session.get_one(models.Vendor, row.vendor_id)
        return MembershipPayload(
            membership=ProgramMembership.from_rows(row, partner, owner), errors=errors
        )
