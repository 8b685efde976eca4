from __future__ import annotations

from datetime import date

import strawberry

from api import models
from api.schema.context import Info
from api.schema.errors import UserError
from api.schema.pagination import PageInfo
from api.schema.pulses.types import EngagementNote, EngagementPulse
from api.schema.vocabulary import SelectionReason
from api.services.engagement_agreement import Dispute


@strawberry.type
class Engagement:
    id: strawberry.ID
    status: str
    confirmed: bool = strawberry.field(
        description="both sides agreed it happened (or an admin or an operator's import "
        "recorded it): only then are its customers invited and their answers counted"
    )
    recorded_by: str = strawberry.field(
        description="vendor, partner, admin or import: the other side of a vendor or a "
        "partner confirms (confirmEngagement) or refuses (disputeEngagement)"
    )
    disputed: bool = strawberry.field(description="refused by the other side: never counts")
    dispute_reason: str | None
    budget: int | None
    started_on: date | None
    ended_on: date | None
    selection_reason: SelectionReason | None
    partner_id: strawberry.Private[int]
    vendor_id: strawberry.Private[int | None]

    def seen_by_its_sides(self, info: Info) -> bool:
        """Its vendor, its partner and admins; nobody else sees how it is going."""
        caller = info.context.caller
        return (
            caller.role == "admin"
            or (caller.role == "vendor" and caller.vendor_id == self.vendor_id)
            or (caller.role == "partner" and caller.partner_id == self.partner_id)
        )

    @strawberry.field(
        description="its customer's pulse checks: null to anyone but its vendor, its partner "
        "and admins"
    )
    def pulse(self, info: Info) -> EngagementPulse | None:
        if not self.seen_by_its_sides(info):
            return None
        return EngagementPulse.from_status(info.context.loaders.pulse_status(int(self.id)))

    @strawberry.field(
        description="its partner's notes for its vendor (addEngagementNote), oldest first: "
        "null to anyone but its vendor, its partner and admins"
    )
    def notes(self, info: Info) -> list[EngagementNote] | None:
        if not self.seen_by_its_sides(info):
            return None
        return [EngagementNote.from_row(n) for n in info.context.loaders.notes(int(self.id))]

    @classmethod
    def from_row(cls, row: models.Engagement) -> Engagement:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=row.status,
            confirmed=row.confirmed,
            recorded_by=row.recorded_by,
            disputed=row.disputed_at is not None,
            dispute_reason=row.dispute_reason,
            budget=row.budget,
            started_on=row.started_on,
            ended_on=row.ended_on,
            selection_reason=SelectionReason(row.selection_reason)
            if row.selection_reason
            else None,
            partner_id=row.partner_id,
            vendor_id=row.vendor_id,
        )


@strawberry.type
class EngagementEdge:
    node: Engagement
    cursor: str


@strawberry.type
class EngagementConnection:
    edges: list[EngagementEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class EngagementPayload:
    engagement: Engagement | None
    errors: list[UserError]


@strawberry.type(description="A disputed engagement, for an admin to review.")
class DisputedEngagement:
    engagement: Engagement
    partner_slug: str
    vendor_slug: str | None
    customer_domain: str
    disputed_on: date = strawberry.field(description="the day (UTC) the dispute was made")

    @classmethod
    def from_dispute(cls, dispute: Dispute) -> DisputedEngagement:
        return cls(
            engagement=Engagement.from_row(dispute.engagement),
            partner_slug=dispute.partner_slug,
            vendor_slug=dispute.vendor_slug,
            customer_domain=dispute.customer_domain,
            disputed_on=dispute.disputed_on,
        )
