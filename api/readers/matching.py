"""What matching reads: each partner's published facts, in a few batched queries, and the
change log that says whose facts to read again.

Every figure is a published copy (api/services/publication.py); the budgets are those of
engagements the published figures count. Nothing here reads a vendor program membership.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem
from api.models import (
    Engagement,
    Industry,
    Office,
    Partner,
    Product,
    SurveyResponse,
    Vendor,
    change_log,
    published_tallies,
)

PROMOTER_COLUMNS = ("lp_9", "lp_10")
DETRACTOR_COLUMNS = tuple(f"lp_{i}" for i in range(7))


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
    """Published answers of one set: n, promoters, detractors, engagements covered."""

    n: int = 0
    promoters: int = 0
    detractors: int = 0
    covered: int = 0


@dataclass(frozen=True)
class OfficePlace:
    city: str
    country: str
    latitude: float
    longitude: float


@dataclass
class RawFacts:
    """One partner as matching sees it; filled by `partner_facts`."""

    partner_id: int
    slug: str
    capabilities: frozenset[str]
    languages: frozenset[str]
    partner_types: frozenset[str]
    min_budget: int
    overall: Nps = field(default_factory=Nps)
    industries: dict[int, Nps] = field(default_factory=dict)
    # The industry segments the public sees (published_tallies.shown, decided at publication)
    shown_industries: set[int] = field(default_factory=set)
    products: dict[int, int] = field(default_factory=dict)  # product id -> covered
    offices: list[OfficePlace] = field(default_factory=list)
    budgets: list[int] = field(default_factory=list)  # of the engagements figures count


def _nps_columns() -> list[Any]:
    t = published_tallies.c
    return [
        t.n,
        sum((t[name] for name in PROMOTER_COLUMNS[1:]), t[PROMOTER_COLUMNS[0]]),
        sum((t[name] for name in DETRACTOR_COLUMNS[1:]), t[DETRACTOR_COLUMNS[0]]),
        t.engagements_covered,
    ]


def partner_facts(session: Session, partner_ids: Sequence[int] | None) -> dict[int, RawFacts]:
    """The facts of these partners (None: of every partner), in five queries."""

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
        )
        for pid, slug, capabilities, languages, types, min_budget in session.execute(
            select(
                Partner.id,
                Partner.slug,
                Partner.capabilities,
                Partner.languages,
                Partner.partner_types,
                Partner.min_project_budget,
            ).where(*only(Partner.id))
        )
    }
    t = published_tallies.c
    for pid, kind, segment, shown, n, promoters, detractors, covered in session.execute(
        select(t.partner_id, t.kind, t.segment, t.shown, *_nps_columns()).where(
            *only(t.partner_id),
            t.kind.in_(("all", "industry", "product")),
            (t.n > 0) | (t.engagements_covered > 0),
        )
    ):
        found = facts.get(pid)
        if found is None:
            continue
        if kind == "all":
            found.overall = Nps(n, promoters, detractors, covered)
        elif kind == "industry":
            found.industries[int(segment)] = Nps(n, promoters, detractors, covered)
            if shown:
                found.shown_industries.add(int(segment))
        else:
            found.products[int(segment)] = covered
    for office in session.scalars(
        select(Office).where(*only(Office.partner_id)).order_by(Office.id)
    ):
        if office.partner_id in facts:
            facts[office.partner_id].offices.append(
                OfficePlace(office.city, office.country, office.latitude, office.longitude)
            )
    budgets = _published_budgets(only(Engagement.partner_id), only(SurveyResponse.partner_id))
    for pid, budget in session.execute(budgets):
        if pid in facts:
            facts[pid].budgets.append(budget)
    return facts


def _published_budgets(conditions: list[Any], answered: list[Any]) -> Any:
    """The budget of each engagement with a response the partner's published figures count."""
    t = published_tallies.c
    counted = (
        select(SurveyResponse.engagement_id)
        .join(
            published_tallies,
            and_(t.partner_id == SurveyResponse.partner_id, t.kind == "all"),
        )
        .where(
            *answered,
            SurveyResponse.voided.is_(False),
            SurveyResponse.partner_seq <= t.published_through,
        )
    )
    return (
        select(Engagement.partner_id, Engagement.budget)
        .where(*conditions, Engagement.budget.is_not(None), Engagement.id.in_(counted))
        .order_by(Engagement.partner_id, Engagement.budget)
    )


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
