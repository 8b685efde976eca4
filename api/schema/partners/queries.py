from __future__ import annotations

import strawberry

from api.errors import DomainError
from api.readers import partners as readers
from api.readers.partners import PartnerFilter as FilterValues
from api.schema.context import Context, Info
from api.schema.errors import invalid_argument
from api.schema.pagination import PageInfo, encode_cursor, page_window, selects
from api.schema.partners.inputs import PartnerFilter, PartnerOrder
from api.schema.partners.types import Partner, PartnerConnection, PartnerEdge


@strawberry.type
class PartnerQueries:
    @strawberry.field(description="One partner by slug; null when there is none.")
    def partner(self, info: Info, slug: str) -> Partner | None:
        row = readers.partner_by_slug(session=info.context.session, slug=slug)
        info.context.shown.partner(row.id if row else None)
        return Partner.from_row(row) if row else None

    @strawberry.field(description="Partners, a page at a time (first: 0 to 100; 20).")
    def partners(
        self,
        info: Info,
        filter: PartnerFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: PartnerOrder = PartnerOrder.RANKING_SCORE,
    ) -> PartnerConnection:
        offset, page = read_page(
            info.context,
            filter=filter,
            first=first,
            after=after,
            order_by=order_by,
            count=selects(info, "totalCount"),
            relations=tuple(
                name for name in readers.RELATIONS if selects(info, "edges", "node", name)
            ),
        )
        loaders = info.context.loaders
        loaders.list_partners(row.id for row in page.rows)
        if page.offices is not None:
            loaders.offices.prime(page.offices)
        if page.industries is not None:
            loaders.industries.prime(page.industries)
        edges = [
            PartnerEdge(node=Partner.from_row(row), cursor=encode_cursor(offset + index))
            for index, row in enumerate(page.rows)
        ]
        return PartnerConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            # Not counted when not asked for: then nobody reads it.
            total_count=page.total or 0,
        )


def read_page(
    context: Context,
    *,
    filter: PartnerFilter | None,
    first: int | None,
    after: str | None,
    order_by: PartnerOrder,
    count: bool,
    relations: tuple[str, ...] = (),
    answer: readers.Answer | None = None,
) -> tuple[int, readers.PartnerPage]:
    """The page `partners` asks for and its offset, or the refusal of its arguments: for
    the resolver, and for the page answered in one statement (api/schema/sql_pages.py)."""
    offset, size = page_window(first, after)
    wanted = filter.to_values() if filter else FilterValues()
    try:
        page = readers.page_of_partners(
            session=context.session,
            wanted=wanted,
            offset=offset,
            limit=size,
            order=order_by.value,
            market_nps=(
                context.loaders.market_nps() if order_by is PartnerOrder.RANKING_SCORE else 0.0
            ),
            count=count,
            relations=relations,
            answer=answer,
        )
    except DomainError as error:
        raise invalid_argument(error) from error
    return offset, page
