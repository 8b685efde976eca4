"""The figures engine: pure functions over survey answers, no database and no I/O.

Answers are folded into an integer `Tally` (incremental updates equal a rebuild
exactly); figures are computed from a tally as docs/design.md ("Figures") defines them.
"""

from api.metrics.answer import Answer
from api.metrics.figures import (
    K_ANONYMITY,
    Figure,
    adjusted_wald,
    is_withheld,
    nps,
    nps_figure,
    nps_interval,
    nps_parts,
    outcome_share,
    partner_nps,
    rating_mean,
    vendor_nps,
)
from api.metrics.ranking import (
    ESTABLISHED_MIN_LOW,
    ESTABLISHED_MIN_N,
    EVIDENCE_TIERS,
    PROVEN_MIN_LOW,
    PROVEN_MIN_N,
    RANKING_PRIOR_WEIGHT,
    EvidenceTier,
    evidence_tier,
    market_nps,
    ranking_score,
    response_rate,
    shrunk_nps,
)
from api.metrics.reading import (
    EVIDENCE_STRENGTHS,
    EvidenceStrength,
    MarketResult,
    evidence_strength,
    market_result,
)
from api.metrics.summary import Summary, summarize
from api.metrics.tally import TALLY_COLUMNS, Tally, group_tallies, market_tally, merge

__all__ = [
    "ESTABLISHED_MIN_LOW",
    "ESTABLISHED_MIN_N",
    "EVIDENCE_STRENGTHS",
    "EVIDENCE_TIERS",
    "K_ANONYMITY",
    "PROVEN_MIN_LOW",
    "PROVEN_MIN_N",
    "RANKING_PRIOR_WEIGHT",
    "TALLY_COLUMNS",
    "Answer",
    "EvidenceStrength",
    "EvidenceTier",
    "Figure",
    "MarketResult",
    "Summary",
    "Tally",
    "adjusted_wald",
    "evidence_strength",
    "evidence_tier",
    "group_tallies",
    "is_withheld",
    "market_nps",
    "market_result",
    "market_tally",
    "merge",
    "nps",
    "nps_figure",
    "nps_interval",
    "nps_parts",
    "outcome_share",
    "partner_nps",
    "ranking_score",
    "rating_mean",
    "response_rate",
    "shrunk_nps",
    "summarize",
    "vendor_nps",
]
