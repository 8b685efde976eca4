from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.mutation_helpers import run_service
from api.schema.partners.inputs import NewPartnerInput
from api.schema.partners.types import Partner, PartnerProfilePayload
from api.schema.permissions import IsAdmin
from api.services import partners as service


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Onboard a partner (admin key).")
    def create_partner(self, info: Info, input: NewPartnerInput) -> PartnerProfilePayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: service.create_partner(
                session=context.session, actor=context.caller.actor, new=input.to_values()
            ),
        )
        return PartnerProfilePayload(
            partner=Partner.from_row(row) if row is not None else None, errors=errors
        )
