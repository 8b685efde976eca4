"""Figures computed from a tally, exactly as DESIGN.md ("Figures") defines them.

An aggregate over fewer than K_ANONYMITY answers is withheld: its Figure has no value
and says why. Each figure's n is the number of answers to its own question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from api.metrics.tally import Tally

K_ANONYMITY = 5
PROMOTER_MIN = 9  # promoters answer 9-10
DETRACTOR_MAX = 6  # detractors answer 0-6
Z_95 = 1.96
NPS_MIN, NPS_MAX = -100.0, 100.0


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


def nps_parts(counts: Sequence[int]) -> tuple[int, int, int]:
    """(promoters, detractors, n) from the 11 counts of answers 0..10."""
    return sum(counts[PROMOTER_MIN:]), sum(counts[: DETRACTOR_MAX + 1]), sum(counts)


def nps(promoters: int, detractors: int, n: int) -> float:
    """100 x (promoters - detractors) / n; ValueError when n is 0."""
    if n <= 0:
        raise ValueError("NPS of no responses is undefined")
    return 100.0 * (promoters - detractors) / n


def nps_interval(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """95% interval: p_k = (n_k + 1) / (n + 3), var = (p_P + p_D - (p_P - p_D)^2) / (n + 3),
    NPS +- 1.96 x 100 x sqrt(var), clamped to [-100, 100]."""
    p_p = (promoters + 1) / (n + 3)
    p_d = (detractors + 1) / (n + 3)
    variance = (p_p + p_d - (p_p - p_d) ** 2) / (n + 3)
    half_width = Z_95 * 100.0 * math.sqrt(variance)
    centre = nps(promoters, detractors, n)
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
