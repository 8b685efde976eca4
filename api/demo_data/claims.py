"""What a partner claims about itself beyond its profile: program memberships, certifications,
references. None of it is evidence; vendor program tiers even run against customer success.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from api.demo_data import texts
from api.demo_data.common import RowSink, between, pick, round_to
from api.demo_data.reference import Catalog, Vendor
from api.demo_data.words import CERTIFICATION_LEVELS, CERTIFICATIONS_GENERIC, PREFIXES
from api.vocabulary import PROGRAM_TIERS

TIERS = PROGRAM_TIERS
TIER_REVENUE = (150_000, 700_000, 2_500_000)  # annual revenue to the vendor for each step up
REFERENCE_COUNTS = (0, 1, 2, 3, 4)
REFERENCE_WEIGHTS = (20, 30, 25, 15, 10)


def add_memberships(
    rng: random.Random,
    sink: RowSink,
    partner_id: int,
    vendors: Sequence[Vendor],
    band: int,
    quality: float,
) -> float:
    """Adds the partner's vendor program rows; returns how hard vendors push the partner.

    Revenue to the vendor grows with the partner's size and, if anything, runs against its
    hidden quality; tier follows revenue and sponsorship is bought. Vendors recommend the
    partners that bring them revenue, which is why "vendor recommended" fares worst.
    """
    pull = 0.6
    for vendor in vendors:
        if rng.random() < 0.1:
            continue  # works with the product, not in the program
        revenue = 40_000 * math.exp(0.9 * band - 0.35 * quality + rng.gauss(0.0, 0.9))
        tier = sum(revenue >= limit for limit in TIER_REVENUE)
        sponsored = rng.random() < 0.04 + 0.05 * tier + (0.08 if quality < -0.5 else 0.0)
        pull = max(pull, 0.6 + 0.7 * tier + (0.8 if sponsored else 0.0))
        sink.add(
            "vendor_program_memberships",
            {
                "vendor_id": vendor.id,
                "partner_id": partner_id,
                "tier": TIERS[tier],
                "annual_revenue": round_to(revenue, 1_000),
                "sponsored": sponsored,
            },
        )
    return pull


def add_certifications(
    rng: random.Random, sink: RowSink, partner_id: int, vendors: Sequence[Vendor], founded: int
) -> None:
    names: list[tuple[str, int | None]] = []
    for vendor in vendors:
        for level in rng.sample(CERTIFICATION_LEVELS, between(rng, 0, 2)):
            names.append((f"{pick(rng, vendor.products).name} {level}", vendor.id))
    if rng.random() < 0.3:
        names.append((pick(rng, CERTIFICATIONS_GENERIC), None))
    for name, vendor_id in names:
        sink.add(
            "certifications",
            {
                "id": sink.new_id("certifications"),
                "partner_id": partner_id,
                "name": name,
                "vendor_id": vendor_id,
                "year": between(rng, max(founded, 2015), 2026),
            },
        )


def add_references(
    rng: random.Random,
    sink: RowSink,
    catalog: Catalog,
    partner_id: int,
    products: Sequence[str],
    industries: Sequence[int],
    founded: int,
) -> None:
    for _ in range(rng.choices(REFERENCE_COUNTS, REFERENCE_WEIGHTS)[0]):
        industry = catalog.industry_by_id[pick(rng, industries)]
        title, summary = texts.reference_text(
            rng, product=pick(rng, products), industry=industry.name
        )
        customer = None
        if rng.random() < 0.6:  # the rest are under NDA
            customer = f"{pick(rng, PREFIXES)} {pick(rng, industry.spec.customer_kinds)}"
        sink.add(
            "partner_references",
            {
                "id": sink.new_id("partner_references"),
                "partner_id": partner_id,
                "title": title,
                "customer_name": customer,
                "industry_id": industry.id,
                "summary": summary,
                "year": between(rng, max(founded, 2018), 2026),
            },
        )
