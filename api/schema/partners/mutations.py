from __future__ import annotations

import strawberry

from api.errors import DomainError
from api.schema.context import Info
from api.schema.errors import user_errors
from api.schema.partners.inputs import NewPartnerInput
from api.schema.partners.types import Partner, PartnerProfilePayload
from api.schema.permissions import IsAdmin
from api.services import partners as service


@strawberry.type
class PartnerMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Onboard a partner (admin key).")
    def create_partner(self, info: Info, input: NewPartnerInput) -> PartnerProfilePayload:
        context = info.context
        try:
            row = service.create_partner(
                session=context.session, actor=context.caller.actor, new=input.to_values()
            )
        except DomainError as error:
            context.refused = True
            return PartnerProfilePayload(partner=None, errors=user_errors(error))
        return PartnerProfilePayload(partner=Partner.from_row(row), errors=[])
