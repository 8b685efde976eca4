from __future__ import annotations

import strawberry

from api.readers import figures as readers
from api.readers.figures import EMPTY, StoredTally
from api.schema.context import Info
from api.schema.figures.types import MarketInsights, ReasonFigures, figures_of
from api.vocabulary import SELECTION_REASONS


@strawberry.type
class FiguresQueries:
    @strawberry.field(
        description="Across all partners: figures by the reason the customer chose its partner."
    )
    def market_insights(self, info: Info) -> MarketInsights:
        market = readers.market(info.context.session)

        def stored(kind: str, segment: str) -> StoredTally:
            tally = market.get((kind, segment))
            return StoredTally(tally=tally) if tally else EMPTY

        return MarketInsights(
            overall=figures_of(stored("all", "")),
            by_selection_reason=[
                ReasonFigures(reason=reason, figures=figures_of(stored("reason", reason)))
                for reason in SELECTION_REASONS
            ],
        )
