"""What the site shows, read from the database in batches: published figures only.

Every figure comes from `api.readers.partner_figures` (the value GraphQL maps too), so the
site shows exactly what the API shows a buyer: published copies, the withholding rules
applied, reviews by the rules of api/readers/reviews.py.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import (
    Certification,
    Industry,
    Office,
    Partner,
    Product,
    Reference,
    Vendor,
    published_tallies,
)
from api.readers import figures as figure_rows
from api.readers import partners as partner_rows
from api.readers.figures import EMPTY, StoredTally
from api.readers.partner_figures import (
    FigureSet,
    PartnerFigures,
    SegmentFigures,
    market_figures,
    partner_figures,
    segment_figures,
)
from api.readers.pulses import OnTrackShare, on_track_shares
from api.readers.reference import ReferenceNames, reference_names
from api.readers.reviews import PublicReview, public_reviews

BATCH = 500
REVIEWS_SHOWN = 20


@dataclass(frozen=True)
class PartnerEntry:
    partner: Partner
    offices: list[Office]
    industries: list[Industry]  # claimed
    products: list[tuple[Product, Vendor]]  # claimed
    certifications: list[tuple[Certification, Vendor | None]]
    references: list[tuple[Reference, Industry | None]]
    figures: PartnerFigures
    overall: StoredTally  # the published copy, for the answer distribution
    segments: dict[str, list[SegmentFigures]]
    reviews: list[PublicReview]
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


def partner_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Partner.id).order_by(Partner.id)).all())


def partners(
    session: Session, where: Directory, ids: Sequence[int] | None = None
) -> Iterator[PartnerEntry]:
    """Every partner (or those of `ids`) with its parts and figures, BATCH at a time."""
    ids = partner_ids(session) if ids is None else ids
    for start in range(0, len(ids), BATCH):
        yield from _batch(session, where, ids[start : start + BATCH])


def listed_partners(session: Session, where: Directory) -> Iterator[PartnerEntry]:
    """Every partner with what the lists, the home page and the open data show: profile,
    offices, claims, overall figures and segments (six queries a batch, no reviews)."""
    ids = partner_ids(session)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        rows = session.scalars(select(Partner).where(Partner.id.in_(batch))).all()
        offices = partner_rows.offices_of(session, batch)
        industries = partner_rows.industries_of(session, batch)
        products = partner_rows.products_of(session, batch)
        overall = figure_rows.overall_of(session, batch)
        segments = figure_rows.segments_of(session, batch)
        for row in sorted(rows, key=lambda partner: partner.id):
            stored = overall.get(row.id, EMPTY)
            yield PartnerEntry(
                partner=row,
                offices=offices.get(row.id, []),
                industries=industries.get(row.id, []),
                products=products.get(row.id, []),
                certifications=[],
                references=[],
                figures=partner_figures(stored, where.market_nps, live=False),
                overall=stored,
                segments=segment_figures(segments.get(row.id, [])),
                reviews=[],
            )


def _batch(session: Session, where: Directory, ids: Sequence[int]) -> Iterator[PartnerEntry]:
    rows = session.scalars(select(Partner).where(Partner.id.in_(ids))).all()
    offices = partner_rows.offices_of(session, ids)
    industries = partner_rows.industries_of(session, ids)
    products = partner_rows.products_of(session, ids)
    certifications = partner_rows.certifications_of(session, ids)
    references = partner_rows.references_of(session, ids)
    # The rows the API reads too (the newest 50), so the reviews' rules come out the same.
    reviews = partner_rows.reviews_of(session, ids)
    overall = figure_rows.overall_of(session, ids)
    segments = figure_rows.segments_of(session, ids)
    shares = on_track_shares(session, ids)
    for row in sorted(rows, key=lambda partner: partner.id):
        stored = overall.get(row.id, EMPTY)
        by_kind = segment_figures(segments.get(row.id, []))
        yield PartnerEntry(
            partner=row,
            offices=offices.get(row.id, []),
            industries=industries.get(row.id, []),
            products=products.get(row.id, []),
            certifications=certifications.get(row.id, []),
            references=references.get(row.id, []),
            figures=partner_figures(stored, where.market_nps, live=False),
            overall=stored,
            segments=by_kind,
            reviews=public_reviews(
                reviews.get(row.id, []),
                segments=by_kind,
                published_through=stored.published_through,
                limit=REVIEWS_SHOWN,
            ),
            on_track=shares.get(row.id),
        )
