from __future__ import annotations

import strawberry

from api.services.program_feedback import ProgramAnswer


@strawberry.input(description="A partner's view of a vendor's partner programme this quarter.")
class ProgramFeedbackInput:
    likelihood_to_recommend: int = strawberry.field(
        description="0-10: how likely are you to recommend this vendor's partner programme"
    )
    enablement: int | None = strawberry.field(default=None, description="1-5")
    support: int | None = strawberry.field(default=None, description="1-5")
    lead_sharing: int | None = strawberry.field(default=None, description="1-5")
    payments: int | None = strawberry.field(default=None, description="1-5")
    comment: str | None = strawberry.field(
        default=None, description="at most 4000 characters; shown unattributed"
    )

    def to_answer(self) -> ProgramAnswer:
        return ProgramAnswer(
            likelihood_to_recommend=self.likelihood_to_recommend,
            enablement=self.enablement,
            support=self.support,
            lead_sharing=self.lead_sharing,
            payments=self.payments,
            comment=self.comment,
        )
