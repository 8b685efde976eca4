"""Closed vocabularies shared by the models, the validation and the demo data."""

from __future__ import annotations

from enum import StrEnum


# The closed lists clients see as GraphQL enums: a member's name is the string stored and
# sent, so the enums serialise to the strings clients always received.
class PartnerType(StrEnum):
    implementation = "implementation"
    reseller = "reseller"
    managed_services = "managed_services"
    support = "support"


class Capability(StrEnum):
    """What a partner says it does: searchable, and a hard filter in matching."""

    strategy = "strategy"
    implementation = "implementation"
    integration = "integration"
    data_migration = "data_migration"
    custom_development = "custom_development"
    analytics = "analytics"
    training = "training"
    change_management = "change_management"
    managed_support = "managed_support"
    security = "security"


class SelectionReason(StrEnum):
    """docs/design.md's eleven reasons a customer chose its partner, in its order."""

    vendor_recommended = "vendor_recommended"
    lowest_price = "lowest_price"
    closest_office = "closest_office"
    prior_relationship = "prior_relationship"
    peer_referral = "peer_referral"
    industry_expertise = "industry_expertise"
    product_expertise = "product_expertise"
    rfp_evaluation = "rfp_evaluation"
    analyst_ranking = "analyst_ranking"
    directory_search = "directory_search"
    other = "other"


def _values(vocabulary: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in vocabulary)


PARTNER_TYPES = _values(PartnerType)
CAPABILITIES = _values(Capability)
SELECTION_REASONS = _values(SelectionReason)
EMPLOYEE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
CUSTOMER_SIZE_BANDS = ("1-99", "100-999", "1000-9999", "10000+")
ENGAGEMENT_STATUSES = ("proposed", "in_progress", "completed", "cancelled")
IN_PROGRESS_STATUS = "in_progress"  # an engagement that takes one of a partner's slots
# Who recorded an engagement: the other side of a vendor or a partner confirms it; an
# admin's, or an operator's import, is confirmed at once.
RECORDED_BY = ("vendor", "partner", "admin", "import")
BUDGET_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_50k", 0, 50_000),
    ("50k_250k", 50_000, 250_000),
    ("250k_1m", 250_000, 1_000_000),
    ("over_1m", 1_000_000, None),
)
ROLES = ("partner", "vendor", "admin")
# A vendor program's tiers, lowest first. Kept so a vendor can run its program in Vouch and
# see where tier and evidence disagree; no figure, ranking or match ever reads them.
PROGRAM_TIERS = ("registered", "silver", "gold", "platinum")

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
# The survey's questions as the columns of survey_responses (and the fields of the metrics'
# Answer, the service's answers and the GraphQL input, all made from these two lists).
RATING_COLUMNS = tuple(f"rating_{name}" for name in RATING_FIELDS)
QUESTION_COLUMNS = RATING_COLUMNS + OUTCOME_FIELDS


def budget_band(amount: int) -> str:
    for name, low, high in BUDGET_BANDS:
        if amount >= low and (high is None or amount < high):
            return name
    raise ValueError(f"budget {amount} is negative")


def sql_in(column: str, values: tuple[str, ...]) -> str:
    """A CHECK constraint body: the column holds one of the values."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"
