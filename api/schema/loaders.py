"""Per-request batch loaders: each relation of a page of partners costs one query.

They are synchronous on purpose. A page lists its partners first (`Loaders.listed`); the
first read of a relation for any partner then loads it for every listed partner in one
query, and the other partners' fields are served from memory. Strawberry's async
DataLoader gives the same queries, but its per-field awaits cost more than the queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from api.models import (
    Certification,
    EngagementNote,
    Industry,
    Product,
    Reference,
    Vendor,
)
from api.readers import figures
from api.readers.capacity import in_progress_of
from api.readers.figures import EMPTY, StoredTally
from api.readers.partner_figures import (
    PartnerFigures,
    SegmentFigures,
    partner_figures,
    segment_figures,
)
from api.readers.program import ProgramQuarter, program_quarters
from api.readers.published import Parts, shown_reviews
from api.readers.pulses import (
    NO_ANSWER,
    OnTrackShare,
    PulseStatus,
    notes_of,
    on_track_shares,
    pulse_statuses,
)
from api.readers.reference import ReferenceNames, reference_names
from api.readers.reviews import PublicReview, ReviewRow
from api.readers.rows import IndustryRow, OfficeRow

T = TypeVar("T")


class PartnerBatch(Generic[T]):
    """One relation of the request's partners, loaded for all of them at the first read."""

    def __init__(
        self,
        session: Session,
        batch: Callable[[Session, Sequence[int]], dict[int, T]],
        missing: Callable[[], T],
        listed: list[int],
    ) -> None:
        self._session, self._batch, self._missing, self._listed = session, batch, missing, listed
        self._found: dict[int, T] = {}

    def prime(self, found: dict[int, T]) -> None:
        """`found` was read already (with the page, say): those partners load nothing."""
        self._found.update(found)

    def __call__(self, partner_id: int) -> T:
        if partner_id not in self._found:
            wanted = {partner_id, *(i for i in self._listed if i not in self._found)}
            found = self._batch(self._session, sorted(wanted))
            for wanted_id in wanted:
                self._found[wanted_id] = found.get(wanted_id, self._missing())
        return self._found[partner_id]


class Loaders:
    """`live`: the operators' live figures instead of the published ones."""

    def __init__(self, session: Session, *, live: bool = False) -> None:
        self._session = session
        self.live = live
        self._market_nps: float | None = None
        self._segment_figures: dict[int, dict[str, list[SegmentFigures]]] = {}
        self._reference: ReferenceNames | None = None
        self._program: dict[int, list[ProgramQuarter]] | None = None
        self.listed: list[int] = []
        self.on_track: PartnerBatch[OnTrackShare | None] = PartnerBatch(
            session, on_track_shares, lambda: None, self.listed
        )
        # The engagements a page lists: their pulse states and notes load together.
        self.engagements_listed: list[int] = []
        self.pulse_status: PartnerBatch[PulseStatus] = PartnerBatch(
            session, pulse_statuses, lambda: NO_ANSWER, self.engagements_listed
        )
        self.notes: PartnerBatch[list[EngagementNote]] = PartnerBatch(
            session, notes_of, list, self.engagements_listed
        )

        def relation(
            batch: Callable[[Session, Sequence[int]], dict[int, list[T]]],
        ) -> PartnerBatch[list[T]]:
            return PartnerBatch(session, batch, list, self.listed)

        read = Parts(live=live)  # the parts the site and the search index read too
        self.overall: PartnerBatch[StoredTally] = PartnerBatch(
            session, read.overall, lambda: EMPTY, self.listed
        )
        self.segments: PartnerBatch[list[tuple[str, str, StoredTally]]] = relation(read.segments)
        self.offices: PartnerBatch[list[OfficeRow]] = relation(read.offices)
        self.industries: PartnerBatch[list[IndustryRow]] = relation(read.industries)
        self.products: PartnerBatch[list[tuple[Product, Vendor]]] = relation(read.products)
        self.certifications: PartnerBatch[list[tuple[Certification, Vendor | None]]] = relation(
            read.certifications
        )
        self.reviews: PartnerBatch[list[ReviewRow]] = relation(read.reviews)
        self.references: PartnerBatch[list[tuple[Reference, Industry | None]]] = relation(
            read.references
        )
        self.in_progress: PartnerBatch[int] = PartnerBatch(
            session, in_progress_of, int, self.listed
        )

    def list_partners(self, partner_ids: Iterable[int]) -> None:
        """The partners this request will show: their relations load together."""
        self.listed.extend(partner_ids)

    def market_nps(self) -> float:
        """The market-wide NPS, read at most once per request."""
        if self._market_nps is None:
            self._market_nps = figures.market_overall_nps(self._session, live=self.live)
        return self._market_nps

    def figures(self, partner_id: int) -> PartnerFigures:
        return partner_figures(self.overall(partner_id), self.market_nps(), live=self.live)

    def segment_figures(self, partner_id: int) -> dict[str, list[SegmentFigures]]:
        """Worked out once per partner and request: byIndustry, byProduct, trend and the
        reviews' rules all read it."""
        if partner_id not in self._segment_figures:
            self._segment_figures[partner_id] = segment_figures(self.segments(partner_id))
        return self._segment_figures[partner_id]

    def reviews_view(self, partner_id: int, first: int) -> list[PublicReview]:
        return shown_reviews(
            self.reviews(partner_id),
            segments=self.segment_figures(partner_id),
            overall=self.overall(partner_id),
            limit=first,
            live=self.live,
        )

    def program(self, vendor_id: int) -> list[ProgramQuarter]:
        """A vendor's ended quarters of programme feedback: every vendor's in one query."""
        if self._program is None:
            self._program = program_quarters(self._session)
        return self._program.get(vendor_id, [])

    def reference(self) -> ReferenceNames:
        if self._reference is None:
            self._reference = reference_names(self._session)
        return self._reference
