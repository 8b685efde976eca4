from __future__ import annotations

from datetime import date

import strawberry

from api import models
from api.schema.errors import UserError


@strawberry.type
class Engagement:
    id: strawberry.ID
    status: str
    confirmed: bool
    budget: int | None
    started_on: date | None
    ended_on: date | None
    selection_reason: str | None

    @classmethod
    def from_row(cls, row: models.Engagement) -> Engagement:
        return cls(
            id=strawberry.ID(str(row.id)),
            status=row.status,
            confirmed=row.confirmed,
            budget=row.budget,
            started_on=row.started_on,
            ended_on=row.ended_on,
            selection_reason=row.selection_reason,
        )


@strawberry.type
class EngagementPayload:
    engagement: Engagement | None
    errors: list[UserError]
