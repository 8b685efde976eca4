"""The narrow interface between Vouch and a search engine.

Callers build requests and read pages; only `whoosh_engine` knows whoosh and only
`tantivy_engine` knows tantivy. Each implements `Engine` and `OpenIndex`; `engines` picks
one by name (the setting VOUCH_SEARCH_ENGINE).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from search_index.documents import PartnerDocument

Order = Literal["relevance", "ranking_score"]
FACET_FIELDS = ("industries", "products", "countries", "evidence_tiers", "partner_types")


@dataclass(frozen=True)
class Filters:
    """Within a facet any value matches; across facets all must."""

    industries: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    evidence_tiers: tuple[str, ...] = ()
    partner_types: tuple[str, ...] = ()

    def items(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(name, getattr(self, name)) for name in FACET_FIELDS if getattr(self, name)]


@dataclass(frozen=True)
class SearchRequest:
    text: str  # already cut to size (see query_text)
    filters: Filters = field(default_factory=Filters)
    offset: int = 0
    limit: int = 20
    order: Order = "relevance"
    market_nps: float = 0.0  # the ranking score's prior, published now

    def __post_init__(self) -> None:
        # Checked here, before the engine: a bad page from a caller must never look like
        # the engine's ValueError over a damaged file, which rebuilds the whole index.
        if self.offset < 0 or self.limit < 1:
            raise ValueError(f"a search page needs offset >= 0 and limit >= 1, not {self}")


@dataclass(frozen=True)
class Hit:
    partner_id: int
    slug: str
    score: float  # relevance blended with the ranking score (see methodology)
    snippet: str | None  # HTML: escaped text with <mark> around the matched words


@dataclass(frozen=True)
class SearchPage:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]  # field -> (value, count), most frequent first
    notes: list[str] = field(default_factory=list)


Progress = Callable[[int], None]


class DamagedIndex(Exception):
    """The folder holds no index this engine can read."""


class OpenIndex(Protocol):
    def update(self, documents: Sequence[PartnerDocument], removed: Sequence[int]) -> None: ...

    def search(self, request: SearchRequest) -> SearchPage: ...

    def document_count(self) -> int: ...

    def close(self) -> None: ...


class Engine(Protocol):
    name: str

    def create(
        self,
        folder: Path,
        documents: Iterable[PartnerDocument],
        progress: Progress,
    ) -> int: ...

    def open(self, folder: Path) -> OpenIndex: ...
