"""Everything public about a partner's figures and reviews, with every rule applied.

The one value the faces read (GraphQL, the directory site, the search index, matching):
they map it, they never compute it. The rules applied here:

- an aggregate under K_ANONYMITY answers is withheld (api.metrics);
- a segment that a comparison or a subtraction with the other published figures would
  undo is withheld too (api.metrics.withholding, decided at publication and stored as
  `published_tallies.shown`, api/services/shown_segments.py);
- below K_ANONYMITY answers the ranking score is the market's, as for a partner with none;
- the public sees published copies, which move in steps of K_ANONYMITY answers
  (api/services/publication.py); operators see the live tallies;
- what a review may show beside these figures: api/readers/reviews.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from api import metrics
from api.metrics.withholding import segment_shown, withheld_by_count
from api.readers.figures import EMPTY, PARTNER_SEGMENT_KINDS, StoredTally
from api.vocabulary import SELECTION_REASONS

SUBTRACTION_REASON = (
    "withheld so that no respondent's answers can be worked out by comparing or subtracting "
    "the partner's published figures (overall and segments)"
)
PUBLICATION_NOTE = (
    f"Public figures are republished when at least {metrics.K_ANONYMITY} new answers have "
    "arrived since their last publication, so that comparing two versions never reveals one "
    "respondent's answers. A voided response leaves them at once."
)


@dataclass(frozen=True)
class FigureSet:
    """The figures over one set of answers (a partner, a segment, the market)."""

    response_count: int
    engagements_covered: int
    nps: metrics.Figure
    vendor_nps: metrics.Figure
    ratings: Mapping[str, metrics.Figure]
    outcomes: Mapping[str, metrics.Figure]
    published_at: datetime | None


def figure_set(
    stored: StoredTally,
    withheld_reason: str | None = None,
    summary: metrics.Summary | None = None,
) -> FigureSet:
    """The figures of a stored tally; `withheld_reason` withholds every figure regardless."""
    summary = summary or metrics.summarize(stored.tally, market=0.0)

    def hidden(figure: metrics.Figure) -> metrics.Figure:
        if withheld_reason is None or figure.withheld:
            return figure
        return metrics.Figure(n=figure.n, withheld_reason=withheld_reason)

    return FigureSet(
        response_count=summary.responses,
        engagements_covered=stored.engagements_covered,
        nps=hidden(summary.nps),
        vendor_nps=hidden(summary.vendor_nps),
        ratings={name: hidden(figure) for name, figure in summary.ratings.items()},
        outcomes={name: hidden(figure) for name, figure in summary.outcomes.items()},
        published_at=stored.published_at,
    )


@dataclass(frozen=True)
class PartnerFigures:
    overall: FigureSet
    invitations: int
    response_rate: float | None
    ranking_score: float
    evidence_tier: metrics.EvidenceTier
    evidence: metrics.EvidenceStrength  # how many answers, apart from what they say
    result: metrics.MarketResult  # what they say against the market NPS
    latest_response_at: datetime | None
    live: bool  # operators' live tallies, not the published copies

    @property
    def publication_note(self) -> str | None:
        return None if self.live else PUBLICATION_NOTE


def partner_figures(stored: StoredTally, market_nps: float, *, live: bool) -> PartnerFigures:
    summary = metrics.summarize(stored.tally, market_nps, stored.invitations)
    return PartnerFigures(
        overall=figure_set(stored, summary=summary),
        invitations=stored.invitations,
        response_rate=summary.response_rate,
        ranking_score=summary.ranking_score,
        evidence_tier=summary.evidence_tier,
        evidence=metrics.evidence_strength(summary.nps.n),
        result=metrics.market_result(summary.nps, market_nps),
        latest_response_at=stored.latest_response_at,
        live=live,
    )


@dataclass(frozen=True)
class SegmentFigures:
    kind: str  # industry, product, quarter
    key: str  # the industry or product id, or the quarter ("2026-Q3")
    figures: FigureSet  # every figure withheld where the segment is not shown
    shown: bool  # api.metrics.withholding.segment_shown


def segment_figures(
    segments: Iterable[tuple[str, str, StoredTally]],
) -> dict[str, list[SegmentFigures]]:
    """Each kind's segments; those the publication left unshown are withheld."""
    result: dict[str, list[SegmentFigures]] = {kind: [] for kind in PARTNER_SEGMENT_KINDS}
    for kind, key, stored in segments:
        if kind in result:
            reason = None if stored.shown else SUBTRACTION_REASON
            shown = bool(segment_shown(stored.shown, stored.tally.n))
            result[kind].append(SegmentFigures(kind, key, figure_set(stored, reason), shown))
    return result


def market_figures(rows: Mapping[tuple[str, str], StoredTally]) -> dict[str, FigureSet]:
    """The market figures, "all" and by selection reason: the reasons split the market's
    answers, so the subtraction rule holds over them (answers without a reason are part of
    what the overall minus the shown reasons leaves)."""
    overall = rows.get(("all", ""), EMPTY)
    counts = {reason: rows.get(("reason", reason), EMPTY).tally.n for reason in SELECTION_REASONS}
    withheld = withheld_by_count(counts, overall.tally.n)
    found = {"all": figure_set(overall)}
    for reason in SELECTION_REASONS:
        hidden = SUBTRACTION_REASON if reason in withheld else None
        found[reason] = figure_set(rows.get(("reason", reason), EMPTY), hidden)
    return found
