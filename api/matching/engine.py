"""best_fit: the partners that fit a need best, each with its score explained.

Every partner that passes the hard filters is considered. The four factors that cost a
dictionary look-up are worked out for each; distance and past budgets, which cost more,
only for the partners that could still reach the first `first`, best bound first.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.matching.index import PartnerFacts, Snapshot, index_for
from api.matching.need import FACTORS, Need, check, effective_weights
from api.matching.score import (
    Match,
    best_first,
    budget_value,
    explain,
    nearest,
    proximity_value,
)
from api.readers import matching as readers

BOUND_MARGIN = 1e-9
"""A bound is a plain sum, a score an exact one (math.fsum): they may differ in the last bit."""


def best_fit(*, session: Session, need: Need, first: int = 10) -> list[Match]:
    """The `first` best partners for `need`, best first (ties by slug); DomainError if the
    need is not valid. Reads published figures only."""
    check(need, first)
    reference = readers.resolve(session, need.industry, need.products)
    snapshot = index_for(session).current(session)
    weights = effective_weights(need)
    chosen = top(snapshot, need, reference, weights, first)
    return best_first(
        [explain(facts, need, reference, snapshot.market_nps, weights) for facts in chosen]
    )


def top(
    snapshot: Snapshot,
    need: Need,
    reference: readers.Reference,
    weights: Mapping[str, float],
    first: int,
) -> list[PartnerFacts]:
    """The `first` best partners that pass the hard filters, by exact score then slug.

    Partners are scored exactly in the order of their bound; once `first` exact scores
    beat the next bound, no partner left can reach them. The four look-up factors come
    from the snapshot's columns, worked out by the same formulas as score.values_of.
    """
    columns = _columns(snapshot, reference)
    bounds = _bounds(snapshot, need, columns, weights)
    order = snapshot.order
    by_bound = sorted(_passing(snapshot, need, columns), key=bounds.__getitem__, reverse=True)
    weighted = [weights[name] for name in FACTORS]
    limit = need.require.max_distance_km
    best: list[float] = []  # min-heap: the `first` best exact scores so far
    scored: list[tuple[float, str, PartnerFacts]] = []
    for index in by_bound:
        if len(best) == first and bounds[index] + BOUND_MARGIN < best[0]:
            break
        facts = order[index]
        place = nearest(facts, need)
        if limit is not None and (place is None or place[1] > limit):
            continue
        values = [*columns.values(index), proximity_value(place, need), budget_value(facts, need)]
        exact = min(1.0, max(0.0, math.fsum(w * v for w, v in zip(weighted, values, strict=True))))
        scored.append((exact, facts.raw.slug, facts))
        if len(best) < first:
            heapq.heappush(best, exact)
        elif exact > best[0]:
            heapq.heapreplace(best, exact)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [facts for _, _, facts in scored[:first]]


@dataclass(frozen=True)
class Columns:
    """The need's look-up factors for every partner, in the snapshot's order."""

    success: Sequence[float]
    industry_success: Sequence[float]
    industry_experience: Sequence[float]
    products: tuple[Sequence[float], ...]

    def values(self, index: int) -> list[float]:
        """customer_success, industry_success, industry_experience, product_experience."""
        products = [column[index] for column in self.products]
        return [
            self.success[index],
            self.industry_success[index],
            self.industry_experience[index],
            math.fsum(products) / len(products) if products else 0.0,
        ]


def _columns(snapshot: Snapshot, reference: readers.Reference) -> Columns:
    if reference.industry is None:
        # score.partial_values: the overall success stands in, and no experience
        industry: tuple[Sequence[float], Sequence[float]] = (
            snapshot.success,
            [0.0] * len(snapshot.order),
        )
    else:
        industry = snapshot.industry_columns(reference.industry.id)
    return Columns(
        success=snapshot.success,
        industry_success=industry[0],
        industry_experience=industry[1],
        products=tuple(snapshot.product_column(product.id) for product, _ in reference.products),
    )


def _bounds(
    snapshot: Snapshot, need: Need, columns: Columns, weights: Mapping[str, float]
) -> list[float]:
    """Each partner's score with proximity and past budgets at their best, in the
    snapshot's order."""
    rest = weights["proximity"] + weights["budget_fit"]
    budget = need.budget
    w = weights["customer_success"]
    if budget is None:
        bounds = [w * value + rest for value in columns.success]
    else:
        below = weights["proximity"]
        bounds = [
            w * value + (rest if minimum <= budget else below)
            for value, minimum in zip(columns.success, snapshot.min_budgets, strict=True)
        ]
    wi, we = weights["industry_success"], weights["industry_experience"]
    if wi or we:
        bounds = [
            b + wi * s + we * e
            for b, s, e in zip(
                bounds, columns.industry_success, columns.industry_experience, strict=True
            )
        ]
    if columns.products:
        wp = weights["product_experience"] / len(columns.products)
        for column in columns.products:
            bounds = [b + wp * e for b, e in zip(bounds, column, strict=True)]
    return bounds


def _passing(snapshot: Snapshot, need: Need, columns: Columns) -> list[int]:
    """Positions (in the snapshot's order) of the partners that pass every hard filter but
    the distance, which is checked with the exact score."""
    require = need.require
    kept: set[int] | None = None

    def only(positions: Iterable[int]) -> None:
        nonlocal kept
        kept = set(positions) if kept is None else kept.intersection(positions)

    for capability in need.capabilities:
        only(snapshot.tagged("capabilities", capability))
    if need.languages:
        only(set().union(*(snapshot.tagged("languages", code) for code in need.languages)))
    if need.partner_types:
        only(set().union(*(snapshot.tagged("partner_types", t) for t in need.partner_types)))
    if require.office_in_country and need.country is not None:
        only(snapshot.tagged("countries", need.country))
    if require.min_responses:
        only(i for i, n in enumerate(snapshot.responses) if n >= require.min_responses)
    if require.within_budget and need.budget is not None:
        only(i for i, least in enumerate(snapshot.min_budgets) if least <= need.budget)
    if require.industry_experience and need.industry is not None:
        only(i for i, value in enumerate(columns.industry_experience) if value > 0)
    if require.product_experience:
        for column in columns.products:
            only(i for i, value in enumerate(column) if value > 0)
    return list(range(len(snapshot.order))) if kept is None else sorted(kept)
