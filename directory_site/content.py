"""What the site shows, read from the database in batches: published figures only.

Partners come from `api.readers.published`, the reader the search index and GraphQL use
too, so the site shows exactly what the API shows a buyer: published copies, the
withholding rules applied, reviews by the rules of api/readers/reviews.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import published_tallies
from api.readers import figures as figure_rows
from api.readers import published
from api.readers.partner_figures import FigureSet, market_figures
from api.readers.published import Part, PublishedPartner
from api.readers.reference import ReferenceNames, reference_names

BATCH = 500
REVIEWS_SHOWN = 20
LISTED: frozenset[Part] = frozenset({"offices", "industries", "products", "segments"})
"""What the lists, the home page and the open data show (six statements a batch)."""
PAGE: frozenset[Part] = frozenset(
    {
        "offices",
        "industries",
        "products",
        "certifications",
        "references",
        "segments",
        "reviews",
        "on_track",
    }
)
"""What a partner's page shows (ten statements a batch)."""

PartnerEntry = PublishedPartner


@dataclass
class Directory:
    names: ReferenceNames
    market_nps: float
    market: dict[str, FigureSet] = field(default_factory=dict)  # "all" and each reason


def directory(session: Session) -> Directory:
    market_rows = figure_rows.market(session)
    found = Directory(
        names=reference_names(session), market_nps=figure_rows.market_overall_nps(session)
    )
    found.market = market_figures(market_rows)
    return found


def data_day(session: Session) -> date:
    """The day the newest published figure was published (1 January 1970 before any): the
    site's date, so that a build's bytes depend on the data and never on the build's day."""
    newest = session.scalar(select(func.max(published_tallies.c.published_at)))
    return newest.date() if newest is not None else date(1970, 1, 1)


def partners(
    session: Session,
    where: Directory,
    ids: Sequence[int] | None = None,
    *,
    parts: frozenset[Part] = PAGE,
) -> Iterator[PartnerEntry]:
    """Every partner (or those of `ids`) with `parts`, BATCH at a time."""
    return published.published_partners(
        session,
        published.partner_ids(session) if ids is None else ids,
        parts=parts,
        market_nps=where.market_nps,
        batch=BATCH,
        reviews_shown=REVIEWS_SHOWN,
    )


def listed_partners(session: Session, where: Directory) -> Iterator[PartnerEntry]:
    """Every partner with what the lists, the home page and the open data show."""
    return partners(session, where, parts=LISTED)
