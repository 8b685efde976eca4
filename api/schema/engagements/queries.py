from __future__ import annotations

import strawberry

from api import models
from api.readers.pulses import at_risk_page
from api.schema.context import Info
from api.schema.engagements.types import (
    DisputedEngagement,
    Engagement,
    EngagementConnection,
    EngagementEdge,
)
from api.schema.mutation_helpers import parse_id
from api.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PageInfo,
    encode_cursor,
    page_size,
    page_window,
)
from api.schema.permissions import IsAdmin, IsKeyed
from api.services.engagement_agreement import disputed_engagements


@strawberry.type
class EngagementQueries:
    @strawberry.field(
        permission_classes=[IsAdmin],
        description="Engagements the other side disputed, the latest first (admin; first: "
        "at most 100, 20 by default): they never count; confirmEngagement with an admin key "
        "overrules a dispute.",
    )
    def disputed_engagements(
        self, info: Info, first: int | None = None
    ) -> list[DisputedEngagement]:
        limit = page_size(first, default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE)
        disputes = disputed_engagements(session=info.context.session, limit=limit)
        return [DisputedEngagement.from_dispute(d) for d in disputes]

    @strawberry.field(
        permission_classes=[IsKeyed],
        description="Engagements in progress whose latest pulse check is at risk, the latest "
        "answer first: a vendor's or a partner's own, all for an admin (first: at most 100).",
    )
    def engagements_at_risk(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> EngagementConnection:
        offset, size = page_window(first, after)
        caller, context = info.context.caller, info.context
        rows, total = at_risk_page(
            context.session,
            partner_id=caller.partner_id if caller.role == "partner" else None,
            vendor_id=caller.vendor_id if caller.role == "vendor" else None,
            offset=offset,
            limit=size,
        )
        context.loaders.engagements_listed.extend(row.id for row in rows)
        edges = [
            EngagementEdge(node=Engagement.from_row(row), cursor=encode_cursor(offset + place))
            for place, row in enumerate(rows)
        ]
        return EngagementConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=offset + len(rows) < total,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )

    @strawberry.field(
        permission_classes=[IsKeyed],
        description="One engagement, for its vendor, its partner or an admin (null to others).",
    )
    def engagement(self, info: Info, id: strawberry.ID) -> Engagement | None:
        row = info.context.session.get(models.Engagement, parse_id(id, "id"))
        if row is None:
            return None
        found = Engagement.from_row(row)
        return found if found.seen_by_its_sides(info) else None
