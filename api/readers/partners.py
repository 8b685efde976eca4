"""Listing and filtering partners, and fetching their parts in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from api.errors import DomainError, FieldProblem
from api.metrics import (
    ESTABLISHED_MIN_LOW,
    ESTABLISHED_MIN_N,
    PROVEN_MIN_LOW,
    PROVEN_MIN_N,
    adjusted_wald,
    detractors_of,
    enough_answers,
    nps_value,
    promoters_of,
    ranking_formula,
)
from api.models import (
    Certification,
    Customer,
    Engagement,
    Industry,
    Office,
    Partner,
    Product,
    Reference,
    ReviewReply,
    SurveyResponse,
    Vendor,
    likelihood_counts,
    partner_industries,
    partner_products,
    published_tallies,
    ranking_basis,
    sql_pick,
)
from api.readers.rows import (
    INDUSTRY_COLUMNS,
    OFFICE_COLUMNS,
    PARTNER_COLUMNS,
    IndustryRow,
    OfficeRow,
    PartnerRow,
    plain_rows,
)
from api.validation import Checker
from api.vocabulary import PARTNER_TYPES

T = TypeVar("T")


@dataclass(frozen=True)
class PartnerFilter:
    """Within a list any value matches; across lists all must match."""

    industries: Sequence[str] = field(default_factory=tuple)
    products: Sequence[str] = field(default_factory=tuple)
    countries: Sequence[str] = field(default_factory=tuple)
    evidence_tiers: Sequence[str] = field(default_factory=tuple)
    partner_types: Sequence[str] = field(default_factory=tuple)


def _ids_for_slugs(
    session: Session,
    model: type[Industry] | type[Product],
    slugs: Sequence[str],
    field_name: str,
) -> tuple[list[int], list[FieldProblem]]:
    if not slugs:
        return [], []
    found = dict(session.execute(select(model.slug, model.id).where(model.slug.in_(slugs))).all())
    missing = [slug for slug in slugs if slug not in found]
    problems = [
        FieldProblem(field_name, f"unknown {field_name[:-1].replace('ie', 'y')} slug {slug!r}")
        for slug in missing
    ]
    return list(found.values()), problems


def checked_filter(session: Session, wanted: PartnerFilter) -> tuple[list[int], list[int]]:
    """The ids of the filter's industries and products, or raise naming every unknown value."""
    industry_ids, problems = _ids_for_slugs(session, Industry, wanted.industries, "industries")
    product_ids, more = _ids_for_slugs(session, Product, wanted.products, "products")
    problems += more
    check = Checker()
    for code in wanted.countries:
        check.country("countries", code)
    for kind in wanted.partner_types:
        if kind not in PARTNER_TYPES:
            check.fail("partner_types", f"partner_types must be among {', '.join(PARTNER_TYPES)}")
    problems += check.problems
    if problems:
        raise DomainError(problems)
    return industry_ids, product_ids


def filter_conditions(session: Session, wanted: PartnerFilter) -> list[ColumnElement[bool]]:
    """Translate a filter into SQL conditions, or raise naming every unknown value."""
    industry_ids, product_ids = checked_filter(session, wanted)
    conditions: list[ColumnElement[bool]] = []
    if industry_ids:
        conditions.append(
            exists().where(
                and_(
                    partner_industries.c.partner_id == Partner.id,
                    partner_industries.c.industry_id.in_(industry_ids),
                )
            )
        )
    if product_ids:
        conditions.append(
            exists().where(
                and_(
                    partner_products.c.partner_id == Partner.id,
                    partner_products.c.product_id.in_(product_ids),
                )
            )
        )
    if wanted.evidence_tiers:
        conditions.append(evidence_tier_sql().in_(wanted.evidence_tiers))
    if wanted.partner_types:
        # A JSON list of checked words: its text holds '"reseller"' exactly when it lists it.
        listed = cast(Partner.partner_types, String)
        conditions.append(or_(*(listed.contains(f'"{kind}"') for kind in wanted.partner_types)))
    if wanted.countries:
        conditions.append(
            exists().where(
                and_(Office.partner_id == Partner.id, Office.country.in_(wanted.countries))
            )
        )
    return conditions


