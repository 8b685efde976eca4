"""The ORM: one metadata, every table imported here so alembic and tests see them all."""

from api.models.base import Base
from api.models.changes import CHANGE_REASONS, UNSEEN_REASONS, change_log
from api.models.engagement import (
    Customer,
    Engagement,
    SurveyInvitation,
    SurveyResponse,
    agreed,
    engagement_products,
)
from api.models.figures import (
    likelihood_counts,
    live_market,
    partner_tallies,
    published_market,
    published_tallies,
    sql_pick,
)
from api.models.partner import (
    Certification,
    Office,
    Partner,
    Reference,
    VendorProgramMembership,
    partner_industries,
    partner_products,
)
from api.models.program import PROGRAM_THEMES, ProgramFeedback
from api.models.public_state import public_parts, public_version, ranking_basis
from api.models.pulse import EngagementNote, PulseCheck, published_pulses
from api.models.reference import Industry, Product, Vendor
from api.models.reply import ReviewReply
from api.models.security import ApiKey, AuditEntry
from api.models.webhooks import DELIVERY_STATES, WEBHOOK_EVENTS, Webhook, WebhookDelivery

__all__ = [
    "CHANGE_REASONS",
    "DELIVERY_STATES",
    "PROGRAM_THEMES",
    "UNSEEN_REASONS",
    "WEBHOOK_EVENTS",
    "ApiKey",
    "AuditEntry",
    "Base",
    "Certification",
    "Customer",
    "Engagement",
    "EngagementNote",
    "Industry",
    "Office",
    "Partner",
    "Product",
    "ProgramFeedback",
    "PulseCheck",
    "Reference",
    "ReviewReply",
    "SurveyInvitation",
    "SurveyResponse",
    "Vendor",
    "VendorProgramMembership",
    "Webhook",
    "WebhookDelivery",
    "agreed",
    "change_log",
    "engagement_products",
    "likelihood_counts",
    "live_market",
    "partner_industries",
    "partner_products",
    "partner_tallies",
    "public_parts",
    "public_version",
    "published_market",
    "published_pulses",
    "published_tallies",
    "ranking_basis",
    "sql_pick",
]
