from __future__ import annotations

import strawberry

from api.schema.context import Info
from api.schema.mutation_helpers import parse_id, run_service
from api.schema.permissions import IsVendorOrPartner
from api.schema.webhooks.types import RemoveWebhookPayload, Webhook, WebhookPayload
from api.services import webhooks as service
from api.webhooks.signing import server_key


@strawberry.type
class WebhookMutations:
    @strawberry.mutation(
        permission_classes=[IsVendorOrPartner],
        description="Register a URL for events (vendor or partner key; at most 10 each). "
        "Each delivery is a JSON POST with X-Vouch-Signature, X-Vouch-Delivery (an id to "
        "de-duplicate by) and X-Vouch-Event, retried with back-off until a 2xx answer. "
        "URLs to loopback and private addresses are refused.",
    )
    def add_webhook(self, info: Info, url: str, events: list[str]) -> WebhookPayload:
        context = info.context
        settings = context.settings
        added, errors = run_service(
            context,
            lambda: service.add_webhook(
                session=context.session,
                caller=context.caller,
                url=url,
                events=events,
                key=server_key(settings),
                allow_private=settings.webhook_allow_private,
            ),
        )
        if added is None:
            return WebhookPayload(webhook=None, secret=None, errors=errors)
        row, secret = added
        return WebhookPayload(webhook=Webhook.from_row(row), secret=secret, errors=[])

    @strawberry.mutation(
        permission_classes=[IsVendorOrPartner],
        description="Remove one of your webhooks, with its deliveries not yet made.",
    )
    def remove_webhook(self, info: Info, webhook_id: strawberry.ID) -> RemoveWebhookPayload:
        context = info.context
        removed, errors = run_service(
            context,
            lambda: service.remove_webhook(
                session=context.session,
                caller=context.caller,
                webhook_id=parse_id(webhook_id, "webhookId"),
            ),
        )
        return RemoveWebhookPayload(removed=removed is not None, errors=errors)
