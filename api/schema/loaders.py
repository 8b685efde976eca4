"""Per-request dataloaders: each relation of a page of partners costs one query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from api.models import (
    Certification,
    Customer,
    Industry,
    Office,
    Product,
    Reference,
    ReviewReply,
    SurveyResponse,
    Vendor,
)
from api.readers import figures
from api.readers import partners as readers
from api.readers.figures import EMPTY, StoredTally
from api.readers.reference import ReferenceNames, reference_names

T = TypeVar("T")

Batch = Callable[[Session, Sequence[int]], dict[int, list[T]]]


def _by_partner(session: Session, batch: Batch[T]) -> DataLoader[int, list[T]]:
    async def load(partner_ids: list[int]) -> list[list[T]]:
        found = batch(session, partner_ids)
        return [found.get(partner_id, []) for partner_id in partner_ids]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, session: Session) -> None:
        self._session = session
        self._market_nps: float | None = None
        self._reference: ReferenceNames | None = None
        self.overall: DataLoader[int, StoredTally] = DataLoader(load_fn=self._load_overall)
        self.segments: DataLoader[int, list[tuple[str, str, StoredTally]]] = _by_partner(
            session, figures.segments_of
        )
        self.offices: DataLoader[int, list[Office]] = _by_partner(session, readers.offices_of)
        self.industries: DataLoader[int, list[Industry]] = _by_partner(
            session, readers.industries_of
        )
        self.products: DataLoader[int, list[tuple[Product, Vendor]]] = _by_partner(
            session, readers.products_of
        )
        self.certifications: DataLoader[int, list[tuple[Certification, Vendor | None]]] = (
            _by_partner(session, readers.certifications_of)
        )
        self.reviews: DataLoader[
            int, list[tuple[SurveyResponse, Customer, Industry, ReviewReply | None]]
        ] = _by_partner(session, readers.reviews_of)
        self.references: DataLoader[int, list[tuple[Reference, Industry | None]]] = _by_partner(
            session, readers.references_of
        )

    async def _load_overall(self, partner_ids: list[int]) -> list[StoredTally]:
        found = figures.overall_of(self._session, partner_ids)
        return [found.get(partner_id, EMPTY) for partner_id in partner_ids]

    def market_nps(self) -> float:
        """The market-wide NPS, read at most once per request."""
        if self._market_nps is None:
            self._market_nps = figures.market_overall_nps(self._session)
        return self._market_nps

    def reference(self) -> ReferenceNames:
        if self._reference is None:
            self._reference = reference_names(self._session)
        return self._reference
