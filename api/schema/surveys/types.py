from __future__ import annotations

import strawberry

from api.schema.errors import UserError


@strawberry.type
class InvitationPayload:
    token: str | None = strawberry.field(
        description="The survey token, shown this once; only its hash is stored."
    )
    invitation_id: strawberry.ID | None
    errors: list[UserError]


@strawberry.type
class SurveyResponsePayload:
    accepted: bool
    errors: list[UserError]


@strawberry.type
class VoidResponsePayload:
    voided: bool
    errors: list[UserError]
