"""How much evidence a figure rests on, and what it says, kept apart.

The evidence tiers (api.metrics.ranking) mix the two: a partner at -53 over 43 answers was
"emerging", which reads as young and promising. A buyer reads two questions separately:
how sure can I be (the number of answers), and how does this partner compare with the
market (where the 95% interval lies against the market NPS).
"""

from __future__ import annotations

from typing import Final, Literal

from api.metrics.figures import Figure
from api.metrics.ranking import EMERGING_MIN_N, ESTABLISHED_MIN_N, PROVEN_MIN_N

EvidenceStrength = Literal["strong", "moderate", "limited", "too_few"]
MarketResult = Literal["above", "in_line", "below", "withheld"]
EVIDENCE_STRENGTHS: Final[tuple[EvidenceStrength, ...]] = (
    "strong",
    "moderate",
    "limited",
    "too_few",
)


def evidence_strength(n: int) -> EvidenceStrength:
    """From the number of answers alone, at the tiers' own thresholds: 30, 15 and 5."""
    if n >= PROVEN_MIN_N:
        return "strong"
    if n >= ESTABLISHED_MIN_N:
        return "moderate"
    if n >= EMERGING_MIN_N:
        return "limited"
    return "too_few"


def market_result(nps: Figure, market: float) -> MarketResult:
    """Above (below) the market when the whole 95% interval is above (below) the market
    NPS; in line when the interval holds it; withheld when the figure is."""
    if nps.withheld or nps.low is None or nps.high is None:
        return "withheld"
    if nps.low > market:
        return "above"
    if nps.high < market:
        return "below"
    return "in_line"
