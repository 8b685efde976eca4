"""Closed vocabularies shared by the models, the validation and the demo data."""

from __future__ import annotations

PARTNER_TYPES = ("implementation", "reseller", "managed_services", "support")
# What a partner says it does: searchable, and a hard filter in matching.
CAPABILITIES = (
    "strategy",
    "implementation",
    "integration",
    "data_migration",
    "custom_development",
    "analytics",
    "training",
    "change_management",
    "managed_support",
    "security",
)
EMPLOYEE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
CUSTOMER_SIZE_BANDS = ("1-99", "100-999", "1000-9999", "10000+")
ENGAGEMENT_STATUSES = ("proposed", "in_progress", "completed", "cancelled")
# Who recorded an engagement: the other side of a vendor or a partner confirms it; an
# admin's, or an operator's import, is confirmed at once.
RECORDED_BY = ("vendor", "partner", "admin", "import")
BUDGET_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_50k", 0, 50_000),
    ("50k_250k", 50_000, 250_000),
    ("250k_1m", 250_000, 1_000_000),
    ("over_1m", 1_000_000, None),
)
# docs/design.md's eleven selection reasons, in its order.
SELECTION_REASONS = (
    "vendor_recommended",
    "lowest_price",
    "closest_office",
    "prior_relationship",
    "peer_referral",
    "industry_expertise",
    "product_expertise",
    "rfp_evaluation",
    "analyst_ranking",
    "directory_search",
    "other",
)
ROLES = ("partner", "vendor", "admin")
# What a customer may name as a risk in a pulse check (api/services/pulses.py).
PULSE_RISKS = (
    "scope",
    "schedule",
    "budget",
    "staffing",
    "communication",
    "quality",
    "product",
)
RATING_FIELDS = ("overall", "quality", "schedule", "budget", "communication", "expertise")
OUTCOME_FIELDS = ("went_live", "on_time", "on_budget", "goals_met", "would_hire_again")


def budget_band(amount: int) -> str:
    for name, low, high in BUDGET_BANDS:
        if amount >= low and (high is None or amount < high):
            return name
    raise ValueError(f"budget {amount} is negative")


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint body: the column holds one of the values."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
