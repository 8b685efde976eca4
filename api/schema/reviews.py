"""Published reviews: what a respondent wrote, never who when they asked to stay anonymous."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api import models
from api.schema.errors import UserError

MAX_REVIEWS = 50


@strawberry.type(description="The partner's public reply to a review.")
class ReviewReply:
    body: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: models.ReviewReply) -> ReviewReply:
        return cls(body=row.body, created_at=row.created_at, updated_at=row.updated_at)


@strawberry.type
class ReviewReplyPayload:
    reply: ReviewReply | None
    errors: list[UserError]


@strawberry.type
class Review:
    id: strawberry.ID
    submitted_at: datetime
    likelihood_to_recommend: int
    rating_overall: int | None
    comment: str
    anonymous: bool
    respondent_name: str | None = strawberry.field(description="null when anonymous")
    respondent_title: str | None = strawberry.field(description="null when anonymous")
    company: str | None = strawberry.field(description="null when anonymous")
    industry: str | None
    reply: ReviewReply | None = strawberry.field(description="the partner's public reply")

    @classmethod
    def from_row(
        cls,
        response: models.SurveyResponse,
        customer: models.Customer,
        industry: models.Industry,
        reply: models.ReviewReply | None,
    ) -> Review:
        shown = not response.anonymous
        return cls(
            id=strawberry.ID(str(response.id)),
            submitted_at=response.submitted_at,
            likelihood_to_recommend=response.likelihood_partner,
            rating_overall=response.rating_overall,
            comment=response.comment or "",
            anonymous=response.anonymous,
            respondent_name=response.respondent_name if shown else None,
            respondent_title=response.respondent_title if shown else None,
            company=customer.name if shown else None,
            industry=industry.name,
            reply=ReviewReply.from_row(reply) if reply is not None else None,
        )
