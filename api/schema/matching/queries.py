from __future__ import annotations

import strawberry
from sqlalchemy import select

from api.errors import DomainError
from api.matching import best_fit
from api.matching.need import MAX_FIRST
from api.models import Partner as PartnerRow
from api.readers import scorecard as readers
from api.schema.context import Info
from api.schema.errors import ClientError, invalid_argument
from api.schema.matching.inputs import ProjectNeed
from api.schema.matching.types import (
    MatchFactor,
    PartnerMatch,
    PartnerScorecard,
    PartnerScorecardEdge,
    VendorScorecard,
)
from api.schema.pagination import PageInfo, encode_cursor, page_size, page_window
from api.schema.partners.types import Partner
from api.schema.permissions import IsVendorOrAdmin
from api.schema.reference.types import Vendor


def _partners(info: Info, ids: list[int]) -> dict[int, PartnerRow]:
    rows = info.context.session.scalars(select(PartnerRow).where(PartnerRow.id.in_(ids))).all()
    info.context.loaders.list_partners(ids)
    return {row.id: row for row in rows}


@strawberry.type
class MatchingQueries:
    @strawberry.field(
        description="The partners that fit a customer's need best, each score explained "
        "(vendor or admin). Published figures only; never sponsorship, tier or revenue. "
        "first: 0 to 100 (10).",
        permission_classes=[IsVendorOrAdmin],
    )
    def best_fit_partners(
        self, info: Info, need: ProjectNeed, first: int | None = 10
    ) -> list[PartnerMatch]:
        size = page_size(first, default=10, maximum=MAX_FIRST)
        try:
            # The matcher keeps a heap of at least one: an empty page still checks the need.
            matches = best_fit(
                session=info.context.session, need=need.to_need(), first=max(size, 1)
            )[:size]
        except DomainError as error:
            raise invalid_argument(error) from error
        rows = _partners(info, [match.partner_id for match in matches])
        return [
            PartnerMatch(
                partner=Partner.from_row(rows[match.partner_id]),
                score=match.score,
                factors=[MatchFactor.from_value(factor) for factor in match.factors],
            )
            for match in matches
        ]

    @strawberry.field(
        description="A vendor's own partners: its engagements and survey work with each, and "
        "each partner's figures beside the market's, by ranking score (then slug), a page at "
        "a time (first: 0 to 100, 20 by default; after: a cursor of this list). A vendor key "
        "sees its own vendor only; an admin names the vendor.",
        permission_classes=[IsVendorOrAdmin],
    )
    def vendor_scorecard(
        self,
        info: Info,
        vendor: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> VendorScorecard:
        caller = info.context.caller
        slug = vendor or caller.vendor_slug
        if caller.role == "vendor" and slug != caller.vendor_slug:
            raise ClientError("a vendor key reads its own scorecard only", code="FORBIDDEN")
        if slug is None:
            raise ClientError("name the vendor", code="VALIDATION", field="vendor")
        offset, size = page_window(first, after)
        session = info.context.session
        row = readers.vendor_by_slug(session, slug)
        if row is None:
            raise ClientError(f"unknown vendor slug {slug!r}", code="NOT_FOUND", field="vendor")
        work = readers.vendor_work(session, row.id)
        loaders = info.context.loaders
        market = loaders.market_nps()
        ranking = readers.ranking_scores(session, sorted(work), market, live=loaders.live)
        order = sorted(work, key=lambda pid: (-ranking[pid][0], ranking[pid][1]))
        page = order[offset : offset + size]
        partners = _partners(info, page)
        cards = [_card(partners[pid], work[pid], ranking[pid][0], market) for pid in page]
        return VendorScorecard(
            vendor=Vendor.from_row(row),
            market_nps=market,
            partners=cards,
            edges=[
                PartnerScorecardEdge(node=card, cursor=encode_cursor(offset + index))
                for index, card in enumerate(cards)
            ],
            page_info=PageInfo(
                has_next_page=offset + size < len(order),
                end_cursor=encode_cursor(offset + len(cards) - 1) if cards else None,
            ),
            total_count=len(order),
            vendor_id=row.id,
            live=loaders.live,
        )


def _card(
    partner: PartnerRow, counts: readers.VendorWork, ranking: float, market: float
) -> PartnerScorecard:
    return PartnerScorecard(
        partner=Partner.from_row(partner),
        engagements=counts.engagements,
        completed_engagements=counts.completed,
        engagements_not_surveyed=counts.not_surveyed,
        invitations=counts.invitations,
        responses=counts.responses,
        response_rate=counts.responses / counts.invitations if counts.invitations else None,
        ranking_score=ranking,
        compared_to_market=ranking - market,
    )
