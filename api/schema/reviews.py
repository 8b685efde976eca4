"""Published reviews: what a respondent wrote, never who when they asked to stay anonymous.

The rules live in api/readers/reviews.py (PublicReview); this maps them.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from api import models
from api.readers.reviews import PublicReply, PublicReview
from api.schema.errors import UserError

MAX_REVIEWS = 50


@strawberry.type(
    description="The partner's public reply to a review; its times are days (00:00 UTC) "
    "on a published review"
)
class ReviewReply:
    body: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: models.ReviewReply | PublicReply) -> ReviewReply:
        return cls(body=row.body, created_at=row.created_at, updated_at=row.updated_at)


@strawberry.type
class ReviewReplyPayload:
    reply: ReviewReply | None
    errors: list[UserError]


@strawberry.type
class Review:
    id: strawberry.ID = strawberry.field(description="random: it tells nothing of the order")
    quarter: str | None = strawberry.field(
        description='when it was written, e.g. "2026-Q3"; null where the partner\'s figures '
        "for that quarter are not shown (and, for an anonymous review, where any review of "
        "the partner hides its quarter): see the methodology"
    )
    submitted_at: datetime | None = strawberry.field(
        description="the day (00:00 UTC) a named review was written; null when anonymous or "
        "when its quarter is not shown"
    )
    likelihood_to_recommend: int | None = strawberry.field(
        description="null for the public: a single answer's score would give back figures "
        "that are withheld; operators see it"
    )
    rating_overall: int | None = strawberry.field(
        description="null for the public, as likelihoodToRecommend"
    )
    comment: str
    anonymous: bool
    respondent_name: str | None = strawberry.field(description="null when anonymous")
    respondent_title: str | None = strawberry.field(description="null when anonymous")
    company: str | None = strawberry.field(description="null when anonymous")
    industry: str | None = strawberry.field(
        description="null where the partner's figures for that industry are not shown (and, "
        "for an anonymous review, where any review of the partner hides its industry)"
    )
    reply: ReviewReply | None = strawberry.field(description="the partner's public reply")

    @classmethod
    def from_view(cls, view: PublicReview) -> Review:
        return cls(
            id=strawberry.ID(view.key),
            quarter=view.quarter,
            submitted_at=view.submitted_at,
            likelihood_to_recommend=view.likelihood_to_recommend,
            rating_overall=view.rating_overall,
            comment=view.comment,
            anonymous=view.anonymous,
            respondent_name=view.respondent_name,
            respondent_title=view.respondent_title,
            company=view.company,
            industry=view.industry.name if view.industry else None,
            reply=ReviewReply.from_row(view.reply) if view.reply else None,
        )
