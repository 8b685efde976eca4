from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.viewer.types import Viewer


@strawberry.type
class ViewerQueries:
    @strawberry.field
    def viewer(self, info: Info) -> Viewer:
        caller = info.context.caller
        return Viewer(
            role=caller.role, partner_slug=caller.partner_slug, vendor_slug=caller.vendor_slug
        )
