from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.mutation_helpers import parse_id, run_service
from api.schema.permissions import IsPartnerOrAdmin, IsVendorOrAdmin
from api.schema.pulses.inputs import PulseInput
from api.schema.pulses.types import EngagementNote, EngagementNotePayload
from api.schema.surveys.types import InvitationPayload, SurveyResponsePayload
from api.services import engagement_notes, pulses


@strawberry.type
class PulseMutations:
    @strawberry.mutation(
        permission_classes=[IsVendorOrAdmin],
        description="Send a pulse check of an engagement in progress (its vendor, or an admin) "
        "to a contact on the customer's domain. The token is returned once.",
    )
    def create_pulse_check(
        self, info: Info, engagement_id: strawberry.ID, email: str
    ) -> InvitationPayload:
        context = info.context
        created, errors = run_service(
            context,
            lambda: pulses.create_pulse_check(
                session=context.session,
                caller=context.caller,
                engagement_id=parse_id(engagement_id, "engagementId"),
                email=email,
            ),
        )
        if created is None:
            return InvitationPayload(token=None, invitation_id=None, errors=errors)
        pulse, token = created
        return InvitationPayload(token=token, invitation_id=strawberry.ID(str(pulse.id)), errors=[])

    @strawberry.mutation(description="Answer a pulse check with its single-use token; no key.")
    def submit_pulse(self, info: Info, token: str, input: PulseInput) -> SurveyResponsePayload:
        context = info.context
        answered, errors = run_service(
            context,
            lambda: pulses.submit_pulse(
                session=context.session, token=token, answers=input.to_answers()
            ),
        )
        return SurveyResponsePayload(accepted=answered is not None, errors=errors)

    @strawberry.mutation(
        permission_classes=[IsPartnerOrAdmin],
        description="The partner answers for one of its engagements (e.g. one at risk) with a "
        "note its vendor reads on Engagement.notes; 1 to 2000 characters, never public.",
    )
    def add_engagement_note(
        self, info: Info, engagement_id: strawberry.ID, note: str
    ) -> EngagementNotePayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: engagement_notes.add_note(
                session=context.session,
                caller=context.caller,
                engagement_id=parse_id(engagement_id, "engagementId"),
                note=note,
            ),
        )
        return EngagementNotePayload(
            note=EngagementNote.from_row(row) if row is not None else None, errors=errors
        )
