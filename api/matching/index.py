"""The match index: every partner's published facts and agreed engagements in memory, kept
current from the change log, so a need is scored without reading 10,000 partners' rows
each time.

Like the search index it is derived data, one per process and database. Each call reads
the change log's newest rows (one query): a partner named there is read again; a row for
every partner (a load, a figures rebuild), or a log that no longer holds the row the index
last applied (a wiped or restored database), rebuilds the whole index. The newest WINDOW
ids are read every time, so a transaction that commits after a later one is still seen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api import metrics
from api.db import primary_engine
from api.matching import formulas
from api.readers import figures
from api.readers import matching as readers

WINDOW = 200
STANDING_KEPT = 8


@dataclass(frozen=True)
class PartnerFacts:
    raw: readers.RawFacts

    @property
    def shown_industries(self) -> set[int]:
        """The industry segments the public sees, as the reader found them
        (api.metrics.segment_shown): matching never decides again."""
        return self.raw.shown_industries

    def overall(self, market_nps: float) -> float:
        """The partner's ranking score (api.metrics.ranking_formula)."""
        o = self.raw.overall
        value: float = metrics.ranking_formula(o.n, o.promoters, o.detractors, market_nps)
        return value

    def industry_nps(self, industry_id: int | None, market_nps: float) -> float:
        """The industry's answers ranked toward the overall score if the public sees the
        segment, else the overall."""
        overall = self.overall(market_nps)
        if industry_id is None or industry_id not in self.shown_industries:
            return overall
        seg = self.raw.industries[industry_id]
        value: float = metrics.ranking_formula(seg.n, seg.promoters, seg.detractors, overall)
        return value

    def product_nps(self, product_id: int, market_nps: float) -> float:
        """The product's answers ranked toward the overall score if the public sees that
        segment, else the overall."""
        overall = self.overall(market_nps)
        seg = self.raw.products.get(product_id)
        if seg is None:
            return overall
        value: float = metrics.ranking_formula(seg.n, seg.promoters, seg.detractors, overall)
        return value

    def go_live(self) -> float:
        d = self.raw.delivery
        value: float = formulas.go_live(float(d.completed), float(d.cancelled))
        return value

    def repeat_customers(self) -> float:
        d = self.raw.delivery
        value: float = formulas.returning(float(d.returning), float(d.customers))
        return value

    def capacity(self) -> float:
        """Free declared project slots; neutral (1/2) when the partner declared none."""
        declared = self.raw.capacity
        if declared is None:
            return formulas.UNDECLARED_CAPACITY
        value: float = formulas.capacity(
            float(declared), float(self.raw.delivery.in_progress), metrics.python_pick
        )
        return value

    def recency(self, newest: date | None) -> float:
        """0 without a dated engagement; else by the months its latest is before `newest`."""
        latest = self.raw.delivery.latest
        if latest is None or newest is None:
            return 0.0
        value: float = formulas.recency(float(months_between(latest, newest)))
        return value


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from one date's month to the other's."""
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month)


def newest_date(partners: Iterable[PartnerFacts]) -> date | None:
    """The newest engagement date on record: recency is measured from it, not from the
    clock, so the same data always gives the same scores."""
    return max(
        (facts.raw.delivery.latest for facts in partners if facts.raw.delivery.latest),
        default=None,
    )


@dataclass(frozen=True)
class Snapshot:
    """Every partner's facts, and the columns a need's bound is worked out from: one list
    per measure, in `order`, so each need costs a few list comprehensions."""

    market_nps: float
    partners: Mapping[int, PartnerFacts]
    order: tuple[PartnerFacts, ...] = ()
    newest: date | None = None  # the newest engagement date on record
    success: tuple[float, ...] = ()  # customer success values, 0..1
    go_live: tuple[float, ...] = ()
    repeat_customers: tuple[float, ...] = ()
    recency: tuple[float, ...] = ()
    capacity: tuple[float, ...] = ()
    min_budgets: tuple[int, ...] = ()
    responses: tuple[int, ...] = ()  # published, overall
    # Filled at the first need that asks, per industry and per product.
    _industries: dict[int, tuple[list[float], list[float]]] = field(default_factory=dict)
    _products: dict[int, list[float]] = field(default_factory=dict)
    _product_success: dict[int, list[float]] = field(default_factory=dict)
    _standing: dict[tuple[float, float, float, float], list[float]] = field(default_factory=dict)
    _tags: dict[str, dict[str, frozenset[int]]] = field(default_factory=dict)

    @classmethod
    def of(cls, market_nps: float, partners: dict[int, PartnerFacts]) -> Snapshot:
        order = tuple(partners[pid] for pid in sorted(partners))
        newest = newest_date(order)
        return cls(
            market_nps=market_nps,
            partners=MappingProxyType(partners),
            order=order,
            newest=newest,
            success=tuple(formulas.nps_to_unit(facts.overall(market_nps)) for facts in order),
            go_live=tuple(facts.go_live() for facts in order),
            repeat_customers=tuple(facts.repeat_customers() for facts in order),
            recency=tuple(facts.recency(newest) for facts in order),
            capacity=tuple(facts.capacity() for facts in order),
            min_budgets=tuple(facts.raw.min_budget for facts in order),
            responses=tuple(facts.raw.overall.n for facts in order),
        )

    def tagged(self, kind: str, value: str) -> frozenset[int]:
        """Positions of the partners with `value` among their capabilities, languages,
        partner_types or (office) countries."""
        index = self._tags.get(kind)
        if index is None:
            found: dict[str, set[int]] = {}
            for position, facts in enumerate(self.order):
                for tag in _tags_of(facts.raw, kind):
                    found.setdefault(tag, set()).add(position)
            index = self._tags[kind] = {tag: frozenset(p) for tag, p in found.items()}
        return index.get(value, frozenset())

    def industry_columns(self, industry_id: int) -> tuple[list[float], list[float]]:
        """(industry success, industry experience) values, in `order`."""
        columns = self._industries.get(industry_id)
        if columns is None:
            success: list[float] = []
            experience: list[float] = []
            for facts in self.order:
                delivered = facts.raw.delivery.industries.get(industry_id, 0)
                success.append(
                    formulas.nps_to_unit(facts.industry_nps(industry_id, self.market_nps))
                )
                experience.append(formulas.experience(float(delivered)))
            columns = self._industries[industry_id] = (success, experience)
        return columns

    def product_column(self, product_id: int) -> list[float]:
        """Experience with the product, in `order`."""
        column = self._products.get(product_id)
        if column is None:
            column = self._products[product_id] = [
                formulas.experience(float(facts.raw.delivery.products.get(product_id, 0)))
                for facts in self.order
            ]
        return column

    def standing(
        self, go_live: float, repeat_customers: float, recency: float, capacity: float
    ) -> list[float]:
        """The weighted sum of the four factors no need changes, in `order`; kept for a
        few sets of weights (most needs use the defaults)."""
        key = (go_live, repeat_customers, recency, capacity)
        column = self._standing.get(key)
        if column is None:
            if len(self._standing) >= STANDING_KEPT:
                self._standing.clear()  # one step, safe beside another request's read
            column = self._standing[key] = [
                go_live * g + repeat_customers * r + recency * n + capacity * c
                for g, r, n, c in zip(
                    self.go_live, self.repeat_customers, self.recency, self.capacity, strict=True
                )
            ]
        return column

    def product_success_column(self, product_id: int) -> list[float]:
        """Success with the product (its shown segment, else the overall), in `order`."""
        column = self._product_success.get(product_id)
        if column is None:
            column = self._product_success[product_id] = [
                formulas.nps_to_unit(facts.product_nps(product_id, self.market_nps))
                for facts in self.order
            ]
        return column


def _tags_of(raw: readers.RawFacts, kind: str) -> frozenset[str]:
    if kind == "countries":
        return frozenset(office.country for office in raw.offices)
    tags: frozenset[str] = getattr(raw, kind)
    return tags


class MatchIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._facts: dict[int, PartnerFacts] = {}
        self._snapshot: Snapshot | None = None
        self._through = 0
        self._anchor: readers.Change | None = None
        self._seen: set[int] = set()
        self.rebuilds = 0  # how often it read every partner (for tests and benchmarks)

    def current(self, session: Session) -> Snapshot:
        with self._lock:
            changes = readers.recent_changes(session, max(0, self._through - WINDOW))
            new = [change for change in changes if change.id not in self._seen]
            if (
                self._snapshot is None
                or not self._anchored(changes)
                or any(change.partner_id is None for change in new)
            ):
                self._rebuild(session)
            elif new:
                self._refresh(session, {c.partner_id for c in new if c.partner_id is not None})
                self._remember(new)
            assert self._snapshot is not None
            return self._snapshot

    def _anchored(self, changes: list[readers.Change]) -> bool:
        """Whether the last row applied is still there: not so after a wipe or restore."""
        if self._anchor is None:
            return True
        return any(
            change.id == self._anchor.id and change.created_at == self._anchor.created_at
            for change in changes
        )

    def _remember(self, changes: list[readers.Change]) -> None:
        for change in changes:
            self._seen.add(change.id)
            if change.id >= self._through:
                self._through, self._anchor = change.id, change
        floor = self._through - WINDOW
        self._seen = {seen for seen in self._seen if seen > floor}

    def _rebuild(self, session: Session) -> None:
        top = readers.last_change(session)
        changes = readers.recent_changes(session, max(0, top - WINDOW))
        self._facts = {
            pid: PartnerFacts(raw) for pid, raw in readers.partner_facts(session, None).items()
        }
        self._through, self._anchor, self._seen = 0, None, set()
        self._remember(changes)
        self._publish(session)
        self.rebuilds += 1

    def _refresh(self, session: Session, partner_ids: set[int]) -> None:
        fresh = readers.partner_facts(session, sorted(partner_ids))
        facts = dict(self._facts)
        for partner_id in partner_ids:
            if partner_id in fresh:
                facts[partner_id] = PartnerFacts(fresh[partner_id])
            else:
                facts.pop(partner_id, None)
        self._facts = facts
        self._publish(session)

    def _publish(self, session: Session) -> None:
        """A new snapshot: the market moves with any publication, so every overall too."""
        market = figures.market_overall_nps(session)
        self._snapshot = Snapshot.of(market, self._facts)


_INDEXES: WeakKeyDictionary[Engine, MatchIndex] = WeakKeyDictionary()
_REGISTRY_LOCK = threading.Lock()


def index_for(session: Session) -> MatchIndex:
    """The index of the session's database, made at first use."""
    bind = session.get_bind()
    # A read_engine's sessions see the index of the engine it reads for: one database.
    engine = primary_engine(bind if isinstance(bind, Engine) else bind.engine)
    with _REGISTRY_LOCK:
        index = _INDEXES.get(engine)
        if index is None:
            index = _INDEXES[engine] = MatchIndex()
        return index
