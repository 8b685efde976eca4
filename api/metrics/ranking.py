"""Ranking score, response rate and evidence tier.

The ranking score is the NPS shrunk toward the market NPS with the weight of
RANKING_PRIOR_WEIGHT responses, so a partner with few responses sits close to the market;
below K_ANONYMITY responses it is the market NPS itself and reveals nothing about them.
It reads only the tally, never sponsorship, revenue to the vendor or partner tier.

`ranking_formula` is the one definition: the figure, the SQL order of the partner list,
the stored ranking keys (`ranking_lift`) and matching's customer success all build it.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from api.metrics.expressions import Pick, python_pick
from api.metrics.figures import (
    K_ANONYMITY,
    Figure,
    enough_answers,
    nps,
    nps_parts,
    nps_points,
)
from api.metrics.tally import Tally

RANKING_PRIOR_WEIGHT: Final = 10

EvidenceTier = Literal["proven", "established", "emerging", "not_enough_evidence"]
# Evidence tiers, strongest first, with the rule (minimum n, minimum NPS interval low).
PROVEN_MIN_N: Final = 30
PROVEN_MIN_LOW: Final = 30.0
ESTABLISHED_MIN_N: Final = 15
ESTABLISHED_MIN_LOW: Final = 0.0
EMERGING_MIN_N: Final = K_ANONYMITY
EVIDENCE_TIERS: Final[tuple[EvidenceTier, ...]] = (
    "proven",
    "established",
    "emerging",
    "not_enough_evidence",
)


def market_nps(market: Tally) -> float:
    """NPS over all responses of all partners (0.0 when there are none)."""
    promoters, detractors, n = nps_parts(market.partner_likelihood)
    return nps(promoters, detractors, n) if n else 0.0


def shrunk(points: Any, n: Any, prior: Any) -> Any:
    """(points + 10 x prior) / (n + 10), where points is the NPS times n: the shrinkage of
    every ranking, for Python and SQL. It equals `prior` when n is 0."""
    return (points + RANKING_PRIOR_WEIGHT * prior) / (n + RANKING_PRIOR_WEIGHT)


def ranking_formula(
    n: Any, promoters: Any, detractors: Any, market: Any, pick: Pick = python_pick
) -> Any:
    """The ranking score of n answers, for Python and SQL (see module docstring):
    (100 x (P - D) + 10 x market) / (n + 10), and below K_ANONYMITY answers `market`
    itself, the score of a partner with none: otherwise (score x (n + 10) - 10 x market)
    / n would give the withheld NPS back. Matching shrinks a segment toward the partner's
    score with it (`market` is then that score)."""
    return pick(enough_answers(n), shrunk(nps_points(promoters, detractors), n, market), market)


def ranking_lift(n: Any, promoters: Any, detractors: Any, market: Any, pick: Pick) -> Any:
    """The ranking score minus `market`, for the stored ranking keys (SQL): 0 below
    K_ANONYMITY answers, else (100 x (P - D) - n x market) / (n + 10), whose slope in
    `market` is -n / (n + 10) (api/services/ranking_keys.py)."""
    lift = (nps_points(promoters, detractors) - n * market) / (n + RANKING_PRIOR_WEIGHT)
    return pick(enough_answers(n), lift, 0.0)


def shrunk_nps(n: int, value: float, market: float) -> float:
    """The ranking score's shrinkage of a published NPS `value` over n answers (where only
    the value is kept, not the counts): (n x value + 10 x market) / (n + 10)."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    result: float = shrunk(n * value, n, market)
    return result


def ranking_score(tally: Tally, market: float) -> float:
    """The default order: `ranking_formula` over the partner's answers."""
    promoters, detractors, n = nps_parts(tally.partner_likelihood)
    score: float = ranking_formula(n, promoters, detractors, market)
    return score


def response_rate(responses: int, invitations: int) -> float | None:
    """responses / invitations, None when no invitation was sent."""
    if responses < 0 or invitations < 0 or responses > invitations:
        raise ValueError(f"impossible counts: {responses} responses, {invitations} invitations")
    return responses / invitations if invitations else None


def evidence_tier(partner_nps: Figure) -> EvidenceTier:
    """The evidence tier, read only from the partner NPS figure:

    - "proven": n >= 30 and interval low >= 30;
    - "established": n >= 15 and interval low >= 0;
    - "emerging": n >= 5 (the figure is published);
    - "not_enough_evidence": otherwise (withheld).
    """
    n, low = partner_nps.n, partner_nps.low
    if partner_nps.withheld or low is None or n < EMERGING_MIN_N:
        return "not_enough_evidence"
    if n >= PROVEN_MIN_N and low >= PROVEN_MIN_LOW:
        return "proven"
    if n >= ESTABLISHED_MIN_N and low >= ESTABLISHED_MIN_LOW:
        return "established"
    return "emerging"
