from __future__ import annotations

from datetime import date

import strawberry

from api.services.engagements import EngagementDraft


@strawberry.input(description="An engagement of a partner for a customer.")
class EngagementInput:
    partner_slug: str
    customer_name: str
    customer_domain: str = strawberry.field(description="the customer's email domain")
    industry: str = strawberry.field(description="an industry slug")
    status: str = strawberry.field(description="proposed, in_progress, completed or cancelled")
    vendor_slug: str | None = None
    products: list[str] | None = strawberry.field(default=None, description="product slugs")
    budget: int | None = None
    started_on: date | None = None
    ended_on: date | None = None
    selection_reason: str | None = strawberry.field(
        default=None, description="a SelectionReason: why the customer chose this partner"
    )
    customer_country: str | None = None
    customer_size: str | None = None

    def to_draft(self) -> EngagementDraft:
        return EngagementDraft(
            partner_slug=self.partner_slug,
            customer_name=self.customer_name,
            customer_domain=self.customer_domain,
            industry=self.industry,
            status=self.status,
            vendor_slug=self.vendor_slug,
            products=tuple(self.products or ()),
            budget=self.budget,
            started_on=self.started_on,
            ended_on=self.ended_on,
            selection_reason=self.selection_reason,
            customer_country=self.customer_country,
            customer_size=self.customer_size,
        )
