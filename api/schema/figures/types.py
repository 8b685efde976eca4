"""Verified customer-success figures as GraphQL types. Nothing here takes input."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from api import metrics
from api.readers.figures import StoredTally
from api.schema.context import Info
from api.schema.reference.types import Industry, Product
from api.vocabulary import OUTCOME_FIELDS, RATING_FIELDS


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


def figures_of(stored: StoredTally) -> Figures:
    tally = stored.tally
    nps = metrics.partner_nps(tally)
    return Figures(
        response_count=tally.n,
        engagements_covered=stored.engagements_covered,
        nps=score_of(nps),
        nps_withheld_reason=nps.withheld_reason,
        vendor_nps=score_of(metrics.vendor_nps(tally)),
        ratings=[_rating(name, metrics.rating_mean(tally, name)) for name in RATING_FIELDS],
        outcomes=[_outcome(name, metrics.outcome_share(tally, name)) for name in OUTCOME_FIELDS],
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
    reason: str = strawberry.field(description="why the customer chose the partner")
    figures: Figures


@strawberry.type(description="What every partner's customers say, by why they chose it.")
class MarketInsights:
    overall: Figures
    by_selection_reason: list[ReasonFigures]


@strawberry.type(description="Verified figures: only surveys of the partner's real customers.")
class CustomerSuccessMetrics(Figures):
    invitation_count: int
    response_rate: float | None
    ranking_score: float = strawberry.field(
        description="NPS shrunk toward the market NPS with the weight of 10 responses"
    )
    evidence_tier: EvidenceTier
    latest_response_at: datetime | None
    row_id: strawberry.Private[int]

    @classmethod
    def build(
        cls, partner_id: int, stored: StoredTally, market_nps: float
    ) -> CustomerSuccessMetrics:
        tally = stored.tally
        base = figures_of(stored)
        return cls(
            response_count=base.response_count,
            engagements_covered=base.engagements_covered,
            nps=base.nps,
            nps_withheld_reason=base.nps_withheld_reason,
            vendor_nps=base.vendor_nps,
            ratings=base.ratings,
            outcomes=base.outcomes,
            invitation_count=stored.invitations,
            response_rate=metrics.response_rate(tally.n, stored.invitations),
            ranking_score=metrics.ranking_score(tally, market_nps),
            evidence_tier=EvidenceTier(metrics.evidence_tier(metrics.partner_nps(tally))),
            latest_response_at=stored.latest_response_at,
            row_id=partner_id,
        )

    @strawberry.field(description="figures per industry of the engagements")
    def by_industry(self, info: Info) -> list[IndustryFigures]:
        segments = info.context.loaders.segments(self.row_id)
        names = info.context.loaders.reference()
        return [
            IndustryFigures(
                industry=Industry.from_row(names.industries[int(key)]),
                figures=figures_of(stored),
            )
            for kind, key, stored in segments
            if kind == "industry"
        ]

    @strawberry.field(description="figures per product of the engagements")
    def by_product(self, info: Info) -> list[ProductFigures]:
        segments = info.context.loaders.segments(self.row_id)
        names = info.context.loaders.reference()
        return [
            ProductFigures(
                product=Product.from_rows(*names.products[int(key)]),
                figures=figures_of(stored),
            )
            for kind, key, stored in segments
            if kind == "product"
        ]

    @strawberry.field(description="figures per quarter of the responses, oldest first")
    def trend(self, info: Info) -> list[QuarterFigures]:
        segments = info.context.loaders.segments(self.row_id)
        return [
            QuarterFigures(quarter=key, figures=figures_of(stored))
            for kind, key, stored in segments
            if kind == "quarter"
        ]
