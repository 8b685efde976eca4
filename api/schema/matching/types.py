from __future__ import annotations

import strawberry

from api.matching import Factor
from api.schema.pagination import PageInfo
from api.schema.partners.types import Partner
from api.schema.reference.types import Vendor


@strawberry.type(description="One part of a match score: score = sum of weight x value.")
class MatchFactor:
    name: str
    weight: float = strawberry.field(description="its share of the score, 0 to 1")
    value: float = strawberry.field(description="how well the partner does on it, 0 to 1")
    evidence: str = strawberry.field(description="the published facts behind the value")

    @classmethod
    def from_value(cls, factor: Factor) -> MatchFactor:
        return cls(
            name=factor.name, weight=factor.weight, value=factor.value, evidence=factor.evidence
        )


@strawberry.type(description="A partner for a need, its score (0 to 1) and why.")
class PartnerMatch:
    partner: Partner
    score: float
    factors: list[MatchFactor]


@strawberry.type(
    description="One of a vendor's partners: its work for the vendor, and how "
    "its published figures compare with the market's."
)
class PartnerScorecard:
    partner: Partner
    engagements: int = strawberry.field(description="recorded by this vendor")
    completed_engagements: int
    engagements_not_surveyed: int = strawberry.field(
        description="completed engagements of this vendor with no survey invitation yet"
    )
    invitations: int = strawberry.field(description="sent by this vendor")
    responses: int = strawberry.field(description="answers to this vendor's invitations")
    response_rate: float | None
    ranking_score: float = strawberry.field(description="published, as in partner.metrics")
    compared_to_market: float = strawberry.field(
        description="ranking score minus the market NPS: above 0, better than the market"
    )


@strawberry.type
class PartnerScorecardEdge:
    node: PartnerScorecard
    cursor: str


@strawberry.type(
    description="A vendor's partners (engagements recorded or in its program), a page at a "
    "time: `edges` and `partners` hold the same page."
)
class VendorScorecard:
    vendor: Vendor
    market_nps: float = strawberry.field(description="published, across every partner")
    partners: list[PartnerScorecard] = strawberry.field(
        description="the page's partners, as in edges"
    )
    edges: list[PartnerScorecardEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="every partner of the vendor")
