from __future__ import annotations

from typing import Any, TypeVar

import strawberry

from api.services.surveys import SurveyAnswers
from api.vocabulary import OUTCOME_FIELDS, QUESTION_COLUMNS, RATING_COLUMNS

T = TypeVar("T")


def _with_questions(cls: type[T]) -> type[T]:
    """Give the input a field per survey question of the vocabulary, after the likelihoods:
    a new question is a name in api/vocabulary.py, not one more field here."""
    fields: dict[str, Any] = {}
    for name, annotation in cls.__annotations__.items():
        fields[name] = annotation
        if name == "vendor_likelihood_to_recommend":
            fields |= dict.fromkeys(RATING_COLUMNS, "int | None")
            fields |= dict.fromkeys(OUTCOME_FIELDS, "bool | None")
    for column in RATING_COLUMNS:
        setattr(cls, column, strawberry.field(default=None, description="1-5"))
    for column in OUTCOME_FIELDS:
        setattr(cls, column, None)
    cls.__annotations__ = fields
    return cls


@strawberry.input(description="One respondent's answers; all but likelihoodToRecommend optional.")
@_with_questions
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
    # Here each rating (rating_overall, ...) and outcome (went_live, ...) of the vocabulary.
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
            questions={column: getattr(self, column) for column in QUESTION_COLUMNS},
            selection_reason=self.selection_reason,
            comment=self.comment,
            respondent_name=self.respondent_name,
            respondent_title=self.respondent_title,
            anonymous=True if self.anonymous is None else self.anonymous,
        )
