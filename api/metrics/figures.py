"""Figures computed from a tally, exactly as docs/design.md ("Figures") defines them.

An aggregate over fewer than K_ANONYMITY answers is withheld: its Figure has no value
and says why. Each figure's n is the number of answers to its own question.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Self, TypeVar

from api.metrics.expressions import total
from api.metrics.tally import Tally

K_ANONYMITY = 5
PROMOTER_MIN = 9  # promoters answer 9-10
DETRACTOR_MAX = 6  # detractors answer 0-6
Z_95 = 1.96
NPS_MIN, NPS_MAX = -100.0, 100.0
# The adjusted Wald adds 3/4 to the promoters, 3/4 to the detractors and 3 to n.
WALD_ADD_EACH = 0.75
WALD_ADD_N = 3


class _Arithmetic(Protocol):
    """What the interval's formula needs: a float, or a SQL expression built from columns."""

    def __add__(self, other: Self | float, /) -> Self: ...
    def __sub__(self, other: Self, /) -> Self: ...
    def __mul__(self, other: Self | float, /) -> Self: ...
    def __truediv__(self, other: Self, /) -> Self: ...


Num = TypeVar("Num", bound=_Arithmetic)


@dataclass(frozen=True)
class Figure:
    """A published figure: value (NPS, mean or share), optional interval and its n.

    When withheld, value/low/high are None and `withheld_reason` says why.
    """

    n: int
    value: float | None = None
    low: float | None = None
    high: float | None = None
    withheld_reason: str | None = None

    @property
    def withheld(self) -> bool:
        return self.withheld_reason is not None

    @classmethod
    def withheld_for(cls, n: int) -> Figure:
        return cls(n=n, withheld_reason=f"fewer than {K_ANONYMITY} responses ({n})")


def is_withheld(n: int) -> bool:
    """The anonymity rule: fewer than K_ANONYMITY answers are not shown."""
    return n < K_ANONYMITY


def enough_answers(n: Any) -> Any:
    """The anonymity rule's other side, for Python and SQL: K_ANONYMITY answers or more."""
    return n >= K_ANONYMITY


NpsBand = Literal["promoter", "passive", "detractor"]


def nps_band(answer: int) -> NpsBand:
    """The band of one answer 0..10: promoter 9-10, passive 7-8, detractor 0-6."""
    if answer >= PROMOTER_MIN:
        return "promoter"
    return "detractor" if answer <= DETRACTOR_MAX else "passive"


def promoters_of(counts: Sequence[Any]) -> Any:
    """The promoters among the 11 counts of answers 0..10 (ints, or a tally's columns)."""
    return total(counts[PROMOTER_MIN:])


def detractors_of(counts: Sequence[Any]) -> Any:
    """The detractors among the 11 counts of answers 0..10 (ints, or a tally's columns)."""
    return total(counts[: DETRACTOR_MAX + 1])


def nps_parts(counts: Sequence[int]) -> tuple[int, int, int]:
    """(promoters, detractors, n) from the 11 counts of answers 0..10."""
    return promoters_of(counts), detractors_of(counts), sum(counts)


def nps_points(promoters: Any, detractors: Any) -> Any:
    """100 x (promoters - detractors): the NPS times n, for Python and SQL."""
    return 100.0 * (promoters - detractors)


def nps_value(promoters: Any, detractors: Any, n: Any) -> Any:
    """100 x (promoters - detractors) / n, for Python and SQL (n > 0)."""
    return nps_points(promoters, detractors) / n


def nps(promoters: int, detractors: int, n: int) -> float:
    """100 x (promoters - detractors) / n; ValueError when n is 0."""
    if n <= 0:
        raise ValueError("NPS of no responses is undefined")
    value: float = nps_value(promoters, detractors, n)
    return value


def adjusted_wald(
    promoters: Num, detractors: Num, n: Num, sqrt: Callable[[Num], Num]
) -> tuple[Num, Num]:
    """Centre and half-width of the 95% adjusted Wald interval of Rocks (2016), unclamped.

    p_P = (P + 0.75) / (n + 3), p_D = (D + 0.75) / (n + 3); centre 100 x (p_P - p_D),
    half-width 1.96 x 100 x sqrt((p_P + p_D - (p_P - p_D)^2) / (n + 3)). Written with
    operators only, so the SQL evidence-tier filter builds the same formula from columns.
    """
    p_p = (promoters + WALD_ADD_EACH) / (n + WALD_ADD_N)
    p_d = (detractors + WALD_ADD_EACH) / (n + WALD_ADD_N)
    share_gap = p_p - p_d
    variance = (p_p + p_d - share_gap * share_gap) / (n + WALD_ADD_N)
    return share_gap * 100.0, sqrt(variance) * (Z_95 * 100.0)


def nps_interval(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """The 95% adjusted Wald interval (see `adjusted_wald`), clamped to [-100, 100].

    Centred on the adjusted shares, not on the NPS itself: that is what brings its
    coverage close to 95% from n = 5 up (tests/test_interval_coverage.py).
    """
    centre, half_width = adjusted_wald(float(promoters), float(detractors), float(n), math.sqrt)
    return max(NPS_MIN, centre - half_width), min(NPS_MAX, centre + half_width)


def nps_figure(counts: Sequence[int]) -> Figure:
    """NPS and its interval from the 11 likelihood counts, withheld below K_ANONYMITY."""
    promoters, detractors, n = nps_parts(counts)
    if is_withheld(n):
        return Figure.withheld_for(n)
    low, high = nps_interval(promoters, detractors, n)
    return Figure(n=n, value=nps(promoters, detractors, n), low=low, high=high)


def partner_nps(tally: Tally) -> Figure:
    return nps_figure(tally.partner_likelihood)


def vendor_nps(tally: Tally) -> Figure:
    """The vendor's NPS from the same surveys; n counts only answers to that question."""
    return nps_figure(tally.vendor_likelihood)


def rating_mean(tally: Tally, field: str) -> Figure:
    """Mean 1-5 rating for one of RATING_FIELDS."""
    n, total = tally.rating(field)
    return Figure.withheld_for(n) if is_withheld(n) else Figure(n=n, value=total / n)


def outcome_share(tally: Tally, field: str) -> Figure:
    """Share (0..1) of "yes" among the answers for one of OUTCOME_FIELDS."""
    n, yes = tally.outcome(field)
    return Figure.withheld_for(n) if is_withheld(n) else Figure(n=n, value=yes / n)
