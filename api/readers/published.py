"""Published partners in batches: the one reader of the site, the search index and GraphQL.

A face names the parts it shows (`Part`); each is read for a whole batch of partners in
one statement, so a batch costs one statement for the partners, one for their overall
tallies and one per part, however many partners it holds. The figures are worked out here
from `api.readers.partner_figures`, so every face shows the same published values. The
GraphQL loaders read the same parts (`Parts`) lazily, a part at its first use, and show
reviews by the same `shown_reviews`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Certification, Industry, Partner, Product, Reference, Vendor
from api.readers import figures as figure_rows
from api.readers import partners as partner_rows
from api.readers.figures import EMPTY, StoredTally
from api.readers.partner_figures import (
    PartnerFigures,
    SegmentFigures,
    partner_figures,
    segment_figures,
)
from api.readers.pulses import OnTrackShare, on_track_shares
from api.readers.reviews import PublicReview, ReviewRow, public_reviews
from api.readers.rows import IndustryRow, OfficeRow

Part = Literal[
    "offices",
    "industries",
    "products",
    "certifications",
    "references",
    "segments",
    "reviews",
    "on_track",
]
T = TypeVar("T")


@dataclass(frozen=True)
class PublishedPartner:
    """A partner with the parts asked for (those not asked for are empty)."""

    partner: Partner
    figures: PartnerFigures
    overall: StoredTally  # the published copy, for the answer distribution
    offices: list[OfficeRow] = field(default_factory=list)
    industries: list[IndustryRow] = field(default_factory=list)  # claimed
    products: list[tuple[Product, Vendor]] = field(default_factory=list)  # claimed
    certifications: list[tuple[Certification, Vendor | None]] = field(default_factory=list)
    references: list[tuple[Reference, Industry | None]] = field(default_factory=list)
    segments: dict[str, list[SegmentFigures]] = field(default_factory=dict)
    reviews: list[PublicReview] = field(default_factory=list)
    # The published on-track share of its engagements in progress (None: withheld).
    on_track: OnTrackShare | None = None

    @property
    def slug(self) -> str:
        return self.partner.slug

    def segment(self, kind: str, key: int) -> SegmentFigures | None:
        for segment in self.segments.get(kind, []):
            if segment.key == str(key):
                return segment
        return None

    def verified(self, kind: str, key: int) -> int:
        """Engagements with published answers in a segment: what makes a claim verified."""
        segment = self.segment(kind, key)
        return segment.figures.engagements_covered if segment else 0


class Parts:
    """Each part of a batch of partners, one statement each, by partner id; `live`: the
    operators' live tallies and reviews instead of the published ones."""

    def __init__(self, *, live: bool = False) -> None:
        self.live = live

    offices = staticmethod(partner_rows.offices_of)
    industries = staticmethod(partner_rows.industries_of)
    products = staticmethod(partner_rows.products_of)
    certifications = staticmethod(partner_rows.certifications_of)
    references = staticmethod(partner_rows.references_of)
    on_track = staticmethod(on_track_shares)

    def overall(self, session: Session, ids: Sequence[int]) -> dict[int, StoredTally]:
        return figure_rows.overall_of(session, ids, live=self.live)

    def segments(
        self, session: Session, ids: Sequence[int]
    ) -> dict[int, list[tuple[str, str, StoredTally]]]:
        return figure_rows.segments_of(session, ids, live=self.live)

    def reviews(self, session: Session, ids: Sequence[int]) -> dict[int, list[ReviewRow]]:
        return partner_rows.reviews_of(session, ids, live=self.live)


def shown_reviews(
    rows: Sequence[ReviewRow],
    *,
    segments: Mapping[str, Sequence[SegmentFigures]],
    overall: StoredTally,
    limit: int,
    live: bool,
) -> list[PublicReview]:
    """The reviews a partner shows beside its figures (api/readers/reviews.py): the
    public, only those its published figures count."""
    through = None if live else overall.published_through
    return public_reviews(rows, segments=segments, published_through=through, limit=limit)


def partner_ids(session: Session) -> list[int]:
    """Every partner's id, in order."""
    return list(session.scalars(select(Partner.id).order_by(Partner.id)).all())


def published_partners(
    session: Session,
    ids: Sequence[int],
    *,
    parts: frozenset[Part],
    market_nps: float,
    batch: int,
    reviews_shown: int = 0,
) -> Iterator[PublishedPartner]:
    """The partners of `ids` that exist, `batch` at a time (in id order within a batch),
    with `parts` (reviews bring the segments they are shown by) and at most `reviews_shown`
    reviews."""
    if "reviews" in parts:
        parts = parts | {"segments"}
    for start in range(0, len(ids), batch):
        yield from _batch(session, ids[start : start + batch], parts, market_nps, reviews_shown)


def _batch(
    session: Session,
    ids: Sequence[int],
    parts: frozenset[Part],
    market_nps: float,
    reviews_shown: int,
) -> Iterator[PublishedPartner]:
    read = Parts()

    def part(name: Part, reader: Callable[[Session, Sequence[int]], dict[int, T]]) -> dict[int, T]:
        return reader(session, ids) if name in parts else {}

    rows = session.scalars(select(Partner).where(Partner.id.in_(ids)).order_by(Partner.id)).all()
    overall = read.overall(session, ids)
    offices = part("offices", read.offices)
    industries = part("industries", read.industries)
    products = part("products", read.products)
    certifications = part("certifications", read.certifications)
    references = part("references", read.references)
    segments = part("segments", read.segments)
    reviews = part("reviews", read.reviews)
    on_track = part("on_track", read.on_track)
    for row in rows:
        stored = overall.get(row.id, EMPTY)
        by_kind = segment_figures(segments.get(row.id, [])) if "segments" in parts else {}
        yield PublishedPartner(
            partner=row,
            figures=partner_figures(stored, market_nps, live=False),
            overall=stored,
            offices=offices.get(row.id, []),
            industries=industries.get(row.id, []),
            products=products.get(row.id, []),
            certifications=certifications.get(row.id, []),
            references=references.get(row.id, []),
            segments=by_kind,
            reviews=shown_reviews(
                reviews.get(row.id, []),
                segments=by_kind,
                overall=stored,
                limit=reviews_shown,
                live=False,
            ),
            on_track=on_track.get(row.id),
        )
