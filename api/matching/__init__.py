"""Best-fit matching: partners ranked for a customer's need, each score explained.

It reads published figures only, and nothing of a partner's standing with a vendor.
"""

from api.matching.engine import best_fit
from api.matching.need import DEFAULT_WEIGHTS, FACTORS, Need, Requirements, effective_weights
from api.matching.score import Factor, Match

__all__ = [
    "DEFAULT_WEIGHTS",
    "FACTORS",
    "Factor",
    "Match",
    "Need",
    "Requirements",
    "best_fit",
    "effective_weights",
]
