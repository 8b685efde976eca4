"""The bulk half of `vouch import engagements`: lookups and writes for a batch of rows.

What the rows' slugs and domains name is looked up with one query per kind for the batch
(partners, industries and products are kept for the batches after), and the batch's new
engagements are written with one INSERT per table: what `record_engagement` writes for
one engagement (a customer the first time its domain is seen, the engagement, its
products, an audit entry), for many at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from api.models import (
    AuditEntry,
    Base,
    Customer,
    Engagement,
    Industry,
    Partner,
    Product,
    Vendor,
    engagement_products,
)
from api.services import changes
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft
from api.vocabulary import IN_PROGRESS_STATUS

# The tables, not the ORM classes: an ORM bulk INSERT ... RETURNING runs row by row on
# SQLite (a 40,000-row dry run spent 44 s there); Core's sends each batch as one statement.
CUSTOMERS, ENGAGEMENTS, AUDIT_LOG = (
    Base.metadata.tables[model.__tablename__] for model in (Customer, Engagement, AuditEntry)
)

Key = tuple[int | None, str, int | None, date | None]
"""An engagement's natural key: partner, customer domain, industry, start date."""


class Lookups:
    """Slug -> id for partners and industries (None: there is none), slug -> (id, vendor id)
    for products; each slug asked of the database once per import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.partners: dict[str, int | None] = {}
        self.industries: dict[str, int | None] = {}
        self.products: dict[str, tuple[int, int]] = {}
        self._asked_products: set[str] = set()

    def load(self, drafts: Sequence[EngagementDraft]) -> None:
        partners = {d.partner_slug for d in drafts} - self.partners.keys()
        if partners:
            found = self.session.execute(
                select(Partner.slug, Partner.id).where(Partner.slug.in_(partners))
            )
            self.partners |= dict.fromkeys(partners) | dict(found.all())
        industries = {d.industry for d in drafts} - self.industries.keys()
        if industries:
            found = self.session.execute(
                select(Industry.slug, Industry.id).where(Industry.slug.in_(industries))
            )
            self.industries |= dict.fromkeys(industries) | dict(found.all())
        products = {slug for d in drafts for slug in d.products} - self._asked_products
        if products:
            rows = self.session.execute(
                select(Product.slug, Product.id, Product.vendor_id).where(
                    Product.slug.in_(products)
                )
            )
            self.products |= {slug: (pid, vid) for slug, pid, vid in rows}
            self._asked_products |= products

    def key(self, draft: EngagementDraft) -> Key:
        return (
            self.partners.get(draft.partner_slug),
            draft.customer_domain.lower(),
            self.industries.get(draft.industry),
            draft.started_on,
        )


def customer_ids(session: Session, domains: Iterable[str]) -> dict[str, int]:
    """Domain -> id of the customers there are among these domains."""
    known = session.execute(
        select(Customer.email_domain, Customer.id).where(Customer.email_domain.in_(set(domains)))
    )
    return dict(known.all())


def present_keys(
    session: Session, vendor: Vendor, customers: Mapping[str, int]
) -> tuple[set[Key], set[Key]]:
    """The keys of the vendor's confirmed engagements with these customers, and of its
    disputed ones, found by the customers' ids: a join on the domain had PostgreSQL scan
    all the vendor's engagements for each batch (17 s of a 40,000-row dry run)."""
    domains = {id_: domain for domain, id_ in customers.items()}
    rows = session.execute(
        select(
            Engagement.partner_id,
            Engagement.customer_id,
            Engagement.industry_id,
            Engagement.started_on,
            Engagement.confirmed,
        ).where(
            Engagement.customer_id.in_(domains),
            Engagement.vendor_id == vendor.id,
            or_(Engagement.confirmed.is_(True), Engagement.disputed_at.is_not(None)),
        )
    )
    confirmed: set[Key] = set()
    disputed: set[Key] = set()
    for partner, customer, industry, on, is_confirmed in rows:
        (confirmed if is_confirmed else disputed).add((partner, domains[customer], industry, on))
    return confirmed, disputed


@dataclass(frozen=True)
class NewEngagement:
    line: int
    draft: EngagementDraft
    partner_id: int
    industry_id: int


def write(
    session: Session,
    caller: Caller,
    vendor: Vendor,
    lookups: Lookups,
    new: list[NewEngagement],
    customers: dict[str, int],
) -> None:
    """Insert the engagements (checked, none already present) and all they bring along;
    `customers`: the ids of those there are, by domain (the new ones are added to it)."""
    missing: dict[str, dict[str, object]] = {}
    for n in new:  # the first row naming a new customer names it, as record_engagement does
        domain = n.draft.customer_domain.lower()
        if domain not in customers and domain not in missing:
            missing[domain] = {
                "name": n.draft.customer_name.strip(),
                "email_domain": domain,
                "industry_id": n.industry_id,
                "size_band": n.draft.customer_size,
                "country": n.draft.customer_country,
            }
    if missing:
        added = session.execute(
            insert(CUSTOMERS).returning(CUSTOMERS.c.email_domain, CUSTOMERS.c.id),
            list(missing.values()),
        )
        customers |= dict(added.all())
    # Each new engagement has a key of its own (the caller counted repeats as present): the
    # ids come back by key, in any order, so every backend inserts them in one statement.
    added_engagements = session.execute(
        insert(ENGAGEMENTS).returning(
            ENGAGEMENTS.c.id,
            ENGAGEMENTS.c.partner_id,
            ENGAGEMENTS.c.customer_id,
            ENGAGEMENTS.c.industry_id,
            ENGAGEMENTS.c.started_on,
        ),
        [
            {
                "partner_id": n.partner_id,
                "customer_id": customers[n.draft.customer_domain.lower()],
                "vendor_id": vendor.id,
                "industry_id": n.industry_id,
                "budget": n.draft.budget,
                "started_on": n.draft.started_on,
                "ended_on": n.draft.ended_on,
                "status": n.draft.status,
                "selection_reason": n.draft.selection_reason,
                # An operator's import: trusted as an admin's record, confirmed at once.
                "confirmed": True,
                "recorded_by": "import",
            }
            for n in new
        ],
    )
    by_key = {tuple(row[1:]): row[0] for row in added_engagements}
    ids = [
        by_key[
            (
                n.partner_id,
                customers[n.draft.customer_domain.lower()],
                n.industry_id,
                n.draft.started_on,
            )
        ]
        for n in new
    ]
    links = [
        {"engagement_id": id_, "product_id": lookups.products[slug][0]}
        for id_, n in zip(ids, new, strict=True)
        for slug in sorted(set(n.draft.products))
    ]
    if links:
        session.execute(insert(engagement_products), links)
    changes.engagements_agreed(session, (n.partner_id for n in new))
    changes.in_progress_moved(
        session, (n.partner_id for n in new if n.draft.status == IN_PROGRESS_STATUS)
    )
    session.execute(
        insert(AUDIT_LOG),
        [
            {
                "actor": caller.actor,
                "action": "engagement.record",
                "entity_type": "engagement",
                "entity_id": str(id_),
                "details": {
                    "partner": n.draft.partner_slug,
                    "customer": n.draft.customer_domain.lower(),
                    "status": n.draft.status,
                },
            }
            for id_, n in zip(ids, new, strict=True)
        ],
    )