def _nps_parts_sql() -> tuple[Any, Any, Any]:
    """(n, promoters, detractors) of the outer-joined 'all' tally; 0 without a row."""
    tally = published_tallies.c
    counts = likelihood_counts(tally)
    n = func.coalesce(tally.n, 0)
    promoters = func.coalesce(promoters_of(counts), 0)
    detractors = func.coalesce(detractors_of(counts), 0)
    return n, promoters, detractors


def evidence_tier_sql() -> Any:
    """api.metrics.evidence_tier in SQL, over the partner's 'all' tally (outer-joined).

    The interval's clamp to -100 is left out: it never moves a bound across a threshold.
    """
    n, promoters, detractors = _nps_parts_sql()
    centre, half_width = adjusted_wald(promoters, detractors, n, func.sqrt)
    low = centre - half_width
    return case(
        (and_(n >= PROVEN_MIN_N, low >= PROVEN_MIN_LOW), "proven"),
        (and_(n >= ESTABLISHED_MIN_N, low >= ESTABLISHED_MIN_LOW), "established"),
        (enough_answers(n), "emerging"),
        else_="not_enough_evidence",
    )


KEY_ROUNDING = 1e-6
PARTNER_ORDERS = ("ranking_score", "nps", "response_count", "name")


def _order_by(order: str, market_nps: float) -> list[Any]:
    """The ORDER BY for each order; all descending but name, ties broken by name then id."""
    tie_break = [Partner.name, Partner.id]
    if order == "name":
        return tie_break
    n, promoters, detractors = _nps_parts_sql()
    if order == "response_count":
        return [n.desc(), *tie_break]
    if order == "nps":
        # NPS is withheld below the anonymity threshold: those partners come last.
        nps = sql_pick(enough_answers(n), nps_value(promoters, detractors, n), None)
        return [nps.is_(None), nps.desc(), *tie_break]
    ranking = ranking_formula(n, promoters, detractors, market_nps, sql_pick)
    return [ranking.desc(), *tie_break]


@dataclass(frozen=True, eq=False)
class Answer:
    """A page's partners each read as one JSON value, built by the database (PostgreSQL):
    the GraphQL answer of each node, whose selection `column` was built from
    (api/schema/sql_pages.py). Compared and hashed by identity: a page's statement is
    built once for each."""

    column: ColumnElement[Any]


@dataclass(frozen=True)
class PartnerPage:
    rows: list[PartnerRow]
    has_next: bool
    total: int | None  # None when not asked for
    # Read with the page when asked for (PostgreSQL: see _relation_columns); else None.
    offices: dict[int, list[OfficeRow]] | None = None
    industries: dict[int, list[IndustryRow]] | None = None
    # With an Answer: each partner's answer, in the page's order (and no rows).
    answers: list[Any] | None = None


RELATIONS = ("offices", "industries")
"""What a page can read in its own statement, on PostgreSQL."""


