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
- a review is shown once the partner's published figures count it; an anonymous one shows
  no name, title or company, its date only as a quarter, its industry only where that
  segment is shown; within a quarter, reviews are in no telling order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from api import metrics
from api.metrics.quarters import quarter_of
from api.metrics.withholding import withheld_by_count
from api.models import Customer, Industry, ReviewReply, SurveyResponse
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
        latest_response_at=stored.latest_response_at,
        live=live,
    )


@dataclass(frozen=True)
class SegmentFigures:
    kind: str  # industry, product, quarter
    key: str  # the industry or product id, or the quarter ("2026-Q3")
    figures: FigureSet

    @property
    def shown(self) -> bool:
        return not self.figures.nps.withheld


def segment_figures(
    segments: Iterable[tuple[str, str, StoredTally]],
) -> dict[str, list[SegmentFigures]]:
    """Each kind's segments; those the publication left unshown are withheld."""
    result: dict[str, list[SegmentFigures]] = {kind: [] for kind in PARTNER_SEGMENT_KINDS}
    for kind, key, stored in segments:
        if kind in result:
            reason = None if stored.shown else SUBTRACTION_REASON
            result[kind].append(SegmentFigures(kind, key, figure_set(stored, reason)))
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


@dataclass(frozen=True)
class PublicReply:
    body: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class PublicReview:
    key: str
    quarter: str
    submitted_at: datetime | None  # None when anonymous: the quarter says enough
    likelihood_to_recommend: int
    rating_overall: int | None
    comment: str
    anonymous: bool
    respondent_name: str | None
    respondent_title: str | None
    company: str | None
    industry: Industry | None  # None when anonymous and the industry's figures are withheld
    reply: PublicReply | None


ReviewRow = tuple[SurveyResponse, Customer, Industry, ReviewReply | None]


def public_reviews(
    rows: Sequence[ReviewRow],
    *,
    published_through: int | None,
    shown_industries: set[str],
    limit: int,
) -> list[PublicReview]:
    """The reviews the public may read, newest quarter first; `published_through` None: all."""
    reviews = [
        _review(response, customer, industry, reply, shown_industries)
        for response, customer, industry, reply in rows
        if published_through is None or (response.partner_seq or 0) <= published_through
    ]
    # Newest quarter first; within a quarter by the random key, which tells nothing.
    reviews.sort(key=lambda review: review.key)
    reviews.sort(key=lambda review: review.quarter, reverse=True)
    return reviews[:limit]


def _review(
    response: SurveyResponse,
    customer: Customer,
    industry: Industry,
    reply: ReviewReply | None,
    shown_industries: set[str],
) -> PublicReview:
    named = not response.anonymous
    return PublicReview(
        key=response.review_key or str(response.id),
        quarter=quarter_of(response.submitted_at),
        submitted_at=response.submitted_at if named else None,
        likelihood_to_recommend=response.likelihood_partner,
        rating_overall=response.rating_overall,
        comment=response.comment or "",
        anonymous=response.anonymous,
        respondent_name=response.respondent_name if named else None,
        respondent_title=response.respondent_title if named else None,
        company=customer.name if named else None,
        industry=industry if named or str(industry.id) in shown_industries else None,
        reply=PublicReply(reply.body, reply.created_at, reply.updated_at) if reply else None,
    )
