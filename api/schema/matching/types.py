from __future__ import annotations

from enum import Enum

import strawberry
from sqlalchemy import select

from api.matching import Factor
from api.models import Partner as PartnerRow
from api.readers.tier_evidence import tier_evidence
from api.schema.context import Info
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


@strawberry.enum(description="Where a program tier and the evidence disagree.")
class TierMismatchKind(Enum):
    HIGH_TIER_BOTTOM_QUARTILE = "high_tier_bottom_quartile"
    LOW_TIER_TOP_QUARTILE = "low_tier_top_quartile"


@strawberry.type(description="A program member whose tier the evidence contradicts.")
class TierMismatch:
    partner: Partner
    tier: str
    ranking_score: float = strawberry.field(description="as in rankingScore of the scorecard")
    kind: TierMismatchKind


@strawberry.type(
    description="The vendor's program tiers against verified customer success (the ranking "
    "score of the shown figures), so the vendor can re-tier on outcomes. Judged: the program "
    "members whose NPS is shown (5 answers or more); quartiles by rank over them, from 4 "
    "judged members. High tiers: gold and platinum; low tiers: registered and silver."
)
class TierVersusEvidence:
    judged_partners: int = strawberry.field(description="members with a shown NPS")
    not_judged: int = strawberry.field(description="members whose figures are withheld")
    bottom_quartile_at_most: float | None = strawberry.field(
        description="the ranking score at or below which a member is in the bottom quartile"
    )
    top_quartile_at_least: float | None = strawberry.field(
        description="the ranking score at or above which a member is in the top quartile"
    )
    mismatches: list[TierMismatch] = strawberry.field(
        description="high tiers in the bottom quartile (lowest score first), then low tiers "
        "in the top quartile (highest first)"
    )


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
    vendor_id: strawberry.Private[int]
    live: strawberry.Private[bool]  # an admin's: the live figures, as in the rest of it

    @strawberry.field(description="where the program's tiers and the evidence disagree")
    def tier_versus_evidence(self, info: Info) -> TierVersusEvidence:
        session = info.context.session
        check = tier_evidence(session, self.vendor_id, self.market_nps, live=self.live)
        ids = [mismatch.member.partner_id for mismatch in check.mismatches]
        rows = {
            row.id: row for row in session.scalars(select(PartnerRow).where(PartnerRow.id.in_(ids)))
        }
        info.context.loaders.list_partners(ids)
        return TierVersusEvidence(
            judged_partners=check.judged,
            not_judged=check.not_judged,
            bottom_quartile_at_most=check.bottom_quartile_at_most,
            top_quartile_at_least=check.top_quartile_at_least,
            mismatches=[
                TierMismatch(
                    partner=Partner.from_row(rows[m.member.partner_id]),
                    tier=m.member.tier,
                    ranking_score=m.member.ranking_score,
                    kind=TierMismatchKind(m.kind),
                )
                for m in check.mismatches
            ],
        )