def page_of_partners(
    *,
    session: Session,
    wanted: PartnerFilter,
    offset: int,
    limit: int,
    order: str = "ranking_score",
    market_nps: float = 0.0,
    count: bool = True,
    relations: tuple[str, ...] = (),
    answer: Answer | None = None,
) -> PartnerPage:
    """One page in the given order, whether more follow, and (if `count`) how many match.

    Counting is the one part whose cost grows with the directory: it is left out unless
    asked for. A page reads one row past its end to tell whether another follows. Its
    partners are plain rows (api/readers/rows.py). On PostgreSQL the `relations` asked for
    (of RELATIONS) are read in the same statement, as offices_of and industries_of read
    them; elsewhere they are left to those. With an `answer` (PostgreSQL only), each
    partner is read as that one column instead: PartnerPage.answers.
    """
    if session.get_bind().dialect.name != "postgresql":
        relations = ()
        if answer is not None:
            raise ValueError("a page is read as answers on PostgreSQL only")
    if answer is not None:
        relations = ()
    filters = filter_conditions(session, wanted)
    by_tier = bool(wanted.evidence_tiers)
    total_sql = None
    if count:
        total_sql = _count_sql(filters, by_tier) if filters or by_tier else _count_every()
    total: int | None = None
    window: list[ColumnElement[bool]] = []
    if order == "ranking_score":
        condition, total = _ranking_window(
            session, filters, offset + limit + 1, market_nps, total_sql
        )
        window.append(condition)
        total_sql = None
    window_values = {"page_offset": offset, "page_limit": limit + 1}
    if filters or window:
        query = _windowed(_page_sql(order, market_nps, total_sql, by_tier, relations, answer))
        query = query.where(*filters, *window)
    else:
        query = _unfiltered_page(order, count, relations, answer)
    found: Sequence[Any] = plain_rows(session, query, window_values)
    shown = found[:limit]  # the row past the end only says that another page follows
    width = len(PARTNER_COLUMNS) if answer is None else 1
    if total_sql is not None:
        # An empty page (past the end) carries no count: then it is asked for on its own.
        total = found[0][width] if found else session.scalar(select(total_sql))
    if answer is not None:
        return PartnerPage(
            rows=[], has_next=len(found) > limit, total=total, answers=[row[0] for row in shown]
        )
    return PartnerPage(
        rows=[PartnerRow._make(row[:width]) for row in shown],
        has_next=len(found) > limit,
        total=total,
        offices=_related(shown, relations, "offices", OfficeRow._make),
        industries=_related(shown, relations, "industries", IndustryRow._make),
    )


def _related(
    found: Sequence[Any], relations: tuple[str, ...], name: str, make: Callable[[Any], T]
) -> dict[int, list[T]] | None:
    """A relation read with the page, by partner (None: not read with it). The relations
    are the page's last columns, a JSON array of rows each (_relation_columns)."""
    if name not in relations:
        return None
    at = relations.index(name) - len(relations)
    return {row[0]: [make(item) for item in row[at]] for row in found}


def _relation_columns(relations: tuple[str, ...]) -> list[Any]:
    """PostgreSQL: each relation a page asked for, as a JSON array of its rows per partner
    (related_json of json_build_array): one statement for the hot list shape (issue 25).
    Numbers come back exactly: PostgreSQL writes a float8 in JSON with the shortest exact
    digits."""
    row_of = {"offices": OFFICE_COLUMNS, "industries": INDUSTRY_COLUMNS}
    return [related_json(name, func.json_build_array(*row_of[name])) for name in relations]


def related_json(name: str, row: ColumnElement[Any]) -> Any:
    """PostgreSQL: the page's partner's offices or industries (`name`, of RELATIONS) as a
    JSON array of `row`, an expression over their table, in the order offices_of and
    industries_of read them (_OFFICES, _INDUSTRIES); '[]' for none."""
    if name == "offices":
        rows = aggregate_order_by(row, Office.is_headquarters.desc(), Office.city, Office.id)
        where = Office.partner_id == Partner.id
    elif name == "industries":
        rows = aggregate_order_by(row, Industry.name)
        where = and_(
            partner_industries.c.partner_id == Partner.id,
            Industry.id == partner_industries.c.industry_id,
        )
    else:
        raise ValueError(f"a page reads no relation {name!r}")
    aggregated = func.coalesce(func.json_agg(rows), literal_column("'[]'::json"))
    return select(aggregated).where(where).scalar_subquery()


def _with_tally() -> ColumnElement[bool]:
    return and_(published_tallies.c.partner_id == Partner.id, published_tallies.c.kind == "all")


def _count_sql(filters: Sequence[ColumnElement[bool]], by_tier: bool) -> Any:
    """How many partners match: it rides along with the first statement of the page."""
    counted = select(func.count(Partner.id))
    if by_tier:
        counted = counted.outerjoin(published_tallies, _with_tally())
    return counted.where(*filters).correlate(None).scalar_subquery()


