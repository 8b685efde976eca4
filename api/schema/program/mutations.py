from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.mutation_helpers import run_service
from api.schema.permissions import IsPartner
from api.schema.program.inputs import ProgramFeedbackInput
from api.schema.surveys.types import SurveyResponsePayload
from api.services import program_feedback as service


@strawberry.type
class ProgramMutations:
    @strawberry.mutation(
        permission_classes=[IsPartner],
        description="Rate a vendor's partner programme (a partner key, for its own partner, "
        "about a vendor it works with): one answer per quarter, a later one that quarter "
        "replaces it. Published per vendor and quarter from 5 partners, never per partner.",
    )
    def submit_program_feedback(
        self, info: Info, vendor: str, input: ProgramFeedbackInput
    ) -> SurveyResponsePayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: service.submit_feedback(
                session=context.session,
                caller=context.caller,
                vendor_slug=vendor,
                answer=input.to_answer(),
            ),
        )
        return SurveyResponsePayload(accepted=row is not None, errors=errors)
