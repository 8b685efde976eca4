"""A customer's need as matching reads it, its weights, and the checks on both."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from api.errors import DomainError
from api.validation import MAX_BUDGET, Checker, check_range
from api.vocabulary import CAPABILITIES, PARTNER_TYPES

FACTORS: Final = (
    "customer_success",
    "industry_success",
    "product_success",
    "industry_experience",
    "product_experience",
    "go_live",
    "repeat_customers",
    "recency",
    "capacity",
    "proximity",
    "budget_fit",
)
DEFAULT_WEIGHTS: Final[Mapping[str, float]] = {
    "customer_success": 20.0,
    "industry_success": 10.0,
    "product_success": 10.0,
    "industry_experience": 5.0,
    "product_experience": 10.0,
    "go_live": 15.0,
    "repeat_customers": 10.0,
    "recency": 5.0,
    "capacity": 5.0,
    "proximity": 5.0,
    "budget_fit": 5.0,
}
"""On the scale a need gives its own weights (0 to 100; they add up to 100): a weight left
out keeps its default. Those of the factors a need informs are scaled to add up to 1."""
MAX_WEIGHT: Final = 100.0
MAX_PRODUCTS: Final = 10
MAX_LIST: Final = 20
MAX_FIRST: Final = 100
LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True)
class Requirements:
    """Hard filters: a partner that fails one is not considered at all."""

    industry_experience: bool = False  # a verified engagement in the need's industry
    product_experience: bool = False  # a verified engagement with each product of the need
    office_in_country: bool = False
    max_distance_km: float | None = None
    min_responses: int = 0  # published responses overall
    within_budget: bool = False  # the need's budget reaches the partner's minimum


@dataclass(frozen=True)
class Need:
    """What a customer needs. Slugs and codes are checked by `check`, ids found by readers."""

    industry: str | None = None
    products: Sequence[str] = ()
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    budget: int | None = None
    capabilities: Sequence[str] = ()  # the partner has every one
    languages: Sequence[str] = ()  # the partner speaks one of them
    partner_types: Sequence[str] = ()  # the partner is one of them
    require: Requirements = field(default_factory=Requirements)
    weights: Mapping[str, float] = field(default_factory=dict)  # factor name -> weight
    # Partners come in order of how many of the need's products they delivered, then by
    # score: one that never delivered a product never passes one that did.
    delivered_first: bool = True

    @property
    def point(self) -> tuple[float, float] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude

    @property
    def has_point(self) -> bool:
        return self.point is not None

    def informs(self, factor: str) -> bool:
        """Whether the need says anything the factor could measure."""
        if factor in ("industry_success", "industry_experience"):
            return self.industry is not None
        if factor in ("product_success", "product_experience"):
            return bool(self.products)
        if factor == "proximity":
            return self.has_point or self.country is not None
        if factor == "budget_fit":
            return self.budget is not None
        return True


def effective_weights(need: Need) -> dict[str, float]:
    """The weight of each factor the need informs, scaled to add up to 1 (others 0)."""
    raw = {name: need.weights.get(name, DEFAULT_WEIGHTS[name]) for name in FACTORS}
    used = {name: weight for name, weight in raw.items() if need.informs(name)}
    total = math.fsum(used.values())
    return {name: used.get(name, 0.0) / total for name in FACTORS}


def check(need: Need, first: int, field_prefix: str = "need") -> None:
    """Raise a DomainError naming every bad field (VALIDATION), or return."""
    check = Checker()
    at = f"{field_prefix}."
    if not 1 <= first <= MAX_FIRST:
        check.fail("first", f"first must be between 1 and {MAX_FIRST}, got {first}")
    if need.industry is not None:
        check.slug(f"{at}industry", need.industry, max_length=64)
    if len(need.products) > MAX_PRODUCTS:
        check.fail(f"{at}products", f"at most {MAX_PRODUCTS} products, got {len(need.products)}")
    for product in need.products:
        check.slug(f"{at}products", product, max_length=64)
    check.country(f"{at}country", need.country)
    if (need.latitude is None) != (need.longitude is None):
        check.fail(f"{at}latitude", "give latitude and longitude together, or neither")
    check_range(check, f"{at}latitude", need.latitude, -90, 90)
    check_range(check, f"{at}longitude", need.longitude, -180, 180)
    if need.budget is not None and not 0 < need.budget <= MAX_BUDGET:
        check.fail(f"{at}budget", f"budget must be between 1 and {MAX_BUDGET:,}, got {need.budget}")
    _vocabulary(check, f"{at}capabilities", need.capabilities, CAPABILITIES)
    _vocabulary(check, f"{at}partnerTypes", need.partner_types, PARTNER_TYPES)
    if len(need.languages) > MAX_LIST or any(not LANGUAGE.match(c) for c in need.languages):
        check.fail(f"{at}languages", "languages are ISO 639-1 codes such as 'en' (at most 20)")
    _requirements(check, need, f"{at}require.")
    _weights(check, need, f"{at}weights.")
    if check.problems:
        raise DomainError(check.problems)


def _vocabulary(check: Checker, name: str, values: Sequence[str], known: Sequence[str]) -> None:
    unknown = [value for value in values if value not in known]
    if unknown or len(values) > MAX_LIST:
        check.fail(name, f"{name.rsplit('.', 1)[-1]} must be among {', '.join(known)}")


def _requirements(check: Checker, need: Need, at: str) -> None:
    require = need.require
    if require.max_distance_km is not None:
        check_range(check, f"{at}maxDistanceKm", require.max_distance_km, 0, 20_100)
        if not need.has_point:
            check.fail(f"{at}maxDistanceKm", "maxDistanceKm needs latitude and longitude")
    if require.office_in_country and need.country is None:
        check.fail(f"{at}officeInCountry", "officeInCountry needs a country")
    if require.industry_experience and need.industry is None:
        check.fail(f"{at}industryExperience", "industryExperience needs an industry")
    if require.product_experience and not need.products:
        check.fail(f"{at}productExperience", "productExperience needs products")
    if require.within_budget and need.budget is None:
        check.fail(f"{at}withinBudget", "withinBudget needs a budget")
    if not 0 <= require.min_responses <= 1_000_000:
        check.fail(f"{at}minResponses", "minResponses must be between 0 and 1,000,000")


def _weights(check: Checker, need: Need, at: str) -> None:
    for name, weight in need.weights.items():
        label = at + _camel(name)
        if name not in DEFAULT_WEIGHTS:
            check.fail(label, f"unknown factor {name!r}")
        elif not math.isfinite(weight) or not 0 <= weight <= MAX_WEIGHT:
            check.fail(label, f"a weight must be between 0 and {MAX_WEIGHT:g}, got {weight!r}")
    if check.problems:
        return
    used = [need.weights.get(n, DEFAULT_WEIGHTS[n]) for n in FACTORS if need.informs(n)]
    if math.fsum(used) <= 0:
        check.fail(at.rstrip("."), "at least one factor the need informs must weigh more than 0")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
