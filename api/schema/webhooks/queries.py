from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.permissions import IsVendorOrPartner
from api.schema.webhooks.types import Webhook
from api.services import webhooks as service


@strawberry.type
class WebhookQueries:
    @strawberry.field(
        permission_classes=[IsVendorOrPartner],
        description="Your webhooks (vendor or partner key), oldest first.",
    )
    def webhooks(self, info: Info) -> list[Webhook]:
        context = info.context
        rows = service.webhooks_of(session=context.session, caller=context.caller)
        return [Webhook.from_row(row) for row in rows]
