"""Customers and the engagements partners delivered for them, 2021 to the anchor date."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta

from api.demo_data.cities import CITIES
from api.demo_data.common import (
    ANCHOR_DATE,
    HISTORY_START,
    RowSink,
    between,
    moment,
    pick,
    pick_weighted,
    round_to,
    slugify,
)
from api.demo_data.partners import CustomerInfo, PartnerTraits
from api.demo_data.reference import Catalog, Industry, Vendor
from api.demo_data.words import CUSTOMER_ENDINGS, PREFIXES
from api.vocabulary import CUSTOMER_SIZE_BANDS, SELECTION_REASONS

# How often buyers give each reason; "vendor_recommended" is scaled by the partner's pull.
REASON_WEIGHTS: dict[str, float] = {
    "vendor_recommended": 9.0,
    "lowest_price": 8.0,
    "closest_office": 6.0,
    "prior_relationship": 8.0,
    "peer_referral": 12.0,
    "industry_expertise": 10.0,
    "product_expertise": 10.0,
    "rfp_evaluation": 12.0,
    "analyst_ranking": 5.0,
    "directory_search": 7.0,
    "other": 4.0,
}
assert tuple(REASON_WEIGHTS) == SELECTION_REASONS

STATUSES = ("completed", "in_progress", "proposed", "cancelled")
STATUS_CUM_WEIGHTS = tuple(itertools.accumulate((86, 9, 3, 2)))
SIZE_CUM_WEIGHTS = tuple(itertools.accumulate((30, 35, 25, 10)))
# Median budget by customer size band; spread is log-normal.
SIZE_BUDGET = {"1-99": 35_000, "100-999": 110_000, "1000-9999": 320_000, "10000+": 850_000}
# Completed engagements end at least this long before the anchor, so their surveys are done.
SURVEY_WINDOW = timedelta(days=40)


@dataclass(frozen=True)
class EngagementContext:
    """What the survey model needs to know about one completed engagement."""

    id: int
    partner: PartnerTraits
    customer: CustomerInfo
    industry: Industry
    vendor: Vendor
    product_name: str
    reason: str
    budget: int
    ended_on: date


@dataclass(frozen=True)
class Ongoing:
    """An engagement in progress, for its pulse checks (api/demo_data/pulses.py)."""

    id: int
    started_on: date
    email_domain: str
    partner: PartnerTraits


class EngagementFactory:
    def __init__(self, rng: random.Random, catalog: Catalog) -> None:
        self.rng = rng
        self.catalog = catalog
        self.customers: list[CustomerInfo] = []
        self._domains: dict[str, int] = {}
        # The engagements in progress since the last take_in_progress(), for pulse checks.
        self.in_progress: list[Ongoing] = []

    def take_in_progress(self) -> list[Ongoing]:
        taken, self.in_progress = self.in_progress, []
        return taken

    def create(self, sink: RowSink, partner: PartnerTraits) -> list[EngagementContext]:
        """Adds one partner's engagements; returns the completed ones, to be surveyed."""
        completed = []
        weights = list(REASON_WEIGHTS.values())
        weights[0] *= partner.vendor_pull
        reason_cum_weights = list(itertools.accumulate(weights))
        for _ in range(partner.engagement_count):
            reason = pick_weighted(self.rng, SELECTION_REASONS, reason_cum_weights)
            context = self._engagement(sink, partner, reason)
            if context is not None:
                completed.append(context)
        return completed

    def _customer(self, sink: RowSink, partner: PartnerTraits, reason: str) -> CustomerInfo:
        rng = self.rng
        if reason == "prior_relationship" and partner.customers:
            return pick(rng, partner.customers)
        if self.customers and rng.random() < 0.2:
            customer = pick(rng, self.customers)  # a customer that works with several partners
        else:
            customer = self._new_customer(sink, partner, reason)
        partner.customers.append(customer)
        return customer

    def _new_customer(self, sink: RowSink, partner: PartnerTraits, reason: str) -> CustomerInfo:
        rng = self.rng
        claimed_share = 0.95 if reason == "industry_expertise" else 0.7
        if rng.random() < claimed_share:
            industry = self.catalog.industry_by_id[pick(rng, partner.claimed_industries)]
        else:
            industry = pick(rng, self.catalog.industries)
        # Mostly local customers; some abroad.
        local = rng.random() < 0.75
        country = pick(rng, partner.countries) if local else pick(rng, CITIES).country
        kind = pick(rng, industry.spec.customer_kinds)
        if rng.random() < 0.6:
            name = f"{pick(rng, PREFIXES)}{pick(rng, CUSTOMER_ENDINGS)} {kind}"
        else:
            name = f"{pick(rng, PREFIXES)} {pick(rng, PREFIXES)} {kind}"
        base = slugify(name)
        seen = self._domains.get(base, 0)
        self._domains[base] = seen + 1
        label = base if seen == 0 else f"{base}-{seen + 1}"
        customer = CustomerInfo(
            id=sink.new_id("customers"),
            name=name,
            email_domain=f"{label}.example.com",
            industry_id=industry.id,
            size_band=pick_weighted(rng, CUSTOMER_SIZE_BANDS, SIZE_CUM_WEIGHTS),
            country=country,
        )
        sink.add(
            "customers",
            {
                "id": customer.id,
                "name": customer.name,
                "email_domain": customer.email_domain,
                "industry_id": customer.industry_id,
                "size_band": customer.size_band,
                "country": customer.country,
            },
        )
        self.customers.append(customer)
        return customer

    def _dates(self, status: str, budget: int) -> tuple[date | None, date | None]:
        rng = self.rng
        duration = int(min(730, max(21, 30 + budget / 2_500 * rng.uniform(0.6, 1.5))))
        if status == "proposed":
            if rng.random() < 0.3:
                return None, None
            return ANCHOR_DATE + timedelta(days=between(rng, 14, 90)), None
        if status == "in_progress":
            return ANCHOR_DATE - timedelta(days=between(rng, 7, min(duration, 400))), None
        latest_start = ANCHOR_DATE - SURVEY_WINDOW - timedelta(days=duration)
        span = (latest_start - HISTORY_START).days
        # The directory grew over time: more engagements in recent years.
        started = HISTORY_START + timedelta(days=int(span * rng.random() ** 0.7))
        if status == "cancelled":
            duration = int(duration * rng.uniform(0.2, 0.7))
        return started, started + timedelta(days=duration)

    def _engagement(
        self, sink: RowSink, partner: PartnerTraits, reason: str
    ) -> EngagementContext | None:
        rng = self.rng
        customer = self._customer(sink, partner, reason)
        vendor_id = pick(rng, list(partner.products_by_vendor))
        vendor = self.catalog.vendor_by_id[vendor_id]
        claimed = partner.products_by_vendor[vendor_id]
        products = [pick(rng, claimed)]
        if rng.random() < 0.4:  # a second product: claimed, or new to the partner
            second = pick(rng, claimed) if rng.random() < 0.7 else pick(rng, vendor.products).id
            if second not in products:
                products.append(second)
        median = SIZE_BUDGET[customer.size_band]
        budget = round_to(
            max(partner.min_budget * rng.uniform(1.0, 1.6), median * rng.lognormvariate(0, 0.7)),
            1_000,
        )
        status = pick_weighted(rng, STATUSES, STATUS_CUM_WEIGHTS)
        started, ended = self._dates(status, budget)
        recorded = (started or ANCHOR_DATE) - timedelta(days=between(rng, 3, 45))
        engagement_id = sink.new_id("engagements")
        sink.add(
            "engagements",
            {
                "id": engagement_id,
                "partner_id": partner.id,
                "customer_id": customer.id,
                "vendor_id": vendor_id,
                "industry_id": customer.industry_id,
                "budget": budget,
                "started_on": started,
                "ended_on": ended,
                "status": status,
                "selection_reason": reason,
                # A partner proposed what is still "proposed" (its vendor has not confirmed
                # it yet); the vendor recorded the rest and the partner confirmed it.
                "confirmed": status != "proposed",
                "recorded_by": "partner" if status == "proposed" else "vendor",
                "created_at": moment(min(recorded, ANCHOR_DATE - timedelta(days=1)), rng),
            },
        )
        for product_id in products:
            sink.add(
                "engagement_products", {"engagement_id": engagement_id, "product_id": product_id}
            )
        if status == "in_progress" and started is not None:
            self.in_progress.append(Ongoing(engagement_id, started, customer.email_domain, partner))
        if status != "completed" or ended is None:
            return None
        return EngagementContext(
            id=engagement_id,
            partner=partner,
            customer=customer,
            industry=self.catalog.industry_by_id[customer.industry_id],
            vendor=vendor,
            product_name=self.catalog.product_by_id[products[0]].name,
            reason=reason,
            budget=budget,
            ended_on=ended,
        )
