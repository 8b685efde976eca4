"""Per-request dataloaders: each relation of a page of partners costs one query."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from sqlalchemy.orm import Session
from strawberry.dataloader import DataLoader

from api.models import Certification, Industry, Office, Product, Reference, Vendor
from api.readers import partners as readers

T = TypeVar("T")

Batch = Callable[[Session, Sequence[int]], dict[int, list[T]]]


def _by_partner(session: Session, batch: Batch[T]) -> DataLoader[int, list[T]]:
    async def load(partner_ids: list[int]) -> list[list[T]]:
        found = batch(session, partner_ids)
        return [found.get(partner_id, []) for partner_id in partner_ids]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, session: Session) -> None:
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
        self.references: DataLoader[int, list[tuple[Reference, Industry | None]]] = _by_partner(
            session, readers.references_of
        )
