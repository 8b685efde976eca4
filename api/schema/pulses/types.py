from __future__ import annotations

from datetime import datetime

import strawberry

from api import models
from api.readers.pulses import PulseStatus
from api.schema.errors import UserError


@strawberry.type(
    description="How an engagement in progress is going, by its customer's pulse checks: "
    "shown to its vendor, its partner and admins only."
)
class EngagementPulse:
    latest_confidence: int | None = strawberry.field(
        description="0-10, the latest answer's confidence that the project reaches its goals"
    )
    answers: int = strawberry.field(description="answered pulse checks")
    at_risk: bool = strawberry.field(
        description="the latest answer's confidence is 6 or below, names a risk, or fell 3 "
        "points or more since the previous answer"
    )
    risks: list[str] = strawberry.field(description="the risks the latest answer named")

    @classmethod
    def from_status(cls, status: PulseStatus) -> EngagementPulse:
        return cls(
            latest_confidence=status.latest_confidence,
            answers=status.answers,
            at_risk=status.at_risk,
            risks=list(status.risks),
        )


@strawberry.type(description="A partner's note on its engagement, for its vendor.")
class EngagementNote:
    id: strawberry.ID
    author: str = strawberry.field(description="partner or admin")
    note: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: models.EngagementNote) -> EngagementNote:
        return cls(
            id=strawberry.ID(str(row.id)),
            author=row.author,
            note=row.note,
            created_at=row.created_at,
        )


@strawberry.type
class EngagementNotePayload:
    note: EngagementNote | None
    errors: list[UserError]