@lru_cache(maxsize=1024)
def _unfiltered_page(
    order: str, count: bool, relations: tuple[str, ...] = (), answer: Answer | None = None
) -> Select[Any]:
    """A page of every partner in an order but the ranking: the hot list shape, built (and
    so compiled) once; its window is a parameter. The ranking's order and window depend on
    the market, so they are built for each request."""
    total = _count_every() if count else None
    return _windowed(_page_sql(order, 0.0, total, False, relations, answer))


@cache
def _count_every() -> Any:
    """_count_sql of every partner: built once, as the hot list counts them."""
    return _count_sql([], False)


def _windowed(query: Select[Any]) -> Select[Any]:
    return query.offset(bindparam("page_offset")).limit(bindparam("page_limit"))


def _page_sql(
    order: str,
    market_nps: float,
    total_sql: Any,
    by_tier: bool,
    relations: tuple[str, ...] = (),
    answer: Answer | None = None,
) -> Select[Any]:
    """The page's columns (its count, its relations), joins and order, before its
    conditions and window."""
    columns: list[Any] = [*PARTNER_COLUMNS] if answer is None else [answer.column]
    if total_sql is not None:
        columns.append(total_sql)
    query: Select[Any] = select(*columns, *_relation_columns(relations)).select_from(Partner)
    if order in ("ranking_score", "nps", "response_count") or by_tier:
        query = query.outerjoin(published_tallies, _with_tally())
    return query.order_by(*_order_by(order, market_nps))


def _ranking_window(
    session: Session,
    conditions: Sequence[ColumnElement[bool]],
    wanted: int,
    market_nps: float,
    total_sql: Any,
) -> tuple[ColumnElement[bool], int | None]:
    """The partners that can be among the first `wanted` by exact ranking score.

    Each stored key is within |m - m0| of the partner's exact lift over the market m
    (api/services/ranking_keys.py). The `wanted`-th largest key, x, belongs to one of
    `wanted` partners whose exact lifts are all at least x - |m - m0|; a partner whose key
    is below x - 2 |m - m0| has a lift below all of theirs, so it cannot be on the page.
    Both x and m0 are read first, through the index, in one statement; the page query
    then gets the bound as a literal, so that PostgreSQL plans for the few partners it
    keeps (a parameter would be planned as a third of the table). The same statement
    counts the partners that match, when `total_sql` says how.
    """
    bound = (
        select(Partner.ranking_key)
        .outerjoin(published_tallies, _with_tally())
        .where(*conditions)
        .order_by(Partner.ranking_key.desc())
        .offset(wanted - 1)
        .limit(1)
        .scalar_subquery()
    )
    basis = select(ranking_basis.c.market_nps).where(ranking_basis.c.id == 1).scalar_subquery()
    found = session.execute(
        select(bound, basis, literal(None) if total_sql is None else total_sql)
    ).one()
    total = found[2] if total_sql is not None else None
    if found[0] is None:  # fewer partners match than wanted: all of them are on the page
        return literal(True), total
    # Without a basis row (never rebuilt) the keys were worked out at a market of 0. A
    # little more than twice the drift, for the rounding of the stored keys.
    slack = 2.0 * abs(market_nps - (found[1] or 0.0)) + KEY_ROUNDING
    lowest: Any = bindparam("lowest_key", found[0] - slack, literal_execute=True)
    return Partner.ranking_key >= lowest, total


