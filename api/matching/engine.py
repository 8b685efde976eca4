"""best_fit: the partners that fit a need best, each with its score explained.

Every partner that passes the hard filters is considered. The factors that cost a
dictionary look-up are worked out for each; distance and past budgets, which cost more,
only for the partners that could still reach the first `first`, best bound first. A need
that puts delivered products first orders by (products delivered, score): the bound is
compared the same way.
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

TIER_STEP = 4.0
"""Above any score (at most 1) and its bound, with room for rounding."""
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
    return best_first([explain(facts, need, reference, snapshot, weights) for facts in chosen])


def top(
    snapshot: Snapshot,
    need: Need,
    reference: readers.Reference,
    weights: Mapping[str, float],
    first: int,
) -> list[PartnerFacts]:
    """The `first` best partners that pass the hard filters, by (products delivered, if the
    need puts them first), exact score, then slug.

    Partners are scored exactly in the order of their bound; once `first` exact scores
    beat the next bound, no partner left can reach them. The look-up factors come from
    the snapshot's columns, worked out by the same formulas as score.values_of. A factor
    missing from `weights` weighs 0.
    """
    columns = _columns(snapshot, reference)
    tiers = columns.tiers(len(snapshot.order)) if need.delivered_first else None
    # A score is at most 1: TIER_STEP x tier + bound orders by tier, then by bound.
    bounds = _bounds(snapshot, need, columns, weights)
    if tiers is not None:
        bounds = [TIER_STEP * t + b for t, b in zip(tiers, bounds, strict=True)]
    order = snapshot.order
    by_bound = sorted(_passing(snapshot, need, columns), key=bounds.__getitem__, reverse=True)
    weighted = [weights.get(name, 0.0) for name in FACTORS]
    limit = need.require.max_distance_km
    best: list[float] = []  # min-heap: the `first` best TIER_STEP x tier + exact score so far
    scored: list[tuple[int, float, str, PartnerFacts]] = []
    for index in by_bound:
        if len(best) == first and bounds[index] + BOUND_MARGIN < best[0]:
            break
        facts = order[index]
        place = nearest(facts, need)
        if limit is not None and (place is None or place[1] > limit):
            continue
        values = [*columns.values(index), proximity_value(place, need), budget_value(facts, need)]
        exact = min(1.0, max(0.0, math.fsum(w * v for w, v in zip(weighted, values, strict=True))))
        tier = tiers[index] if tiers is not None else 0
        scored.append((tier, exact, facts.raw.slug, facts))
        ranked = TIER_STEP * tier + exact
        if len(best) < first:
            heapq.heappush(best, ranked)
        elif ranked > best[0]:
            heapq.heapreplace(best, ranked)
    scored.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [facts for _, _, _, facts in scored[:first]]


@dataclass(frozen=True)
class Columns:
    """The need's look-up factors for every partner, in the snapshot's order."""

    success: Sequence[float]
    industry_success: Sequence[float]
    industry_experience: Sequence[float]
    products: tuple[Sequence[float], ...]
    product_success: tuple[Sequence[float], ...]
    go_live: Sequence[float]
    repeat_customers: Sequence[float]
    recency: Sequence[float]
    capacity: Sequence[float]

    def values(self, index: int) -> list[float]:
        """The factors read from columns, in FACTORS' order: all but the last two,
        proximity and budget_fit, which are worked out per partner."""
        products = [column[index] for column in self.products]
        success = [column[index] for column in self.product_success]
        return [
            self.success[index],
            self.industry_success[index],
            math.fsum(success) / len(success) if success else 0.0,
            self.industry_experience[index],
            math.fsum(products) / len(products) if products else 0.0,
            self.go_live[index],
            self.repeat_customers[index],
            self.recency[index],
            self.capacity[index],
        ]

    def tiers(self, size: int) -> list[int]:
        """How many of the need's products each partner delivered (experience above 0)."""
        tiers = [0] * size
        for column in self.products:
            tiers = [t + (value > 0) for t, value in zip(tiers, column, strict=True)]
        return tiers


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
        product_success=tuple(
            snapshot.product_success_column(product.id) for product, _ in reference.products
        ),
        go_live=snapshot.go_live,
        repeat_customers=snapshot.repeat_customers,
        recency=snapshot.recency,
        capacity=snapshot.capacity,
    )


def _bounds(
    snapshot: Snapshot, need: Need, columns: Columns, weights: Mapping[str, float]
) -> list[float]:
    """Each partner's score with proximity and past budgets at their best, in the
    snapshot's order."""
    weight = {name: weights.get(name, 0.0) for name in FACTORS}
    rest = weight["proximity"] + weight["budget_fit"]
    budget = need.budget
    w = weight["customer_success"]
    if budget is None:
        bounds = [w * value + rest for value in columns.success]
    else:
        below = weight["proximity"]
        bounds = [
            w * value + (rest if minimum <= budget else below)
            for value, minimum in zip(columns.success, snapshot.min_budgets, strict=True)
        ]
    wi, we = weight["industry_success"], weight["industry_experience"]
    if wi or we:
        bounds = [
            b + wi * s + we * e
            for b, s, e in zip(
                bounds, columns.industry_success, columns.industry_experience, strict=True
            )
        ]
    if columns.products:
        wp = weight["product_experience"] / len(columns.products)
        for column in columns.products:
            bounds = [b + wp * e for b, e in zip(bounds, column, strict=True)]
        ws = weight["product_success"] / len(columns.product_success)
        for column in columns.product_success:
            bounds = [b + ws * s for b, s in zip(bounds, column, strict=True)]
    standing = snapshot.standing(
        weight["go_live"], weight["repeat_customers"], weight["recency"], weight["capacity"]
    )
    return [b + s for b, s in zip(bounds, standing, strict=True)]


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
