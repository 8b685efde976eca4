"""What matching reads: candidates ranked in SQL by a score's upper bound, then the few
facts that settle the exact score of the first ones. Every figure is a published copy.

The statements do not grow with the number of partners: one query ranks them all, and
the follow-ups read only the shortlist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, exists, func, literal, null, or_, select
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem
from api.models import Engagement, Industry, Office, Partner, Product, Vendor, published_tallies

PROMOTER_COLUMNS = ("lp_9", "lp_10")
DETRACTOR_COLUMNS = tuple(f"lp_{i}" for i in range(7))


@dataclass(frozen=True)
class Reference:
    """The need's industry and products, by id, with names for the explanations."""

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
class NpsColumns:
    n: Any
    promoters: Any
    detractors: Any
    covered: Any


@dataclass(frozen=True)
class CandidateColumns:
    """The raw facts of one candidate, as SQL expressions a score is built from."""

    overall: NpsColumns
    industry: NpsColumns
    product_covered: tuple[Any, ...]
    distance_km: Any  # NULL without a point in the need, or without offices
    in_country: Any  # 1 or 0; 0 without a country in the need
    min_budget: Any


@dataclass(frozen=True)
class Candidate:
    partner_id: int
    slug: str
    n: int
    promoters: int
    detractors: int
    industry_n: int
    industry_promoters: int
    industry_detractors: int
    industry_covered: int
    product_covered: tuple[int, ...]
    distance_km: float | None
    in_country: bool
    min_budget: int
    upper_bound: float


@dataclass(frozen=True)
class Filters:
    """SQL-side hard filters (see api.matching.need.Requirements)."""

    capabilities: Sequence[str] = ()
    languages: Sequence[str] = ()
    partner_types: Sequence[str] = ()
    industry_experience: bool = False
    product_experience: bool = False
    office_in_country: bool = False
    max_distance_km: float | None = None
    min_responses: int = 0
    max_min_budget: int | None = None


def _nps_columns(alias: Any) -> NpsColumns:
    def total(names: Sequence[str]) -> Any:
        return func.coalesce(sum((alias.c[name] for name in names[1:]), alias.c[names[0]]), 0)

    return NpsColumns(
        n=func.coalesce(alias.c.n, 0),
        promoters=total(PROMOTER_COLUMNS),
        detractors=total(DETRACTOR_COLUMNS),
        covered=func.coalesce(alias.c.engagements_covered, 0),
    )


def _lists(column: Any, values: Sequence[str]) -> list[ColumnElement[bool]]:
    """One condition per value: the JSON list holds it (values come from closed
    vocabularies or match ^[a-z]{2}$, so they hold no quote or LIKE wildcard)."""
    text = cast(column, String)
    return [text.like(f'%"{value}"%') for value in values]


def ranked_candidates(
    session: Session,
    *,
    reference: Reference,
    point: tuple[float, float] | None,
    country: str | None,
    filters: Filters,
    distance: Callable[[Any, Any, float, float], Any],
    bound: Callable[[CandidateColumns], Any],
    limit: int,
) -> list[Candidate]:
    """Partners passing the filters, best upper bound first (ties by slug), at most `limit`."""
    overall = published_tallies.alias("overall")
    segment = published_tallies.alias("segment")
    joins: Any = Partner.__table__.outerjoin(
        overall, and_(overall.c.partner_id == Partner.id, overall.c.kind == "all")
    )
    industry_id = str(reference.industry.id) if reference.industry else "-"
    joins = joins.outerjoin(
        segment,
        and_(
            segment.c.partner_id == Partner.id,
            segment.c.kind == "industry",
            segment.c.segment == industry_id,
        ),
    )
    product_covered = []
    for index, (product, _) in enumerate(reference.products):
        alias = published_tallies.alias(f"product_{index}")
        joins = joins.outerjoin(
            alias,
            and_(
                alias.c.partner_id == Partner.id,
                alias.c.kind == "product",
                alias.c.segment == str(product.id),
            ),
        )
        product_covered.append(func.coalesce(alias.c.engagements_covered, 0).label(f"p{index}"))
    overall_cols, segment_cols = _nps_columns(overall), _nps_columns(segment)
    distance_km: Any = null()
    if point is not None:
        distance_km = (
            select(func.min(distance(Office.latitude, Office.longitude, *point)))
            .where(Office.partner_id == Partner.id)
            .scalar_subquery()
        )
    in_country: Any = literal(0)
    if country is not None:
        in_country = func.coalesce(
            select(literal(1))
            .where(Office.partner_id == Partner.id, Office.country == country)
            .limit(1)
            .scalar_subquery(),
            0,
        )
    inner = (
        select(
            Partner.id.label("partner_id"),
            Partner.slug.label("slug"),
            overall_cols.n.label("n"),
            overall_cols.promoters.label("promoters"),
            overall_cols.detractors.label("detractors"),
            segment_cols.n.label("industry_n"),
            segment_cols.promoters.label("industry_promoters"),
            segment_cols.detractors.label("industry_detractors"),
            segment_cols.covered.label("industry_covered"),
            *product_covered,
            distance_km.label("distance_km"),
            in_country.label("in_country"),
            func.coalesce(Partner.min_project_budget, 0).label("min_budget"),
        )
        .select_from(joins)
        .where(*_conditions(filters, country, overall_cols, segment_cols, product_covered))
        .subquery("candidate")
    )
    c = inner.c
    columns = CandidateColumns(
        overall=NpsColumns(c.n, c.promoters, c.detractors, 0),
        industry=NpsColumns(
            c.industry_n, c.industry_promoters, c.industry_detractors, c.industry_covered
        ),
        product_covered=tuple(c[f"p{i}"] for i in range(len(product_covered))),
        distance_km=c.distance_km,
        in_country=c.in_country,
        min_budget=c.min_budget,
    )
    upper = bound(columns).label("upper_bound")
    query = select(inner, upper)
    if filters.max_distance_km is not None:
        query = query.where(c.distance_km <= filters.max_distance_km)
    rows = session.execute(query.order_by(upper.desc(), c.slug).limit(limit)).all()
    return [_candidate(row._mapping, len(product_covered)) for row in rows]


