"""An integer aggregate of answers: incremental updates equal a rebuild exactly.

A Tally holds only counts and sums of integers, so adding and removing answers, merging
tallies in any order and rebuilding from the list of answers all give the same value.
The date of the latest response is not part of it (dates are kept next to it).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, fields
from functools import reduce
from typing import TypeVar

from api.metrics.answer import LIKELIHOOD_MAX, RATING_MAX, RATING_MIN, Answer
from api.vocabulary import OUTCOME_FIELDS, RATING_FIELDS

LIKELIHOOD_SIZE = LIKELIHOOD_MAX + 1  # one count per answer 0..10
K = TypeVar("K", bound=Hashable)


def _zeros(size: int) -> tuple[int, ...]:
    return (0,) * size


def _one_hot(index: int | None, size: int) -> tuple[int, ...]:
    return tuple(int(i == index) for i in range(size))


@dataclass(frozen=True)
class Tally:
    """Counts over a set of answers; every field is a tuple of non-negative integers.

    - partner_likelihood[i] / vendor_likelihood[i]: answers equal to i (0..10);
    - rating_n[j] / rating_sum[j]: answers and their sum for RATING_FIELDS[j];
    - outcome_n[j] / outcome_yes[j]: answers and "yes" answers for OUTCOME_FIELDS[j].
    """

    partner_likelihood: tuple[int, ...] = _zeros(LIKELIHOOD_SIZE)
    vendor_likelihood: tuple[int, ...] = _zeros(LIKELIHOOD_SIZE)
    rating_n: tuple[int, ...] = _zeros(len(RATING_FIELDS))
    rating_sum: tuple[int, ...] = _zeros(len(RATING_FIELDS))
    outcome_n: tuple[int, ...] = _zeros(len(OUTCOME_FIELDS))
    outcome_yes: tuple[int, ...] = _zeros(len(OUTCOME_FIELDS))

    def __post_init__(self) -> None:
        _check_shape(self)
        _check_consistency(self)

    @property
    def n(self) -> int:
        """Number of responses (every response answers the partner likelihood)."""
        return sum(self.partner_likelihood)

    @classmethod
    def empty(cls) -> Tally:
        return cls()

    @classmethod
    def of(cls, answers: Iterable[Answer]) -> Tally:
        """The tally of a list of answers (a rebuild)."""
        return reduce(Tally.add, answers, cls())

    @classmethod
    def single(cls, answer: Answer) -> Tally:
        """The tally of one answer."""
        return cls(
            partner_likelihood=_one_hot(answer.likelihood_partner, LIKELIHOOD_SIZE),
            vendor_likelihood=_one_hot(answer.likelihood_vendor, LIKELIHOOD_SIZE),
            rating_n=tuple(int(answer.rating(f) is not None) for f in RATING_FIELDS),
            rating_sum=tuple(answer.rating(f) or 0 for f in RATING_FIELDS),
            outcome_n=tuple(int(answer.outcome(f) is not None) for f in OUTCOME_FIELDS),
            outcome_yes=tuple(int(answer.outcome(f) is True) for f in OUTCOME_FIELDS),
        )

    def add(self, answer: Answer) -> Tally:
        return merge(self, Tally.single(answer))

    def remove(self, answer: Answer) -> Tally:
        """The tally without `answer`; ValueError if it cannot have been counted in it."""
        try:
            return _combine(self, Tally.single(answer), -1)
        except ValueError as error:
            raise ValueError(f"answer is not part of this tally: {error}") from None

    def rating(self, field: str) -> tuple[int, int]:
        """(answers, sum of answers) for one of RATING_FIELDS."""
        index = RATING_FIELDS.index(field)
        return self.rating_n[index], self.rating_sum[index]

    def outcome(self, field: str) -> tuple[int, int]:
        """(answers, yes answers) for one of OUTCOME_FIELDS."""
        index = OUTCOME_FIELDS.index(field)
        return self.outcome_n[index], self.outcome_yes[index]

    def to_row(self) -> dict[str, int]:
        """Flat integer columns, named as in TALLY_COLUMNS (includes the redundant `n`)."""
        values = (self.n, *self.partner_likelihood, *self.vendor_likelihood)
        values += _interleave(self.rating_n, self.rating_sum)
        values += _interleave(self.outcome_n, self.outcome_yes)
        return dict(zip(TALLY_COLUMNS, values, strict=True))

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Tally:
        """Inverse of to_row; other keys are ignored, a missing or bad column is a ValueError."""
        values = [_column(row, name) for name in TALLY_COLUMNS]
        likelihood, ratings, outcomes = _split(values[1:])
        tally = cls(
            partner_likelihood=likelihood[:LIKELIHOOD_SIZE],
            vendor_likelihood=likelihood[LIKELIHOOD_SIZE:],
            rating_n=ratings[0::2],
            rating_sum=ratings[1::2],
            outcome_n=outcomes[0::2],
            outcome_yes=outcomes[1::2],
        )
        if tally.n != values[0]:
            raise ValueError(f"column n is {values[0]} but the likelihood counts sum to {tally.n}")
        return tally


PARTNER_LIKELIHOOD_COLUMNS: tuple[str, ...] = tuple(f"lp_{i}" for i in range(LIKELIHOOD_SIZE))
"""The stored columns of `Tally.partner_likelihood`, the counts of answers 0..10."""


def _columns() -> tuple[str, ...]:
    likelihood = [*PARTNER_LIKELIHOOD_COLUMNS]
    likelihood += [f"lv_{i}" for i in range(LIKELIHOOD_SIZE)]
    ratings = [f"rating_{f}_{part}" for f in RATING_FIELDS for part in ("n", "sum")]
    outcomes = [f"{f}_{part}" for f in OUTCOME_FIELDS for part in ("n", "yes")]
    return ("n", *likelihood, *ratings, *outcomes)


# Column names of a stored tally, in order: n, lp_0..lp_10, lv_0..lv_10,
# rating_<field>_n, rating_<field>_sum (per rating), <outcome>_n, <outcome>_yes (per outcome).
TALLY_COLUMNS: tuple[str, ...] = _columns()


def _column(row: Mapping[str, object], name: str) -> int:
    if name not in row:
        raise ValueError(f"tally row has no column {name!r}")
    value = row[name]
    if type(value) is not int:
        raise ValueError(f"tally column {name!r} must be an integer, got {value!r}")
    return value


def _interleave(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(value for pair in zip(a, b, strict=True) for value in pair)


def _split(values: list[int]) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    ends = (2 * LIKELIHOOD_SIZE, 2 * LIKELIHOOD_SIZE + 2 * len(RATING_FIELDS))
    return tuple(values[: ends[0]]), tuple(values[ends[0] : ends[1]]), tuple(values[ends[1] :])


def _check_shape(tally: Tally) -> None:
    sizes = {
        "partner_likelihood": LIKELIHOOD_SIZE,
        "vendor_likelihood": LIKELIHOOD_SIZE,
        "rating_n": len(RATING_FIELDS),
        "rating_sum": len(RATING_FIELDS),
        "outcome_n": len(OUTCOME_FIELDS),
        "outcome_yes": len(OUTCOME_FIELDS),
    }
    for name, size in sizes.items():
        values = getattr(tally, name)
        if not isinstance(values, tuple) or len(values) != size:
            raise ValueError(f"tally field {name} must be a tuple of {size} integers")
        if any(type(v) is not int or v < 0 for v in values):
            raise ValueError(f"tally field {name} must hold non-negative integers: {values}")


def _check_consistency(tally: Tally) -> None:
    n = tally.n
    if sum(tally.vendor_likelihood) > n:
        raise ValueError("tally has more vendor likelihood answers than responses")
    for field, count, total in zip(RATING_FIELDS, tally.rating_n, tally.rating_sum, strict=True):
        if count > n or not RATING_MIN * count <= total <= RATING_MAX * count:
            raise ValueError(f"tally rating {field} is inconsistent: n={count}, sum={total}")
    for field, count, yes in zip(OUTCOME_FIELDS, tally.outcome_n, tally.outcome_yes, strict=True):
        if count > n or yes > count:
            raise ValueError(f"tally outcome {field} is inconsistent: n={count}, yes={yes}")


def _combine(a: Tally, b: Tally, sign: int) -> Tally:
    def column(name: str) -> tuple[int, ...]:
        pairs = zip(getattr(a, name), getattr(b, name), strict=True)
        return tuple(x + sign * y for x, y in pairs)

    return Tally(**{field.name: column(field.name) for field in fields(Tally)})


def merge(a: Tally, b: Tally) -> Tally:
    """The tally of the union of two disjoint sets of answers."""
    return _combine(a, b, 1)


def market_tally(tallies: Iterable[Tally]) -> Tally:
    """The merge of all tallies (e.g. of every partner): the market-wide aggregate."""
    return reduce(merge, tallies, Tally.empty())


def group_tallies(items: Iterable[tuple[K, Answer]]) -> dict[K, Tally]:
    """One tally per key (segment, selection reason, ...), keys in first-seen order."""
    groups: dict[K, Tally] = {}
    for key, answer in items:
        groups[key] = groups.get(key, Tally.empty()).add(answer)
    return groups
