"""Ranking score, response rate and evidence tier.

The ranking score is the NPS shrunk toward the market NPS with the weight of
RANKING_PRIOR_WEIGHT responses, so a partner with few responses sits close to the market;
below K_ANONYMITY responses it is the market NPS itself and reveals nothing about them.
It reads only the tally, never sponsorship, revenue to the vendor or partner tier.
"""

from __future__ import annotations

from typing import Final, Literal

from api.metrics.figures import K_ANONYMITY, Figure, nps, nps_parts
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


def shrunk_nps(n: int, value: float, market: float) -> float:
    """(n x NPS + 10 x market NPS) / (n + 10); equals the market NPS when n is 0."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    return (n * value + RANKING_PRIOR_WEIGHT * market) / (n + RANKING_PRIOR_WEIGHT)


def ranking_score(tally: Tally, market: float) -> float:
    """The default order: the partner's NPS shrunk toward `market` (see module docstring).

    Below K_ANONYMITY answers it is `market` itself, the score of a partner with none:
    otherwise (score x (n + 10) - 10 x market) / n would give the withheld NPS back.
    """
    promoters, detractors, n = nps_parts(tally.partner_likelihood)
    if n < K_ANONYMITY:
        return market
    return shrunk_nps(n, nps(promoters, detractors, n), market)


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