def _conditions(
    filters: Filters,
    country: str | None,
    overall: NpsColumns,
    segment: NpsColumns,
    product_covered: Sequence[Any],
) -> list[ColumnElement[bool]]:
    conditions = _lists(Partner.capabilities, filters.capabilities)
    if filters.languages:
        conditions.append(or_(*_lists(Partner.languages, filters.languages)))
    if filters.partner_types:
        conditions.append(or_(*_lists(Partner.partner_types, filters.partner_types)))
    if filters.industry_experience:
        conditions.append(segment.covered > 0)
    if filters.product_experience:
        conditions += [covered > 0 for covered in product_covered]
    if filters.office_in_country and country is not None:
        conditions.append(
            exists().where(Office.partner_id == Partner.id, Office.country == country)
        )
    if filters.min_responses:
        conditions.append(overall.n >= filters.min_responses)
    if filters.max_min_budget is not None:
        conditions.append(func.coalesce(Partner.min_project_budget, 0) <= filters.max_min_budget)
    return conditions


def _candidate(row: Any, products: int) -> Candidate:
    distance = row["distance_km"]
    return Candidate(
        partner_id=row["partner_id"],
        slug=row["slug"],
        n=int(row["n"]),
        promoters=int(row["promoters"]),
        detractors=int(row["detractors"]),
        industry_n=int(row["industry_n"]),
        industry_promoters=int(row["industry_promoters"]),
        industry_detractors=int(row["industry_detractors"]),
        industry_covered=int(row["industry_covered"]),
        product_covered=tuple(int(row[f"p{i}"]) for i in range(products)),
        distance_km=None if distance is None else float(distance),
        in_country=bool(row["in_country"]),
        min_budget=int(row["min_budget"]),
        upper_bound=float(row["upper_bound"]),
    )


def industry_counts(session: Session, partner_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Published answers per industry segment of each partner (the subtraction rule's input)."""
    t = published_tallies.c
    rows = session.execute(
        select(t.partner_id, t.segment, t.n).where(
            t.partner_id.in_(partner_ids), t.kind == "industry", t.n > 0
        )
    ).all()
    counts: dict[int, dict[str, int]] = {pid: {} for pid in partner_ids}
    for partner_id, segment, n in rows:
        counts[partner_id][segment] = n
    return counts


def budget_history(
    session: Session, partner_ids: Sequence[int], low: float, high: float
) -> dict[int, tuple[int, int]]:
    """(completed engagements whose budget lies in [low, high], completed engagements with a
    budget) of each partner."""
    fits = and_(Engagement.budget >= low, Engagement.budget <= high)
    rows = session.execute(
        select(
            Engagement.partner_id,
            func.count(Engagement.id).filter(fits),
            func.count(Engagement.id),
        )
        .where(
            Engagement.partner_id.in_(partner_ids),
            Engagement.status == "completed",
            Engagement.budget.is_not(None),
        )
        .group_by(Engagement.partner_id)
    ).all()
    return {pid: (int(fitting), int(total)) for pid, fitting, total in rows}
