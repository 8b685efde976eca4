from __future__ import annotations

import strawberry

from api.readers import figures as readers
from api.readers.partner_figures import market_figures
from api.schema.context import Info
from api.schema.figures.types import MarketInsights, ReasonFigures, figures_of
from api.schema.vocabulary import SelectionReason


@strawberry.type
class FiguresQueries:
    @strawberry.field(
        description="Across all partners: figures by the reason the customer chose its partner."
    )
    def market_insights(self, info: Info) -> MarketInsights:
        market = market_figures(
            readers.market(info.context.session, live=info.context.loaders.live)
        )
        return MarketInsights(
            overall=figures_of(market["all"]),
            by_selection_reason=[
                ReasonFigures(reason=reason, figures=figures_of(market[reason]))
                for reason in SelectionReason
            ],
        )
