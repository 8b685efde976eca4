from __future__ import annotations

import strawberry

from api.readers import figures as readers
from api.readers.figures import EMPTY
from api.readers.partner_figures import figure_set
from api.schema.context import Info
from api.schema.figures.types import Figures, MarketInsights, ReasonFigures, figures_of
from api.vocabulary import SELECTION_REASONS


@strawberry.type
class FiguresQueries:
    @strawberry.field(
        description="Across all partners: figures by the reason the customer chose its partner."
    )
    def market_insights(self, info: Info) -> MarketInsights:
        market = readers.market(info.context.session, live=info.context.loaders.live)

        def figures(kind: str, segment: str) -> Figures:
            return figures_of(figure_set(market.get((kind, segment), EMPTY)))

        return MarketInsights(
            overall=figures("all", ""),
            by_selection_reason=[
                ReasonFigures(reason=reason, figures=figures("reason", reason))
                for reason in SELECTION_REASONS
            ],
        )
