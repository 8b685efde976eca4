from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.utils.str_converters import to_camel_case

from api.errors import DomainError
from api.readers import partners as readers
from api.readers.partners import PartnerFilter as FilterValues
from api.schema.context import Info
from api.schema.errors import ClientError, invalid_argument
from api.schema.pagination import PageInfo, encode_cursor, page_window
from api.schema.partners.inputs import PartnerFilter
from api.schema.partners.types import Partner, PartnerEdge
from api.schema.search.types import Facet, FacetValue, SearchResults
from search_index import Filters, SearchUnavailable, index_for

MAX_QUERY_LENGTH = 10_000  # characters accepted at all; the search reads the first 200


@strawberry.enum(description="RELEVANCE blends the words' match with the ranking score.")
class SearchOrder(Enum):
    RELEVANCE = "relevance"
    RANKING_SCORE = "ranking_score"


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description='Partners by words (a typo is forgiven in longer words, "quoted '
        'phrases" match as written), with facet counts; first: 0 to 100 (20).'
    )
    def search(
        self,
        info: Info,
        query: str,
        filter: PartnerFilter | None = None,
        first: int | None = None,
        after: str | None = None,
        order_by: SearchOrder = SearchOrder.RELEVANCE,
    ) -> SearchResults:
        offset, size = page_window(first, after)
        if len(query) > MAX_QUERY_LENGTH:
            raise ClientError(
                f"query has at most {MAX_QUERY_LENGTH} characters", "VALIDATION", "query"
            )
        session = info.context.session
        wanted = filter.to_values() if filter else FilterValues()
        try:
            readers.checked_filter(session, wanted)  # names every unknown value
        except DomainError as error:
            raise invalid_argument(error) from error
        try:
            page = index_for(
                info.context.settings.index_dir, info.context.settings.search_engine
            ).search(
                session,
                query,
                filters=_filters(wanted),
                offset=offset,
                # whoosh refuses a limit of 0: an empty page asks for one hit and shows none.
                limit=max(size, 1),
                order=order_by.value,
                market_nps=info.context.loaders.market_nps(),
            )
        except SearchUnavailable as error:
            raise ClientError(str(error), code="UNAVAILABLE") from error
        hits = page.hits[:size]
        rows = readers.partners_by_ids(session, [hit.partner_id for hit in hits])
        snippets = {hit.partner_id: hit.snippet for hit in hits}
        info.context.loaders.list_partners(row.id for row in rows)
        edges = [
            PartnerEdge(
                node=Partner.from_row(row),
                cursor=encode_cursor(offset + index),
                snippet=snippets[row.id],
            )
            for index, row in enumerate(rows)
        ]
        return SearchResults(
            edges=edges,
            page_info=PageInfo(
                has_next_page=offset + len(hits) < page.total,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=page.total,
            facets=[
                Facet(
                    field=to_camel_case(name),
                    values=[
                        # Tiers as the EvidenceTier enum spells them, as the filter takes them.
                        FacetValue(
                            value=value.upper() if name == "evidence_tiers" else value, count=count
                        )
                        for value, count in values
                    ],
                )
                for name, values in page.facets.items()
            ],
            notes=page.notes,
        )


def _filters(wanted: FilterValues) -> Filters:
    return Filters(
        industries=tuple(wanted.industries),
        products=tuple(wanted.products),
        countries=tuple(wanted.countries),
        evidence_tiers=tuple(wanted.evidence_tiers),
        partner_types=tuple(wanted.partner_types),
    )