def partners_by_ids(session: Session, ids: Sequence[int]) -> list[Partner]:
    """The partners of `ids` in that order (those that no longer exist left out)."""
    found = {row.id: row for row in session.scalars(select(Partner).where(Partner.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def partner_by_slug(*, session: Session, slug: str) -> Partner | None:
    return session.scalar(select(Partner).where(Partner.slug == slug))


def _group(pairs: Sequence[tuple[int, T]]) -> dict[int, list[T]]:
    grouped: dict[int, list[T]] = defaultdict(list)
    for partner_id, item in pairs:
        grouped[partner_id].append(item)
    return grouped


_OFFICES = (
    select(*OFFICE_COLUMNS)
    .where(Office.partner_id.in_(bindparam("partner_ids", expanding=True)))
    .order_by(Office.is_headquarters.desc(), Office.city, Office.id)
)
_INDUSTRIES = (
    select(partner_industries.c.partner_id, *INDUSTRY_COLUMNS)
    .join(Industry, Industry.id == partner_industries.c.industry_id)
    .where(partner_industries.c.partner_id.in_(bindparam("partner_ids", expanding=True)))
    .order_by(Industry.name)
)


def offices_of(session: Session, partner_ids: Sequence[int]) -> dict[int, list[OfficeRow]]:
    rows = plain_rows(session, _OFFICES, {"partner_ids": list(partner_ids)})
    return _group([(row.partner_id, OfficeRow._make(row)) for row in rows])


def industries_of(session: Session, partner_ids: Sequence[int]) -> dict[int, list[IndustryRow]]:
    rows = plain_rows(session, _INDUSTRIES, {"partner_ids": list(partner_ids)})
    return _group([(row[0], IndustryRow._make(row[1:])) for row in rows])


def products_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[Product, Vendor]]]:
    rows = session.execute(
        select(partner_products.c.partner_id, Product, Vendor)
        .join(Product, Product.id == partner_products.c.product_id)
        .join(Vendor, Vendor.id == Product.vendor_id)
        .where(partner_products.c.partner_id.in_(partner_ids))
        .order_by(Vendor.name, Product.name)
    ).all()
    return _group([(pid, (product, vendor)) for pid, product, vendor in rows])


def certifications_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[Certification, Vendor | None]]]:
    rows = session.execute(
        select(Certification, Vendor)
        .outerjoin(Vendor, Vendor.id == Certification.vendor_id)
        .where(Certification.partner_id.in_(partner_ids))
        .order_by(Certification.name, Certification.id)
    ).all()
    return _group([(cert.partner_id, (cert, vendor)) for cert, vendor in rows])


def references_of(
    session: Session, partner_ids: Sequence[int]
) -> dict[int, list[tuple[Reference, Industry | None]]]:
    rows = session.execute(
        select(Reference, Industry)
        .outerjoin(Industry, Industry.id == Reference.industry_id)
        .where(Reference.partner_id.in_(partner_ids))
        .order_by(Reference.year.desc(), Reference.id)
    ).all()
    return _group([(ref.partner_id, (ref, industry)) for ref, industry in rows])


def reviews_of(
    session: Session, partner_ids: Sequence[int], *, per_partner: int = 50, live: bool = False
) -> dict[int, list[tuple[SurveyResponse, Customer, Industry, ReviewReply | None]]]:
    """The newest reviews (live responses with a comment) of each partner; unless `live`,
    only those its published figures count."""
    published = (
        []
        if live
        else [
            exists().where(
                published_tallies.c.partner_id == SurveyResponse.partner_id,
                published_tallies.c.kind == "all",
                SurveyResponse.partner_seq <= published_tallies.c.published_through,
            )
        ]
    )
    rank = (
        func.row_number()
        .over(
            partition_by=SurveyResponse.partner_id,
            order_by=(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(SurveyResponse.id, rank)
        .where(
            SurveyResponse.partner_id.in_(partner_ids),
            SurveyResponse.voided.is_(False),
            SurveyResponse.comment.is_not(None),
            *published,
        )
        .subquery()
    )
    rows = session.execute(
        select(SurveyResponse, Customer, Industry, ReviewReply)
        .join(ranked, ranked.c.id == SurveyResponse.id)
        .outerjoin(ReviewReply, ReviewReply.response_id == SurveyResponse.id)
        .join(Engagement, Engagement.id == SurveyResponse.engagement_id)
        .join(Customer, Customer.id == Engagement.customer_id)
        .join(Industry, Industry.id == Engagement.industry_id)
        .where(ranked.c.rank <= per_partner)
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
    ).all()
    return _group([(row[0].partner_id, (row[0], row[1], row[2], row[3])) for row in rows])
