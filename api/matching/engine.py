"""best_fit: the partners that fit a need best, each with its score explained.

The database ranks every partner that passes the hard filters by an upper bound of its
score (the same formulas, with the two facts it cannot settle in one query taken at their
best: whether the industry figures are published, and how past budgets fit). The
shortlist is scored exactly; it is enough when its `first`-th exact score beats every
bound left out, else a longer shortlist is read (rare: see BENCHMARKS.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import case, func
from sqlalchemy.orm import Session

from api.matching import formulas
from api.matching.need import FACTORS, Need, check, effective_weights
from api.matching.score import (
    Facts,
    Match,
    best_first,
    budget_range,
    explain,
    score,
    values_of,
)
from api.metrics import K_ANONYMITY
from api.readers import figures
from api.readers import matching as readers
from api.readers.partners import offices_of

SHORTLIST = 200
"""Partners scored exactly in the first round (at least 4 x first)."""
SETTLED_MARGIN = 1e-9
"""The database and Python may round the same formula differently in the last bits."""


def _sql_pick(condition: Any, then: Any, otherwise: Any) -> Any:
    return case((condition, then), else_=otherwise)


def sql_distance(lat: Any, lon: Any, to_lat: float, to_lon: float) -> Any:
    return formulas.haversine_km(
        lat,
        lon,
        to_lat,
        to_lon,
        sin=func.sin,
        cos=func.cos,
        asin=func.asin,
        sqrt=func.sqrt,
        radians=func.radians,
        pick=_sql_pick,
    )


def python_distance(lat: float, lon: float, to_lat: float, to_lon: float) -> float:
    distance: float = formulas.haversine_km(
        lat,
        lon,
        to_lat,
        to_lon,
        sin=math.sin,
        cos=math.cos,
        asin=math.asin,
        sqrt=math.sqrt,
        radians=math.radians,
        pick=formulas.python_pick,
    )
    return distance


def upper_bound(need: Need, weights: Mapping[str, float], market_nps: float) -> Any:
    """The score as an SQL expression, at its best where one query cannot settle it."""

    def build(c: readers.CandidateColumns) -> Any:
        pick = _sql_pick
        overall = formulas.shrunk_success(
            c.overall.n, c.overall.promoters, c.overall.detractors, market_nps, pick
        )
        segment = formulas.shrunk_success(
            c.industry.n, c.industry.promoters, c.industry.detractors, overall, pick
        )
        # Published or withheld by the subtraction rule: the better of the two.
        industry = pick((c.industry.n >= K_ANONYMITY) & (segment > overall), segment, overall)
        products = [formulas.experience(covered) for covered in c.product_covered]
        values: dict[str, Any] = {
            "customer_success": formulas.nps_to_unit(overall),
            "industry_success": formulas.nps_to_unit(industry),
            "industry_experience": formulas.experience(c.industry.covered),
            "product_experience": (sum(products[1:], products[0]) / len(products))
            if products
            else 0.0,
            "proximity": _proximity_sql(need, c),
            "budget_fit": pick(c.min_budget > (need.budget or 0), 0.0, 1.0),
        }
        terms = [weights[name] * values[name] for name in FACTORS if weights[name] > 0]
        return sum(terms[1:], terms[0])

    return build


def _proximity_sql(need: Need, c: readers.CandidateColumns) -> Any:
    if need.has_point:
        return func.coalesce(formulas.proximity(c.distance_km), 0.0)
    return c.in_country


def best_fit(*, session: Session, need: Need, first: int = 10) -> list[Match]:
    """The `first` best partners for `need`, best first (ties by slug); DomainError if the
    need is not valid. Reads published figures only."""
    check(need, first)
    reference = readers.resolve(session, need.industry, need.products)
    weights = effective_weights(need)
    market = figures.market_overall_nps(session)
    filters = readers.Filters(
        capabilities=tuple(need.capabilities),
        languages=tuple(need.languages),
        partner_types=tuple(need.partner_types),
        industry_experience=need.require.industry_experience,
        product_experience=need.require.product_experience,
        office_in_country=need.require.office_in_country,
        max_distance_km=need.require.max_distance_km,
        min_responses=need.require.min_responses,
        max_min_budget=need.budget if need.require.within_budget else None,
    )
    limit = max(SHORTLIST, 4 * first)
    while True:
        candidates = readers.ranked_candidates(
            session,
            reference=reference,
            point=need.point,
            country=need.country,
            filters=filters,
            distance=sql_distance,
            bound=upper_bound(need, weights, market),
            limit=limit,
        )
        facts = _facts(session, candidates, need, market)
        ranked = sorted(
            (
                (score(values_of(c, need, reference, facts[c.partner_id]).values, weights), c)
                for c in candidates
            ),
            key=lambda pair: (-pair[0], pair[1].slug),
        )
        if len(candidates) < limit or _settled(ranked, candidates[-1].upper_bound, first):
            break
        limit *= 4
    chosen = [candidate for _, candidate in ranked[:first]]
    places = _nearest(session, chosen, need)
    return best_first(
        [
            explain(
                c,
                need,
                reference,
                replace(facts[c.partner_id], nearest_office=places.get(c.partner_id)),
                weights,
            )
            for c in chosen
        ]
    )


def _settled(ranked: list[tuple[float, readers.Candidate]], left_out: float, first: int) -> bool:
    """Whether no partner left out of the shortlist could rank among the first."""
    return len(ranked) >= first and ranked[first - 1][0] > left_out + SETTLED_MARGIN


def _facts(
    session: Session, candidates: list[readers.Candidate], need: Need, market: float
) -> dict[int, Facts]:
    ids = [c.partner_id for c in candidates]
    counts = readers.industry_counts(session, ids) if need.industry and ids else {}
    budgets = (
        readers.budget_history(session, ids, *budget_range(need.budget))
        if need.budget is not None and ids
        else {}
    )
    return {
        pid: Facts(
            market_nps=market,
            industry_counts=counts.get(pid, {}),
            budget_history=budgets.get(pid, (0, 0)),
        )
        for pid in ids
    }


def _nearest(session: Session, chosen: list[readers.Candidate], need: Need) -> dict[int, str]:
    """The office each explanation names: the nearest one, or one in the need's country."""
    if not chosen or (not need.has_point and need.country is None):
        return {}
    offices = offices_of(session, [c.partner_id for c in chosen])
    places: dict[int, str] = {}
    for partner_id, rows in offices.items():
        if need.point is not None:
            lat, lon = need.point
            rows = sorted(rows, key=lambda o: python_distance(o.latitude, o.longitude, lat, lon))
        else:
            rows = [o for o in rows if o.country == need.country]
        if rows:
            places[partner_id] = f"{rows[0].city}, {rows[0].country}"
    return places
