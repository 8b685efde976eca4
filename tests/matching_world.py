"""Partners with verified answers written straight to the database, then published, for
the matching tests (the survey chain itself is tested through GraphQL elsewhere)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from api.models import (
    Customer,
    Engagement,
    SurveyInvitation,
    SurveyResponse,
    engagement_products,
)
from api.services import changes
from api.services.figures_rebuild import rebuild
from tests.factories import World

_numbers = itertools.count(1)
WHEN = datetime(2026, 6, 1, tzinfo=UTC)


def engagement(
    session: Session,
    world: World,
    partner_id: int,
    industry: str,
    *,
    product: str = "acme-crm",
    budget: int | None = 100_000,
    status: str = "completed",
    vendor: str | None = "acme",
    customer: Customer | None = None,
    ended_on: date = date(2025, 6, 1),
) -> Engagement:
    """A confirmed engagement, for a new customer unless one is given."""
    number = next(_numbers)
    if customer is None:
        customer = Customer(
            name=f"Customer {number}",
            email_domain=f"customer{number}.example",
            industry_id=world.industries[industry].id,
            country="DE",
        )
        session.add(customer)
        session.flush()
    row = Engagement(
        partner_id=partner_id,
        customer_id=customer.id,
        vendor_id=world.vendors[vendor].id if vendor else None,
        industry_id=customer.industry_id,
        budget=budget,
        started_on=date(2025, 1, 1),
        ended_on=ended_on if status in ("completed", "cancelled") else None,
        status=status,
        confirmed=True,  # written as an operator's record: it counts at once
        recorded_by="admin",
    )
    session.add(row)
    session.flush()
    session.execute(
        engagement_products.insert(),
        [{"engagement_id": row.id, "product_id": world.products[product].id}],
    )
    return row


def answers(
    session: Session,
    world: World,
    partner_id: int,
    industry: str,
    scores: list[int],
    **engagement_values: object,
) -> None:
    """One completed engagement per answer (so engagements covered = answers), answered."""
    for score in scores:
        row = engagement(session, world, partner_id, industry, **engagement_values)  # type: ignore[arg-type]
        invite(session, row, answered=score)


def invite(session: Session, row: Engagement, *, answered: int | None) -> None:
    number = next(_numbers)
    invitation = SurveyInvitation(
        engagement_id=row.id,
        email=f"person{number}@customer.example",
        token_hash=f"{number:064d}",
        created_at=WHEN,
        expires_at=WHEN + timedelta(days=30),
        used_at=WHEN if answered is not None else None,
    )
    session.add(invitation)
    session.flush()
    if answered is not None:
        session.add(
            SurveyResponse(
                invitation_id=invitation.id,
                engagement_id=row.id,
                partner_id=row.partner_id,
                submitted_at=WHEN,
                likelihood_partner=answered,
            )
        )
        session.flush()


def publish(session: Session) -> None:
    """Publish every figure, and say so in the change log, as `vouch figures rebuild` does."""
    rebuild(session=session, publish_all=True)
    changes.record(session, partner_id=None, reason="everything")
