from __future__ import annotations

import strawberry

from api import models
from api.schema.errors import UserError


@strawberry.type(description="A URL Vouch POSTs events to, signed (X-Vouch-Signature).")
class Webhook:
    id: strawberry.ID
    url: str
    events: list[str] = strawberry.field(
        description="engagement.at_risk, figures.published (a partner's figures were "
        "published: to the partner, and to the vendors of its agreed engagements)"
    )

    @classmethod
    def from_row(cls, row: models.Webhook) -> Webhook:
        return cls(id=strawberry.ID(str(row.id)), url=row.url, events=list(row.events))


@strawberry.type
class WebhookPayload:
    webhook: Webhook | None
    secret: str | None = strawberry.field(
        description="the signing secret, shown once: X-Vouch-Signature is sha256=<hex "
        "HMAC-SHA256 of the raw body with it>"
    )
    errors: list[UserError]


@strawberry.type
class RemoveWebhookPayload:
    removed: bool
    errors: list[UserError]
