"""All figures of one aggregate (a partner, or a segment of one) in a single value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from api.metrics.figures import Figure, outcome_share, partner_nps, rating_mean, vendor_nps
from api.metrics.ranking import EvidenceTier, evidence_tier, ranking_score, response_rate
from api.metrics.tally import Tally
from api.vocabulary import OUTCOME_FIELDS, RATING_FIELDS


@dataclass(frozen=True)
class Summary:
    """The figures of docs/design.md for one tally; ratings/outcomes keyed by field name."""

    responses: int
    nps: Figure
    vendor_nps: Figure
    ratings: Mapping[str, Figure]
    outcomes: Mapping[str, Figure]
    ranking_score: float
    evidence_tier: EvidenceTier
    response_rate: float | None


def summarize(tally: Tally, market: float, invitations: int | None = None) -> Summary:
    """Every figure of `tally`; `market` is the market NPS, `invitations` those sent."""
    nps = partner_nps(tally)
    rate = None if invitations is None else response_rate(tally.n, invitations)
    return Summary(
        responses=tally.n,
        nps=nps,
        vendor_nps=vendor_nps(tally),
        ratings={field: rating_mean(tally, field) for field in RATING_FIELDS},
        outcomes={field: outcome_share(tally, field) for field in OUTCOME_FIELDS},
        ranking_score=ranking_score(tally, market),
        evidence_tier=evidence_tier(nps),
        response_rate=rate,
    )
