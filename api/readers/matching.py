"""What matching reads: each partner's published facts, in a few batched queries, and the
change log that says whose facts to read again.

Two kinds of evidence, and nothing else:
- survey figures: published copies only (api/services/publication.py), and of segments
  only those the public sees (api.metrics.segment_shown);
- engagements both sides agreed happened (api.models.agreed): how many were delivered per
  industry and product, how many went live or were cancelled as their vendor recorded,
  customers who came back, dates, budgets. These are records, not survey answers: no
  answer, withheld or not, changes any of them.
Nothing here reads a vendor program membership.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem
from api.metrics import detractors_of, is_withheld, promoters_of, segment_shown
from api.models import (
    Engagement,
    Industry,
    Office,
    Partner,
    Product,
    Vendor,
    agreed,
    change_log,
    engagement_products,
    likelihood_counts,
    published_tallies,
)
from api.vocabulary import IN_PROGRESS_STATUS


@dataclass(frozen=True)
class Reference:
    """The need's industry and products, with names for the explanations."""

    industry: Industry | None
    products: tuple[tuple[Product, Vendor], ...]


def resolve(
    session: Session, industry: str | None, products: Sequence[str], field_prefix: str = "need"
) -> Reference:
    """The rows the slugs name, or a DomainError naming each unknown one."""
    problems: list[FieldProblem] = []
    found_industry = None
    if industry is not None:
        found_industry = session.scalar(select(Industry).where(Industry.slug == industry))
        if found_industry is None:
            problems.append(
                FieldProblem(f"{field_prefix}.industry", f"unknown industry slug {industry!r}")
            )
    found: dict[str, tuple[Product, Vendor]] = {}
    if products:
        rows = session.execute(
            select(Product, Vendor)
            .join(Vendor, Vendor.id == Product.vendor_id)
            .where(Product.slug.in_(products))
        ).all()
        found = {product.slug: (product, vendor) for product, vendor in rows}
    problems += [
        FieldProblem(f"{field_prefix}.products", f"unknown product slug {slug!r}")
        for slug in products
        if slug not in found
    ]
    if problems:
        raise DomainError(problems)
    ordered = tuple(found[slug] for slug in dict.fromkeys(products))
    return Reference(industry=found_industry, products=ordered)


@dataclass(frozen=True)
class Nps:
    """Published answers of one set: n, promoters, detractors."""

    n: int = 0
    promoters: int = 0
    detractors: int = 0


@dataclass(frozen=True)
class OfficePlace:
    city: str
    country: str
    latitude: float
    longitude: float


@dataclass
class Delivery:
    """A partner's engagements that both sides agreed happened (no survey answer here)."""

    industries: dict[int, int] = field(default_factory=dict)  # industry id -> completed
    products: dict[int, int] = field(default_factory=dict)  # product id -> completed
    completed: int = 0  # went live, as the vendor recorded it (status completed)
    cancelled: int = 0
    customers: int = 0  # distinct customer organisations
    returning: int = 0  # customers with two engagements or more
    latest: date | None = None  # the newest end (else start) date of an engagement
    in_progress: int = 0  # engagements in progress: the declared slots in use
    budgets: list[int] = field(default_factory=list)  # of the completed ones, sorted


@dataclass
class RawFacts:
    """One partner as matching sees it; filled by `partner_facts`."""

    partner_id: int
    slug: str
    capabilities: frozenset[str]
    languages: frozenset[str]
    partner_types: frozenset[str]
    min_budget: int
    capacity: int | None = None  # projects it says it can run at once; None: not declared
    overall: Nps = field(default_factory=Nps)
    # The industry segments the public sees (api.metrics.segment_shown over
    # published_tallies.shown, decided at publication), and nothing of the others: what is
    # not read cannot leak.
    industries: dict[int, Nps] = field(default_factory=dict)
    shown_industries: set[int] = field(default_factory=set)
    products: dict[int, Nps] = field(default_factory=dict)  # the shown product segments
    offices: list[OfficePlace] = field(default_factory=list)
    delivery: Delivery = field(default_factory=Delivery)


def _nps_columns() -> list[Any]:
    t = published_tallies.c
    counts = likelihood_counts(t)
    return [t.n, promoters_of(counts), detractors_of(counts)]


