"""best_fit: the partners that fit a need best, each with its score explained.

Every partner that passes the hard filters is considered. The four factors that cost a
dictionary look-up are worked out for each; distance and past budgets, which cost more,
only for the partners that could still reach the first `first`, best bound first.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping

from sqlalchemy.orm import Session

from api.matching.index import PartnerFacts, Snapshot, index_for
from api.matching.need import Need, check, effective_weights
from api.matching.score import (
    Match,
    best_first,
    explain,
    nearest,
    score,
    values_of,
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
    beat the next bound, no partner left can reach them.
    """
    bounds = _bounds(snapshot, need, reference, weights)
    order = snapshot.order
    candidates = _passing(snapshot, need, reference)
    by_bound = sorted(candidates, key=bounds.__getitem__, reverse=True)
    best: list[float] = []  # min-heap: the `first` best exact scores so far
    scored: list[tuple[float, str, PartnerFacts]] = []
    for index in by_bound:
        if len(best) == first and bounds[index] + BOUND_MARGIN < best[0]:
            break
        facts = order[index]
        if not _near_enough(facts, need):
            continue
        exact = score(values_of(facts, need, reference, snapshot.market_nps), weights)
        scored.append((exact, facts.raw.slug, facts))
        if len(best) < first:
            heapq.heappush(best, exact)
        elif exact > best[0]:
            heapq.heapreplace(best, exact)
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [facts for _, _, facts in scored[:first]]


def _bounds(
    snapshot: Snapshot, need: Need, reference: readers.Reference, weights: Mapping[str, float]
) -> list[float]:
    """Each partner's score with proximity and past budgets at their best (the others as
    score.partial_values has them), in the snapshot's order."""
    rest = weights["proximity"] + weights["budget_fit"]
    budget = need.budget
    w = weights["customer_success"]
    if budget is None:
        bounds = [w * value + rest for value in snapshot.success]
    else:
        below = weights["proximity"]
        bounds = [
            w * value + (rest if minimum <= budget else below)
            for value, minimum in zip(snapshot.success, snapshot.min_budgets, strict=True)
        ]
    if reference.industry is not None:
        success, experience = snapshot.industry_columns(reference.industry.id)
        wi, we = weights["industry_success"], weights["industry_experience"]
        bounds = [b + wi * s + we * e for b, s, e in zip(bounds, success, experience, strict=True)]
    if reference.products:
        wp = weights["product_experience"] / len(reference.products)
        for product, _ in reference.products:
            column = snapshot.product_column(product.id)
            bounds = [b + wp * e for b, e in zip(bounds, column, strict=True)]
    return bounds


def _near_enough(facts: PartnerFacts, need: Need) -> bool:
    limit = need.require.max_distance_km
    if limit is None:
        return True
    place = nearest(facts, need)
    return place is not None and place[1] <= limit


def _passing(snapshot: Snapshot, need: Need, reference: readers.Reference) -> list[int]:
    """Positions (in the snapshot's order) of the partners that pass every hard filter but
    the distance, which is checked with the exact score."""
    everyone = range(len(snapshot.order))
    if not _filters(need):
        return list(everyone)
    return [i for i in everyone if _passes(snapshot.order[i], need, reference)]


def _filters(need: Need) -> bool:
    require = need.require
    return bool(
        need.capabilities
        or need.languages
        or need.partner_types
        or require.min_responses
        or require.within_budget
        or require.industry_experience
        or require.product_experience
        or require.office_in_country
    )


def _passes(facts: PartnerFacts, need: Need, reference: readers.Reference) -> bool:
    raw, require = facts.raw, need.require
    if not raw.capabilities.issuperset(need.capabilities):
        return False
    if need.languages and raw.languages.isdisjoint(need.languages):
        return False
    if need.partner_types and raw.partner_types.isdisjoint(need.partner_types):
        return False
    if raw.overall.n < require.min_responses:
        return False
    if require.within_budget and need.budget is not None and raw.min_budget > need.budget:
        return False
    if require.industry_experience and reference.industry is not None:
        segment = raw.industries.get(reference.industry.id)
        if segment is None or segment.covered == 0:
            return False
    if require.product_experience and any(
        raw.products.get(product.id, 0) == 0 for product, _ in reference.products
    ):
        return False
    return not (require.office_in_country and all(o.country != need.country for o in raw.offices))
