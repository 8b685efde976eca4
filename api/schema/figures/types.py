"""Verified customer-success figures as GraphQL types. Nothing here takes input."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

import strawberry

from api import metrics
from api.readers.partner_figures import FigureSet, PartnerFigures
from api.schema.context import Info
from api.schema.reference.types import Industry, Product
from api.schema.vocabulary import SelectionReason


@strawberry.enum(description="Evidence tier, from verified figures only (see the method page).")
class EvidenceTier(Enum):
    PROVEN = "proven"
    ESTABLISHED = "established"
    EMERGING = "emerging"
    NOT_ENOUGH_EVIDENCE = "not_enough_evidence"


@strawberry.type(description="An NPS with its 95% interval and the number of answers.")
class Score:
    value: float
    low: float
    high: float
    n: int


@strawberry.type(description="A 1-5 rating: its mean over n answers, null below 5 answers.")
class Rating:
    name: str
    mean: float | None
    n: int
    withheld_reason: str | None


@strawberry.type(description="The share (0-1) of 'yes' answers, null below 5 answers.")
class OutcomeRate:
    name: str
    share: float | None
    n: int
    withheld_reason: str | None


def score_of(figure: metrics.Figure) -> Score | None:
    if figure.value is None or figure.low is None or figure.high is None:
        return None
    return Score(value=figure.value, low=figure.low, high=figure.high, n=figure.n)


@strawberry.type(description="Figures over one set of verified responses.")
class Figures:
    response_count: int
    engagements_covered: int
    nps: Score | None = strawberry.field(description="null below 5 responses")
    nps_withheld_reason: str | None
    vendor_nps: Score | None
    ratings: list[Rating]
    outcomes: list[OutcomeRate]
    published_at: datetime | None = strawberry.field(
        description="the day (00:00 UTC) these figures were last published (null: live, or never)"
    )


def figures_of(view: FigureSet) -> Figures:
    return Figures(
        response_count=view.response_count,
        engagements_covered=view.engagements_covered,
        nps=score_of(view.nps),
        nps_withheld_reason=view.nps.withheld_reason,
        vendor_nps=score_of(view.vendor_nps),
        ratings=[_rating(name, figure) for name, figure in view.ratings.items()],
        outcomes=[_outcome(name, figure) for name, figure in view.outcomes.items()],
        published_at=view.published_at,
    )


def _rating(name: str, figure: metrics.Figure) -> Rating:
    return Rating(name=name, mean=figure.value, n=figure.n, withheld_reason=figure.withheld_reason)


def _outcome(name: str, figure: metrics.Figure) -> OutcomeRate:
    return OutcomeRate(
        name=name, share=figure.value, n=figure.n, withheld_reason=figure.withheld_reason
    )


@strawberry.type
class IndustryFigures:
    industry: Industry
    figures: Figures


@strawberry.type
class ProductFigures:
    product: Product
    figures: Figures


@strawberry.type
class QuarterFigures:
    quarter: str = strawberry.field(description='e.g. "2026-Q3", by response date')
    figures: Figures


@strawberry.type
class ReasonFigures:
    reason: SelectionReason
    figures: Figures


@strawberry.type(description="What every partner's customers say, by why they chose it.")
class MarketInsights:
    overall: Figures
    by_selection_reason: list[ReasonFigures]


@strawberry.type(
    description="The share of a partner's engagements in progress whose latest pulse check "
    "is on track: published in steps of 5 engagements, withheld below 5."
)
class OnTrackShare:
    share: float = strawberry.field(description="0 to 1")
    on_track: int
    engagements: int = strawberry.field(description="engagements in progress it counts")
    published_on: date = strawberry.field(description="the day (UTC) this copy was made")


@strawberry.type(description="Verified figures: only surveys of the partner's real customers.")
class CustomerSuccessMetrics(Figures):
    invitation_count: int
    response_rate: float | None
    ranking_score: float = strawberry.field(
        description="NPS shrunk toward the market NPS with the weight of 10 responses; "
        "below 5 responses, the market NPS"
    )
    evidence_tier: EvidenceTier
    latest_response_at: datetime | None = strawberry.field(
        description="the day (00:00 UTC) of the newest answer these figures count; to the "
        "second for operators' live figures"
    )
    publication_note: str | None = strawberry.field(
        description="how public figures are published, and why (null: operators' live figures)"
    )
    row_id: strawberry.Private[int]

    @classmethod
    def build(cls, partner_id: int, view: PartnerFigures) -> CustomerSuccessMetrics:
        base = figures_of(view.overall)
        return cls(
            response_count=base.response_count,
            engagements_covered=base.engagements_covered,
            nps=base.nps,
            nps_withheld_reason=base.nps_withheld_reason,
            vendor_nps=base.vendor_nps,
            ratings=base.ratings,
            outcomes=base.outcomes,
            published_at=base.published_at,
            invitation_count=view.invitations,
            response_rate=view.response_rate,
            ranking_score=view.ranking_score,
            evidence_tier=EvidenceTier(view.evidence_tier),
            latest_response_at=view.latest_response_at,
            publication_note=view.publication_note,
            row_id=partner_id,
        )

    @strawberry.field(description="figures per industry of the engagements")
    def by_industry(self, info: Info) -> list[IndustryFigures]:
        segments = info.context.loaders.segment_figures(self.row_id)["industry"]
        names = info.context.loaders.reference()
        return [
            IndustryFigures(
                industry=Industry.from_row(names.industries[int(segment.key)]),
                figures=figures_of(segment.figures),
            )
            for segment in segments
        ]

    @strawberry.field(description="figures per product of the engagements")
    def by_product(self, info: Info) -> list[ProductFigures]:
        segments = info.context.loaders.segment_figures(self.row_id)["product"]
        names = info.context.loaders.reference()
        return [
            ProductFigures(
                product=Product.from_rows(*names.products[int(segment.key)]),
                figures=figures_of(segment.figures),
            )
            for segment in segments
        ]

    @strawberry.field(description="figures per quarter of the responses, oldest first")
    def trend(self, info: Info) -> list[QuarterFigures]:
        segments = info.context.loaders.segment_figures(self.row_id)["quarter"]
        return [
            QuarterFigures(quarter=segment.key, figures=figures_of(segment.figures))
            for segment in segments
        ]

    @strawberry.field(
        description="the share of its engagements in progress whose latest pulse check is on "
        "track (confidence 7 or more, no risk named, no fall of 3 points): null below 5 "
        "engagements; republished only once 5 of them changed"
    )
    def on_track(self, info: Info) -> OnTrackShare | None:
        found = info.context.loaders.on_track(self.row_id)
        if found is None:
            return None
        return OnTrackShare(
            share=round(found.share, 4),
            on_track=found.on_track,
            engagements=found.engagements,
            published_on=found.published_on,
        )
