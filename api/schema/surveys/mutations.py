from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.mutation_helpers import parse_id, run_service
from api.schema.permissions import IsAdmin, IsVendorOrAdmin
from api.schema.surveys.inputs import SurveyResponseInput
from api.schema.surveys.types import InvitationPayload, SurveyResponsePayload, VoidResponsePayload
from api.services import surveys as service


@strawberry.type
class SurveyMutations:
    @strawberry.mutation(
        permission_classes=[IsVendorOrAdmin],
        description="Invite a contact at the customer (an address on its domain) to the survey "
        "of a completed, confirmed engagement. The token is returned once.",
    )
    def create_survey_invitation(
        self, info: Info, engagement_id: strawberry.ID, email: str
    ) -> InvitationPayload:
        context = info.context
        created, errors = run_service(
            context,
            lambda: service.create_invitation(
                session=context.session,
                caller=context.caller,
                engagement_id=parse_id(engagement_id, "engagementId"),
                email=email,
            ),
        )
        if created is None:
            return InvitationPayload(token=None, invitation_id=None, errors=errors)
        invitation, token = created
        return InvitationPayload(
            token=token, invitation_id=strawberry.ID(str(invitation.id)), errors=[]
        )

    @strawberry.mutation(description="Answer a survey with its single-use token; no key needed.")
    def submit_survey_response(
        self,
        info: Info,
        token: str,
        input: SurveyResponseInput,
    ) -> SurveyResponsePayload:
        context = info.context
        response, errors = run_service(
            context,
            lambda: service.submit_response(
                session=context.session, token=token, answers=input.to_answers()
            ),
        )
        return SurveyResponsePayload(accepted=response is not None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Take a fraudulent response out of every figure; the reason is audited.",
    )
    def void_survey_response(
        self, info: Info, response_id: strawberry.ID, reason: str
    ) -> VoidResponsePayload:
        context = info.context
        response, errors = run_service(
            context,
            lambda: service.void_response(
                session=context.session,
                actor=context.caller.actor,
                response_id=parse_id(response_id, "responseId"),
                reason=reason,
            ),
        )
        return VoidResponsePayload(voided=response is not None, errors=errors)
