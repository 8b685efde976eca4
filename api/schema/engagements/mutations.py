from __future__ import annotations

import strawberry

from api import models
from api.schema.context import Info
from api.schema.engagements.inputs import EngagementInput
from api.schema.engagements.types import Engagement, EngagementPayload
from api.schema.errors import UserError
from api.schema.mutation_helpers import parse_id, run_service
from api.schema.permissions import IsKeyed, IsPartnerOrAdmin, IsVendorOrAdmin
from api.services import engagement_agreement as agreement
from api.services import engagements as service


def _payload(row: models.Engagement | None, errors: list[UserError]) -> EngagementPayload:
    engagement = Engagement.from_row(row) if row is not None else None
    return EngagementPayload(engagement=engagement, errors=errors)


def _record(info: Info, values: EngagementInput) -> EngagementPayload:
    """Both record and propose: the service decides by the caller's role what is confirmed."""
    context = info.context
    row, errors = run_service(
        context,
        lambda: service.record_engagement(
            session=context.session, caller=context.caller, draft=values.to_draft()
        ),
    )
    return _payload(row, errors)


@strawberry.type
class EngagementMutations:
    @strawberry.mutation(
        permission_classes=[IsVendorOrAdmin],
        description="Record an engagement (vendor key: its own). It counts once its partner "
        "confirms it (confirmEngagement); an admin's counts at once.",
    )
    def record_engagement(self, info: Info, input: EngagementInput) -> EngagementPayload:
        return _record(info, input)

    @strawberry.mutation(
        permission_classes=[IsPartnerOrAdmin],
        description="A partner proposes one of its engagements; it stays unconfirmed "
        "until the vendor confirms it.",
    )
    def propose_engagement(self, info: Info, input: EngagementInput) -> EngagementPayload:
        return _record(info, input)

    @strawberry.mutation(
        permission_classes=[IsKeyed],
        description="The other side agrees the engagement happened: its partner confirms what "
        "a vendor recorded, its vendor what a partner proposed (an admin: any, even disputed).",
    )
    def confirm_engagement(self, info: Info, engagement_id: strawberry.ID) -> EngagementPayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: agreement.confirm_engagement(
                session=context.session,
                caller=context.caller,
                engagement_id=parse_id(engagement_id, "engagementId"),
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(
        permission_classes=[IsKeyed],
        description="The other side refuses an unconfirmed engagement, with a reason (5 to "
        "1000 characters) admins read: it never counts, and only an admin can still confirm it.",
    )
    def dispute_engagement(
        self, info: Info, engagement_id: strawberry.ID, reason: str
    ) -> EngagementPayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: agreement.dispute_engagement(
                session=context.session,
                caller=context.caller,
                engagement_id=parse_id(engagement_id, "engagementId"),
                reason=reason,
            ),
        )
        return _payload(row, errors)

    @strawberry.mutation(permission_classes=[IsVendorOrAdmin])
    def set_engagement_status(
        self, info: Info, engagement_id: strawberry.ID, status: str
    ) -> EngagementPayload:
        context = info.context
        row, errors = run_service(
            context,
            lambda: service.set_status(
                session=context.session,
                caller=context.caller,
                engagement_id=parse_id(engagement_id, "engagementId"),
                status=status,
            ),
        )
        return _payload(row, errors)
