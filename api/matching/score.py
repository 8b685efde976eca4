"""A partner's score for a need and its factors, each explained in words.

Pure: it reads the facts the index holds (published figures the public sees, and
engagements both sides agreed) and nothing about a partner's standing with a vendor,
which no reader here fetches.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api import metrics
from api.matching import formulas
from api.matching.index import PartnerFacts, Snapshot, months_between
from api.matching.need import FACTORS, Need
from api.readers.matching import OfficePlace, Reference


@dataclass(frozen=True)
class Factor:
    name: str
    weight: float
    value: float
    evidence: str


@dataclass(frozen=True)
class Match:
    partner_id: int
    slug: str
    score: float
    factors: tuple[Factor, ...]
    delivered: int = 0  # of the need's products, when the need puts them first (else 0)


def distance_km(office: OfficePlace, point: tuple[float, float]) -> float:
    distance: float = formulas.haversine_km(
        office.latitude,
        office.longitude,
        point[0],
        point[1],
        sin=math.sin,
        cos=math.cos,
        asin=math.asin,
        sqrt=math.sqrt,
        radians=math.radians,
        pick=metrics.python_pick,
    )
    return distance


def nearest(facts: PartnerFacts, need: Need) -> tuple[OfficePlace, float] | None:
    """The office the proximity factor measures: the nearest one to the need's point, or
    one in the need's country (distance 0); None without such an office."""
    offices = facts.raw.offices
    if need.point is not None:
        point = need.point
        measured = [(distance_km(office, point), office) for office in offices]
        if not measured:
            return None
        distance, office = min(measured, key=lambda pair: pair[0])
        return office, distance
    for office in offices:
        if office.country == need.country:
            return office, 0.0
    return None


def budget_range(budget: int) -> tuple[float, float]:
    return budget / formulas.BUDGET_SPAN, budget * formulas.BUDGET_SPAN


def fitting_budgets(facts: PartnerFacts, budget: int) -> int:
    low, high = budget_range(budget)
    budgets = facts.raw.delivery.budgets  # sorted
    return bisect.bisect_right(budgets, high) - bisect.bisect_left(budgets, low)


def industry_value(facts: PartnerFacts, reference: Reference, market: float) -> float:
    """The shrunk NPS in the need's industry if the public sees it, else the overall one."""
    return facts.industry_nps(reference.industry.id if reference.industry else None, market)


def delivered(facts: PartnerFacts, reference: Reference) -> int:
    """How many of the need's products the partner delivered (an agreed, completed
    engagement with it)."""
    products = facts.raw.delivery.products
    return sum(1 for product, _ in reference.products if products.get(product.id, 0) > 0)


def rank_tier(facts: PartnerFacts, need: Need, reference: Reference) -> int:
    """What orders partners before their score: the products delivered, if the need says so."""
    return delivered(facts, reference) if need.delivered_first else 0


def partial_values(
    facts: PartnerFacts, reference: Reference, snapshot: Snapshot
) -> dict[str, float]:
    """The factors that need no distance and no budget arithmetic."""
    delivery = facts.raw.delivery
    market = snapshot.market_nps
    industry = reference.industry
    in_industry = delivery.industries.get(industry.id, 0) if industry else 0
    products = [
        formulas.experience(float(delivery.products.get(product.id, 0)))
        for product, _ in reference.products
    ]
    success = [
        formulas.nps_to_unit(facts.product_nps(product.id, market))
        for product, _ in reference.products
    ]
    return {
        "customer_success": formulas.nps_to_unit(facts.overall(market)),
        "industry_success": formulas.nps_to_unit(industry_value(facts, reference, market)),
        "product_success": math.fsum(success) / len(success) if success else 0.0,
        "industry_experience": formulas.experience(float(in_industry)),
        "product_experience": math.fsum(products) / len(products) if products else 0.0,
        "go_live": facts.go_live(),
        "repeat_customers": facts.repeat_customers(),
        "recency": facts.recency(snapshot.newest),
        "capacity": facts.capacity(),
    }