def partner_facts(session: Session, partner_ids: Sequence[int] | None) -> dict[int, RawFacts]:
    """The facts of these partners (None: of every partner), in seven queries."""

    def only(column: Any) -> list[Any]:
        return [] if partner_ids is None else [column.in_(partner_ids)]

    facts = {
        pid: RawFacts(
            partner_id=pid,
            slug=slug,
            capabilities=frozenset(capabilities or ()),
            languages=frozenset(languages or ()),
            partner_types=frozenset(types or ()),
            min_budget=min_budget or 0,
            capacity=capacity,
        )
        for pid, slug, capabilities, languages, types, min_budget, capacity in session.execute(
            select(
                Partner.id,
                Partner.slug,
                Partner.capabilities,
                Partner.languages,
                Partner.partner_types,
                Partner.min_project_budget,
                Partner.delivery_capacity,
            ).where(*only(Partner.id))
        )
    }
    t = published_tallies.c
    for pid, kind, segment, n, promoters, detractors in session.execute(
        select(t.partner_id, t.kind, t.segment, *_nps_columns()).where(
            *only(t.partner_id),
            (t.kind == "all") | (t.kind.in_(("industry", "product")) & segment_shown(t.shown, t.n)),
            t.n > 0,
        )
    ):
        found = facts.get(pid)
        if found is None:
            continue
        if kind == "all":
            # Under k the overall answers are withheld: only their number is read.
            withheld = is_withheld(n)
            found.overall = Nps(n, 0 if withheld else promoters, 0 if withheld else detractors)
        elif kind == "industry":
            found.industries[int(segment)] = Nps(n, promoters, detractors)
            found.shown_industries.add(int(segment))  # only shown segments are read
        else:
            found.products[int(segment)] = Nps(n, promoters, detractors)
    for office in session.scalars(
        select(Office).where(*only(Office.partner_id)).order_by(Office.id)
    ):
        if office.partner_id in facts:
            facts[office.partner_id].offices.append(
                OfficePlace(office.city, office.country, office.latitude, office.longitude)
            )
    _read_delivery(session, facts, only(Engagement.partner_id))
    return facts


COMPLETED = Engagement.status == "completed"


def _read_delivery(session: Session, facts: dict[int, RawFacts], only: list[Any]) -> None:
    """Fill each partner's Delivery from its agreed engagements, in four queries."""
    done = [*only, agreed(), COMPLETED]
    for pid, industry_id, count in session.execute(
        select(Engagement.partner_id, Engagement.industry_id, func.count())
        .where(*done)
        .group_by(Engagement.partner_id, Engagement.industry_id)
    ):
        if pid in facts:
            facts[pid].delivery.industries[industry_id] = int(count)
    for pid, product_id, count in session.execute(
        select(Engagement.partner_id, engagement_products.c.product_id, func.count())
        .join(engagement_products, engagement_products.c.engagement_id == Engagement.id)
        .where(*done)
        .group_by(Engagement.partner_id, engagement_products.c.product_id)
    ):
        if pid in facts:
            facts[pid].delivery.products[product_id] = int(count)
    per_customer = (
        select(
            Engagement.partner_id.label("pid"),
            func.count().label("engagements"),
            func.count(case((COMPLETED, 1))).label("completed"),
            func.count(case((Engagement.status == "cancelled", 1))).label("cancelled"),
            func.count(case((Engagement.status == IN_PROGRESS_STATUS, 1))).label("in_progress"),
            func.max(Engagement.ended_on).label("ended"),
            func.max(Engagement.started_on).label("started"),
        )
        .where(*only, agreed(), Engagement.status != "proposed")
        .group_by(Engagement.partner_id, Engagement.customer_id)
        .subquery()
    )
    c = per_customer.c
    for pid, customers, returning, completed, cancelled, busy, ended, started in session.execute(
        select(
            c.pid,
            func.count(),
            func.count(case((c.engagements >= 2, 1))),
            func.sum(c.completed),
            func.sum(c.cancelled),
            func.sum(c.in_progress),
            func.max(c.ended),
            func.max(c.started),
        ).group_by(c.pid)
    ):
        if pid in facts:
            delivery = facts[pid].delivery
            delivery.customers, delivery.returning = int(customers), int(returning)
            delivery.completed, delivery.cancelled = int(completed or 0), int(cancelled or 0)
            delivery.in_progress = int(busy or 0)
            delivery.latest = max((d for d in (_day(ended), _day(started)) if d), default=None)
    for pid, budget in session.execute(
        select(Engagement.partner_id, Engagement.budget)
        .where(*done, Engagement.budget.is_not(None))
        .order_by(Engagement.partner_id, Engagement.budget)
    ):
        if pid in facts and budget is not None:
            facts[pid].delivery.budgets.append(budget)


def _day(value: Any) -> date | None:
    """A date from an aggregate: SQLite hands back the stored text."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Change:
    id: int
    partner_id: int | None
    created_at: datetime


def recent_changes(session: Session, after: int) -> list[Change]:
    """Change log rows with an id above `after`, oldest first."""
    c = change_log.c
    rows = session.execute(
        select(c.id, c.partner_id, c.created_at).where(c.id > after).order_by(c.id)
    ).all()
    return [Change(id=row.id, partner_id=row.partner_id, created_at=row.created_at) for row in rows]


def last_change(session: Session) -> int:
    return int(session.scalar(select(func.max(change_log.c.id))) or 0)
