from __future__ import annotations

import strawberry

from api.services.surveys import SurveyAnswers


@strawberry.input(description="One respondent's answers; all but likelihoodToRecommend optional.")
class SurveyResponseInput:
    likelihood_to_recommend: int = strawberry.field(
        description="0-10: how likely are you to recommend this partner"
    )
    anonymous: bool | None = strawberry.field(
        default=None, description="hide name, title and company on the review (default true)"
    )
    vendor_likelihood_to_recommend: int | None = strawberry.field(
        default=None, description="0-10: how likely are you to recommend the vendor"
    )
    rating_overall: int | None = strawberry.field(default=None, description="1-5")
    rating_quality: int | None = strawberry.field(default=None, description="1-5")
    rating_schedule: int | None = strawberry.field(default=None, description="1-5")
    rating_budget: int | None = strawberry.field(default=None, description="1-5")
    rating_communication: int | None = strawberry.field(default=None, description="1-5")
    rating_expertise: int | None = strawberry.field(default=None, description="1-5")
    went_live: bool | None = None
    on_time: bool | None = None
    on_budget: bool | None = None
    goals_met: bool | None = None
    would_hire_again: bool | None = None
    selection_reason: str | None = strawberry.field(
        default=None, description="a SelectionReason: why you chose this partner"
    )
    comment: str | None = strawberry.field(default=None, description="at most 4000 characters")
    respondent_name: str | None = None
    respondent_title: str | None = None

    def to_answers(self) -> SurveyAnswers:
        return SurveyAnswers(
            likelihood_to_recommend=self.likelihood_to_recommend,
            vendor_likelihood_to_recommend=self.vendor_likelihood_to_recommend,
            rating_overall=self.rating_overall,
            rating_quality=self.rating_quality,
            rating_schedule=self.rating_schedule,
            rating_budget=self.rating_budget,
            rating_communication=self.rating_communication,
            rating_expertise=self.rating_expertise,
            went_live=self.went_live,
            on_time=self.on_time,
            on_budget=self.on_budget,
            goals_met=self.goals_met,
            would_hire_again=self.would_hire_again,
            selection_reason=self.selection_reason,
            comment=self.comment,
            respondent_name=self.respondent_name,
            respondent_title=self.respondent_title,
            anonymous=True if self.anonymous is None else self.anonymous,
        )