def values_of(
    facts: PartnerFacts, need: Need, reference: Reference, snapshot: Snapshot
) -> dict[str, float]:
    values = partial_values(facts, reference, snapshot)
    values["proximity"] = proximity_value(nearest(facts, need), need)
    values["budget_fit"] = budget_value(facts, need)
    return values


def proximity_value(place: tuple[OfficePlace, float] | None, need: Need) -> float:
    """From the office `nearest` found: by distance to a point, or 1 in the country."""
    if need.point is not None:
        return 0.0 if place is None else float(formulas.proximity(place[1]))
    return 1.0 if place is not None else 0.0


def budget_value(facts: PartnerFacts, need: Need) -> float:
    if need.budget is None or facts.raw.min_budget > need.budget:
        return 0.0
    value: float = formulas.budget_fit(
        fitting_budgets(facts, need.budget), len(facts.raw.delivery.budgets)
    )
    return value


def score(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted sum of the values, kept in [0, 1] against rounding (a factor missing
    from `weights` weighs 0)."""
    return min(1.0, max(0.0, math.fsum(weights.get(name, 0.0) * values[name] for name in FACTORS)))


def explain(
    facts: PartnerFacts,
    need: Need,
    reference: Reference,
    snapshot: Snapshot,
    weights: Mapping[str, float],
) -> Match:
    values = values_of(facts, need, reference, snapshot)
    words = _evidence(facts, need, reference, snapshot)
    factors = tuple(
        Factor(name=name, weight=weights[name], value=values[name], evidence=words[name])
        for name in FACTORS
        if weights.get(name, 0.0) > 0
    )
    return Match(
        partner_id=facts.raw.partner_id,
        slug=facts.raw.slug,
        score=score(values, weights),
        factors=factors,
        delivered=rank_tier(facts, need, reference),
    )


def best_first(matches: Sequence[Match]) -> list[Match]:
    """Most of the need's products delivered first (when the need says so), then the highest
    score; equal ones by slug."""
    return sorted(matches, key=lambda match: (-match.delivered, -match.score, match.slug))


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _nps_words(n: int, promoters: int, detractors: int) -> str:
    low, high = metrics.nps_interval(promoters, detractors, n)
    value = metrics.nps(promoters, detractors, n)
    return f"NPS {value:.0f}, 95% interval {low:.0f} to {high:.0f}"


def _evidence(
    facts: PartnerFacts, need: Need, reference: Reference, snapshot: Snapshot
) -> dict[str, str]:
    market = snapshot.market_nps
    o = facts.raw.overall
    responses = _plural(o.n, "published response")
    if metrics.is_withheld(o.n):
        overall = f"{responses}, under {metrics.K_ANONYMITY}: the market's NPS {market:.0f} counts"
    else:
        overall = (
            f"{_nps_words(o.n, o.promoters, o.detractors)} from {responses}; shrunk toward "
            f"the market's {market:.0f}: {facts.overall(market):.0f}"
        )
    return {
        "customer_success": overall,
        "industry_success": _industry_words(facts, reference, market),
        "product_success": _product_success_words(facts, reference, market),
        "industry_experience": _experience_words(facts, reference),
        "product_experience": _product_words(facts, need, reference),
        "go_live": _go_live_words(facts),
        "repeat_customers": _repeat_words(facts),
        "recency": _recency_words(facts, snapshot),
        "capacity": capacity_words(facts.raw.capacity, facts.raw.delivery.in_progress),
        "proximity": _proximity_words(facts, need),
        "budget_fit": _budget_words(facts, need),
    }


def _experience_words(facts: PartnerFacts, reference: Reference) -> str:
    if reference.industry is None:
        return ""
    count = facts.raw.delivery.industries.get(reference.industry.id, 0)
    return f"{_plural(count, 'verified engagement')} in {reference.industry.name.lower()}"


def _product_words(facts: PartnerFacts, need: Need, reference: Reference) -> str:
    products = facts.raw.delivery.products
    words = "; ".join(
        f"{_plural(products.get(product.id, 0), 'verified engagement')} with {product.name}"
        for product, _ in reference.products
    )
    done = delivered(facts, reference)
    if need.delivered_first and done < len(reference.products):
        return f"{words}; listed after any partner that delivered more of these products"
    return words


def capacity_words(declared: int | None, in_progress: int) -> str:
    if declared is None:
        return (
            f"no delivery capacity declared ({_plural(in_progress, 'engagement')} in "
            "progress): neutral"
        )
    return f"{min(in_progress, declared)} of {_plural(declared, 'project slot')} in use" + (
        f" ({in_progress} engagements in progress)" if in_progress > declared else ""
    )


def _go_live_words(facts: PartnerFacts) -> str:
    d = facts.raw.delivery
    ended = d.completed + d.cancelled
    if not ended:
        return "no verified engagement has ended yet"
    return (
        f"{d.completed} of {_plural(ended, 'ended verified engagement')} went live "
        f"(completed, as both sides recorded it), {d.cancelled} cancelled"
    )


def _repeat_words(facts: PartnerFacts) -> str:
    d = facts.raw.delivery
    if not d.customers:
        return "no verified customer yet"
    return f"{d.returning} of {_plural(d.customers, 'customer')} came back for another engagement"


def _recency_words(facts: PartnerFacts, snapshot: Snapshot) -> str:
    latest, newest = facts.raw.delivery.latest, snapshot.newest
    if latest is None or newest is None:
        return "no dated verified engagement"
    months = months_between(latest, newest)
    return (
        f"latest verified engagement {latest:%Y-%m}, {_plural(months, 'month')} before the "
        f"newest on record ({newest:%Y-%m})"
    )


def _industry_words(facts: PartnerFacts, reference: Reference, market: float) -> str:
    if reference.industry is None:
        return ""
    lead = _experience_words(facts, reference)
    if reference.industry.id in facts.shown_industries:
        seg = facts.raw.industries[reference.industry.id]
        nps = _nps_words(seg.n, seg.promoters, seg.detractors)
        return (
            f"{lead}; {nps} ({_plural(seg.n, 'response')}); shrunk toward the partner's "
            f"overall {facts.overall(market):.0f}: {industry_value(facts, reference, market):.0f}"
        )
    return (
        f"{lead}; its figures there are withheld (under {metrics.K_ANONYMITY} answers, or to "
        f"protect a smaller segment), so the partner's overall {facts.overall(market):.0f} counts"
    )


def _product_success_words(facts: PartnerFacts, reference: Reference, market: float) -> str:
    overall = facts.overall(market)
    words = []
    for product, _ in reference.products:
        seg = facts.raw.products.get(product.id)
        if seg is None:
            words.append(
                f"{product.name}: no figures shown (under {metrics.K_ANONYMITY} answers, or "
                f"withheld to protect a smaller segment), so the partner's overall "
                f"{overall:.0f} counts"
            )
        else:
            nps = _nps_words(seg.n, seg.promoters, seg.detractors)
            words.append(
                f"{product.name}: {nps} ({_plural(seg.n, 'response')}); shrunk toward the "
                f"partner's overall {overall:.0f}: {facts.product_nps(product.id, market):.0f}"
            )
    return "; ".join(words)


def _proximity_words(facts: PartnerFacts, need: Need) -> str:
    place = nearest(facts, need)
    if need.point is not None:
        if place is None:
            return "no office on record"
        office, distance = place
        return f"nearest office {office.city}, {office.country}, {distance:,.0f} km away"
    if need.country is None:
        return ""
    if place is None:
        return f"no office in {need.country}"
    return f"an office in {need.country} ({place[0].city})"


def _budget_words(facts: PartnerFacts, need: Need) -> str:
    if need.budget is None:
        return ""
    if facts.raw.min_budget > need.budget:
        return (
            f"the budget {need.budget:,} is below the partner's minimum project budget "
            f"of {facts.raw.min_budget:,}"
        )
    low, high = budget_range(need.budget)
    fitting, counted = fitting_budgets(facts, need.budget), len(facts.raw.delivery.budgets)
    return (
        f"{fitting} of {_plural(counted, 'verified engagement')} had a budget between "
        f"{low:,.0f} and {high:,.0f}"
    )
