"""A candidate's exact score and its factors, each explained in words.

Pure: it reads the facts the readers found (published figures only) and nothing about a
partner's standing with a vendor, which no reader here fetches.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from api import metrics
from api.matching import formulas
from api.matching.need import FACTORS, Need
from api.metrics.withholding import withheld_segments
from api.readers.matching import Candidate, Reference


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


@dataclass(frozen=True)
class Facts:
    """What the exact score needs beyond the ranking query's row."""

    market_nps: float
    industry_counts: Mapping[str, int]  # published answers per industry segment
    budget_history: tuple[int, int]  # (fitting, completed) engagements
    nearest_office: str | None = None  # "Berlin, DE", for the explanation only


@dataclass(frozen=True)
class Values:
    """Each factor's value, and what was used to get it."""

    values: Mapping[str, float]
    overall: float  # the partner's shrunk NPS (its ranking score)
    industry_shown: bool
    industry: float  # the shrunk industry NPS, or `overall` when not shown


def values_of(candidate: Candidate, need: Need, reference: Reference, facts: Facts) -> Values:
    pick = formulas.python_pick
    overall = formulas.shrunk_success(
        candidate.n, candidate.promoters, candidate.detractors, facts.market_nps, pick
    )
    shown = industry_shown(candidate, reference, facts)
    industry = overall
    if shown:
        industry = formulas.shrunk_success(
            candidate.industry_n,
            candidate.industry_promoters,
            candidate.industry_detractors,
            overall,
            pick,
        )
    products = [formulas.experience(float(c)) for c in candidate.product_covered]
    values = {
        "customer_success": formulas.nps_to_unit(overall),
        "industry_success": formulas.nps_to_unit(industry),
        "industry_experience": formulas.experience(float(candidate.industry_covered)),
        "product_experience": math.fsum(products) / len(products) if products else 0.0,
        "proximity": _proximity(candidate, need),
        "budget_fit": _budget(candidate, need, facts),
    }
    return Values(values=values, overall=overall, industry_shown=shown, industry=industry)


def industry_shown(candidate: Candidate, reference: Reference, facts: Facts) -> bool:
    """Whether the public sees the need's industry figures of this partner: k answers and
    the subtraction rule (api.metrics.withholding), as on the partner's page."""
    if reference.industry is None or metrics.is_withheld(candidate.industry_n):
        return False
    withheld = withheld_segments(dict(facts.industry_counts), candidate.n)
    return str(reference.industry.id) not in withheld


def _proximity(candidate: Candidate, need: Need) -> float:
    if need.has_point:
        if candidate.distance_km is None:
            return 0.0
        return float(formulas.proximity(candidate.distance_km))
    return 1.0 if candidate.in_country else 0.0


def _budget(candidate: Candidate, need: Need, facts: Facts) -> float:
    if need.budget is None or candidate.min_budget > need.budget:
        return 0.0
    fitting, completed = facts.budget_history
    return float(formulas.budget_fit(fitting, completed))


def score(values: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """The weighted sum of the values, kept in [0, 1] against rounding."""
    return min(1.0, max(0.0, math.fsum(weights[name] * values[name] for name in FACTORS)))


def explain(
    candidate: Candidate,
    need: Need,
    reference: Reference,
    facts: Facts,
    weights: Mapping[str, float],
) -> Match:
    found = values_of(candidate, need, reference, facts)
    words = _evidence(candidate, need, reference, facts, found)
    factors = tuple(
        Factor(name=name, weight=weights[name], value=found.values[name], evidence=words[name])
        for name in FACTORS
        if weights[name] > 0
    )
    return Match(
        partner_id=candidate.partner_id,
        slug=candidate.slug,
        score=score(found.values, weights),
        factors=factors,
    )


def _nps_words(n: int, promoters: int, detractors: int) -> str:
    low, high = metrics.nps_interval(promoters, detractors, n)
    value = metrics.nps(promoters, detractors, n)
    return f"NPS {value:.0f}, 95% interval {low:.0f} to {high:.0f}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _evidence(
    candidate: Candidate, need: Need, reference: Reference, facts: Facts, found: Values
) -> dict[str, str]:
    market = facts.market_nps
    responses = _plural(candidate.n, "published response")
    if metrics.is_withheld(candidate.n):
        overall = f"{responses}, under {metrics.K_ANONYMITY}: the market's NPS {market:.0f} counts"
    else:
        nps = _nps_words(candidate.n, candidate.promoters, candidate.detractors)
        overall = (
            f"{nps} from {responses}; shrunk toward the market's {market:.0f}: {found.overall:.0f}"
        )
    return {
        "customer_success": overall,
        "industry_success": _industry_words(candidate, reference, found),
        "industry_experience": _experience_words(candidate, reference),
        "product_experience": "; ".join(
            f"{_plural(covered, 'verified engagement')} with {product.name}"
            for covered, (product, _) in zip(
                candidate.product_covered, reference.products, strict=True
            )
        ),
        "proximity": _proximity_words(candidate, need, facts),
        "budget_fit": _budget_words(candidate, need, facts),
    }


def _experience_words(candidate: Candidate, reference: Reference) -> str:
    if reference.industry is None:
        return ""
    engagements = _plural(candidate.industry_covered, "verified engagement")
    return f"{engagements} in {reference.industry.name.lower()}"


def _industry_words(candidate: Candidate, reference: Reference, found: Values) -> str:
    if reference.industry is None:
        return ""
    lead = _experience_words(candidate, reference)
    if found.industry_shown:
        nps = _nps_words(
            candidate.industry_n, candidate.industry_promoters, candidate.industry_detractors
        )
        return (
            f"{lead}; {nps} ({_plural(candidate.industry_n, 'response')}); shrunk toward "
            f"the partner's overall {found.overall:.0f}: {found.industry:.0f}"
        )
    return (
        f"{lead}; its figures there are withheld (under {metrics.K_ANONYMITY} answers, or to "
        f"protect a smaller segment), so the partner's overall {found.overall:.0f} counts"
    )


def _proximity_words(candidate: Candidate, need: Need, facts: Facts) -> str:
    where = facts.nearest_office
    if need.has_point:
        if candidate.distance_km is None or where is None:
            return "no office on record"
        return f"nearest office {where}, {candidate.distance_km:,.0f} km away"
    if need.country is None:
        return ""
    if candidate.in_country:
        return f"an office in {need.country}" + (f" ({where})" if where else "")
    return f"no office in {need.country}"


def _budget_words(candidate: Candidate, need: Need, facts: Facts) -> str:
    if need.budget is None:
        return ""
    if candidate.min_budget > need.budget:
        return (
            f"the budget {need.budget:,} is below the partner's minimum project budget "
            f"of {candidate.min_budget:,}"
        )
    fitting, completed = facts.budget_history
    low, high = budget_range(need.budget)
    return (
        f"{fitting} of {_plural(completed, 'completed engagement')} had a budget between "
        f"{low:,.0f} and {high:,.0f}"
    )


def budget_range(budget: int) -> tuple[float, float]:
    return budget / formulas.BUDGET_SPAN, budget * formulas.BUDGET_SPAN


def best_first(matches: Sequence[Match]) -> list[Match]:
    """Highest score first; equal scores by slug."""
    return sorted(matches, key=lambda match: (-match.score, match.slug))
