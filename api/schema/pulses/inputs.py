from __future__ import annotations

import strawberry

from api.services.pulses import PulseAnswers


@strawberry.input(description="A customer's answer to a pulse check, in under a minute.")
class PulseInput:
    confidence: int = strawberry.field(
        description="0-10: how confident you are that the project will reach its goals"
    )
    risks: list[str] | None = strawberry.field(
        default=None,
        description="risks you see: scope, schedule, budget, staffing, communication, "
        "quality, product",
    )
    comment: str | None = None

    def to_answers(self) -> PulseAnswers:
        return PulseAnswers(
            confidence=self.confidence, risks=tuple(self.risks or ()), comment=self.comment
        )
