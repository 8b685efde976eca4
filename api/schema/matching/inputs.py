from __future__ import annotations

import strawberry

from api.matching import Need, Requirements
from api.matching.need import DEFAULT_WEIGHTS


def _weight(name: str) -> float | None:
    return strawberry.field(default=None, description=f"default {DEFAULT_WEIGHTS[name]:g}")


@strawberry.input(
    description="Weights of the factors, 0 to 100, on the scale of their defaults (which add "
    "up to 100): a factor left out keeps its default. Those the need informs are then "
    "scaled to add up to 1 (see the method page)."
)
class MatchWeights:
    customer_success: float | None = _weight("customer_success")
    industry_success: float | None = _weight("industry_success")
    product_success: float | None = _weight("product_success")
    industry_experience: float | None = _weight("industry_experience")
    product_experience: float | None = _weight("product_experience")
    go_live: float | None = _weight("go_live")
    repeat_customers: float | None = _weight("repeat_customers")
    recency: float | None = _weight("recency")
    capacity: float | None = _weight("capacity")
    proximity: float | None = _weight("proximity")
    budget_fit: float | None = _weight("budget_fit")

    def to_values(self) -> dict[str, float]:
        return {
            name: value for name in DEFAULT_WEIGHTS if (value := getattr(self, name)) is not None
        }


@strawberry.input(description="Hard filters: a partner that fails one is left out.")
class MatchRequirements:
    industry_experience: bool = strawberry.field(
        default=False, description="a verified engagement in the need's industry"
    )
    product_experience: bool = strawberry.field(
        default=False, description="a verified engagement with each of the need's products"
    )
    office_in_country: bool = strawberry.field(
        default=False, description="an office in the need's country"
    )
    max_distance_km: float | None = strawberry.field(
        default=None, description="an office within this distance of latitude/longitude"
    )
    min_responses: int = strawberry.field(default=0, description="published responses, overall")
    within_budget: bool = strawberry.field(
        default=False, description="the budget reaches the partner's minimum project budget"
    )


@strawberry.input(description="A customer's need. Every field is optional.")
class ProjectNeed:
    industry: str | None = strawberry.field(default=None, description="an industry slug")
    products: list[str] | None = strawberry.field(default=None, description="product slugs")
    country: str | None = strawberry.field(
        default=None, description='ISO 3166-1 alpha-2 code, e.g. "US"'
    )
    latitude: float | None = None
    longitude: float | None = None
    budget: int | None = None
    capabilities: list[str] | None = strawberry.field(
        default=None, description="Capability values: the partner has every one (a hard filter)"
    )
    languages: list[str] | None = strawberry.field(
        default=None, description="ISO 639-1 codes: the partner speaks one (a hard filter)"
    )
    partner_types: list[str] | None = strawberry.field(
        default=None, description="PartnerType values: the partner is one of these (a hard filter)"
    )
    require: MatchRequirements | None = None
    weights: MatchWeights | None = None
    delivered_products_first: bool = strawberry.field(
        default=True,
        description="partners that delivered more of the need's products (a completed "
        "engagement both sides agreed) come first, then by score; false: by score alone",
    )

    def to_need(self) -> Need:
        require = self.require or MatchRequirements()
        return Need(
            industry=self.industry,
            products=tuple(self.products or ()),
            country=self.country,
            latitude=self.latitude,
            longitude=self.longitude,
            budget=self.budget,
            capabilities=tuple(self.capabilities or ()),
            languages=tuple(self.languages or ()),
            partner_types=tuple(self.partner_types or ()),
            require=Requirements(
                industry_experience=require.industry_experience,
                product_experience=require.product_experience,
                office_in_country=require.office_in_country,
                max_distance_km=require.max_distance_km,
                min_responses=require.min_responses,
                within_budget=require.within_budget,
            ),
            weights=self.weights.to_values() if self.weights else {},
            delivered_first=self.delivered_products_first,
        )
