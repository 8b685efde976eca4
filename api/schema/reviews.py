"""Published reviews: what a respondent wrote, never who when they asked to stay anonymous."""

from __future__ import annotations

from datetime import datetime

import strawberry

from api.models import Customer, Industry, SurveyResponse

MAX_REVIEWS = 50


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

    @classmethod
    def from_row(cls, response: SurveyResponse, customer: Customer, industry: Industry) -> Review:
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
        )
