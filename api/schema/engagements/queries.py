from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.engagements.types import DisputedEngagement
from api.schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, page_size
from api.schema.permissions import IsAdmin
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
