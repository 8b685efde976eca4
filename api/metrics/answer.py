"""One survey response, reduced to what the figures read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from api.vocabulary import OUTCOME_FIELDS, QUESTION_COLUMNS, RATING_FIELDS, SELECTION_REASONS

LIKELIHOOD_MIN, LIKELIHOOD_MAX = 0, 10
RATING_MIN, RATING_MAX = 1, 5


def _check_int(name: str, value: object, low: int, high: int, optional: bool) -> None:
    if value is None and optional:
        return
    if type(value) is not int or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")


def _check_bool(name: str, value: object) -> None:
    if value is not None and type(value) is not bool:
        raise ValueError(f"{name} must be true, false or null, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class Answer:
    """The answers of one survey response; field names match the `survey_responses` columns.

    Every field except `likelihood_partner` may be None (question not answered).
    Construction validates ranges and raises ValueError naming the field.
    """

    likelihood_partner: int
    likelihood_vendor: int | None = None
    rating_overall: int | None = None
    rating_quality: int | None = None
    rating_schedule: int | None = None
    rating_budget: int | None = None
    rating_communication: int | None = None
    rating_expertise: int | None = None
    went_live: bool | None = None
    on_time: bool | None = None
    on_budget: bool | None = None
    goals_met: bool | None = None
    would_hire_again: bool | None = None
    selection_reason: str | None = None

    def __post_init__(self) -> None:
        _check_int(
            "likelihood_partner",
            self.likelihood_partner,
            LIKELIHOOD_MIN,
            LIKELIHOOD_MAX,
            optional=False,
        )
        _check_int(
            "likelihood_vendor",
            self.likelihood_vendor,
            LIKELIHOOD_MIN,
            LIKELIHOOD_MAX,
            optional=True,
        )
        for field in RATING_FIELDS:
            name = f"rating_{field}"
            _check_int(name, getattr(self, name), RATING_MIN, RATING_MAX, optional=True)
        for field in OUTCOME_FIELDS:
            _check_bool(field, getattr(self, field))
        reason = self.selection_reason
        if reason is not None and reason not in SELECTION_REASONS:
            raise ValueError(f"selection_reason must be one of {SELECTION_REASONS}, got {reason!r}")

    def questions(self) -> dict[str, int | bool | None]:
        """The ratings and outcomes by column name (`rating_overall`, `went_live`)."""
        return {column: getattr(self, column) for column in QUESTION_COLUMNS}

    @classmethod
    def of(
        cls,
        *,
        likelihood_partner: int,
        likelihood_vendor: int | None,
        selection_reason: str | None,
        questions: Mapping[str, int | bool | None],
    ) -> Answer:
        """An answer from its questions by column name; an unknown name raises ValueError."""
        unknown = sorted(set(questions) - set(QUESTION_COLUMNS))
        if unknown:
            raise ValueError(f"{unknown[0]} is not a survey question")
        values: dict[str, Any] = dict(questions)  # the types are checked on construction
        return cls(
            likelihood_partner=likelihood_partner,
            likelihood_vendor=likelihood_vendor,
            selection_reason=selection_reason,
            **values,
        )

    def rating(self, field: str) -> int | None:
        """The 1-5 rating for one of RATING_FIELDS (e.g. "overall")."""
        if field not in RATING_FIELDS:
            raise ValueError(f"unknown rating field {field!r}")
        value: int | None = getattr(self, f"rating_{field}")
        return value

    def outcome(self, field: str) -> bool | None:
        """The yes/no answer for one of OUTCOME_FIELDS (e.g. "went_live")."""
        if field not in OUTCOME_FIELDS:
            raise ValueError(f"unknown outcome field {field!r}")
        value: bool | None = getattr(self, field)
        return value

    @classmethod
    def from_attributes(cls, source: object) -> Answer:
        """Read the answer from any object with the same attribute names (e.g. an ORM row)."""
        values = {field.name: getattr(source, field.name) for field in fields(cls)}
        return cls(**values)
