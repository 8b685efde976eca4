"""What partners say of a vendor's programme, as GraphQL types: per quarter, never per
partner (api/readers/program.py decides what is shown)."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from api.readers.program import ProgramQuarter, latest_published
from api.schema.figures.types import Rating, Score, score_of


@strawberry.type(
    description="Partners' view of a vendor's programme over one ended quarter: published "
    "from 5 answering partners, withheld (null, with the reason) otherwise."
)
class ProgramFigures:
    quarter: str | None = strawberry.field(description='e.g. "2026-Q3"')
    responding_partners: int = strawberry.field(description="partners who answered that quarter")
    nps: Score | None = strawberry.field(
        description="how likely partners are to recommend the programme (0-10), as an NPS "
        "with its 95% interval; null below 5 partners"
    )
    ratings: list[Rating] = strawberry.field(
        description="enablement, support, lead_sharing, payments: 1-5 means"
    )
    comments: list[str] = strawberry.field(
        description="partners' comments, unattributed and sorted by their text; only in a "
        "published quarter"
    )
    withheld_reason: str | None


def program_figures(
    quarters: Sequence[ProgramQuarter], quarter: str | None
) -> ProgramFigures | None:
    """The quarter asked for (None: the latest published), or None."""
    if quarter is None:
        chosen = latest_published(quarters)
    else:
        chosen = next((q for q in quarters if q.quarter == quarter), None)
    if chosen is None:
        return None
    return ProgramFigures(
        quarter=chosen.quarter,
        responding_partners=chosen.partners,
        nps=score_of(chosen.nps),
        ratings=[
            Rating(
                name=theme,
                mean=figure.value,
                n=figure.n,
                withheld_reason=figure.withheld_reason,
            )
            for theme, figure in chosen.ratings.items()
        ],
        comments=list(chosen.comments),
        withheld_reason=chosen.withheld_reason,
    )
