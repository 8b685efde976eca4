"""Partners and their self-description, with the hidden traits that drive survey answers."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import timedelta

from api.demo_data import claims, program, texts
from api.demo_data.cities import (
    CITIES_BY_COUNTRY,
    CITIES_BY_REGION,
    COST_LEVEL,
    COUNTRY_LANGUAGES,
    REGION_WEIGHTS,
    City,
)
from api.demo_data.common import ANCHOR_DATE, RowSink, between, moment, pick, round_to, slugify
from api.demo_data.reference import Catalog, Vendor
from api.demo_data.words import PARTNER_ENDINGS, PARTNER_KINDS, PREFIXES, SURNAMES
from api.vocabulary import CAPABILITIES, EMPLOYEE_BANDS, PARTNER_TYPES

TYPE_ODDS = {"implementation": 0.92, "reseller": 0.3, "managed_services": 0.3, "support": 0.4}
# Engagements per partner: log-normal, mean exp(MU + SIGMA^2 / 2) = 20, median 10.
ENGAGEMENTS_MU = 2.28
ENGAGEMENTS_SIGMA = 1.2
_REGIONS = tuple(REGION_WEIGHTS)
_REGION_WEIGHTS = tuple(REGION_WEIGHTS.values())


@dataclass
class CustomerInfo:
    id: int
    name: str
    email_domain: str
    industry_id: int
    size_band: str
    country: str


@dataclass
class PartnerTraits:
    """What the generator knows about a partner and the database never stores."""

    id: int
    name: str
    quality: float  # hidden customer success, standard normal
    communication: float
    response_rate: float
    vendor_pull: float  # how strongly vendors push this partner: revenue and tier, not quality
    engagement_count: int
    countries: tuple[str, ...]
    min_budget: int
    claimed_industries: tuple[int, ...]
    products_by_vendor: dict[int, list[int]]
    industry_fit: dict[int, float] = field(default_factory=dict)
    customers: list[CustomerInfo] = field(default_factory=list)

    def fit(self, industry_id: int, rng: random.Random) -> float:
        """The per-(partner, industry) modifier, drawn the first time it is needed."""
        if industry_id not in self.industry_fit:
            self.industry_fit[industry_id] = rng.gauss(-0.25, 0.45)
        return self.industry_fit[industry_id]


class PartnerFactory:
    def __init__(self, rng: random.Random, catalog: Catalog) -> None:
        self.rng = rng
        self.catalog = catalog
        self.used_slugs: set[str] = set()
        self._vendor_weights = [vendor.spec.popularity for vendor in catalog.vendors]

    def _name(self) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(50):
            roll = rng.random()
            if roll < 0.55:
                name = f"{pick(rng, PREFIXES)}{pick(rng, PARTNER_ENDINGS)} "
                name += pick(rng, PARTNER_KINDS)
            elif roll < 0.75:
                first, second = rng.sample(SURNAMES, 2)
                name = f"{first} & {second}"
            else:
                name = f"{pick(rng, PREFIXES)} {pick(rng, SURNAMES)} {pick(rng, PARTNER_KINDS)}"
            if attempt >= 40:
                name = f"{name} {between(rng, 2, 99)}"
            slug = slugify(name)
            if slug not in self.used_slugs:
                self.used_slugs.add(slug)
                return name, slug
        raise RuntimeError("could not find a unique partner name")  # pragma: no cover

    def _offices(self, partner_id: int, sink: RowSink) -> list[City]:
        rng = self.rng
        region = rng.choices(_REGIONS, _REGION_WEIGHTS)[0]
        cities = [pick(rng, CITIES_BY_REGION[region])]
        for _ in range(rng.choices((0, 1, 2, 3, 4), (50, 25, 13, 8, 4))[0]):
            roll = rng.random()
            pool = (
                CITIES_BY_COUNTRY[cities[0].country]
                if roll < 0.5
                else CITIES_BY_REGION[region]
                if roll < 0.85
                else CITIES_BY_REGION[pick(rng, _REGIONS)]
            )
            city = pick(rng, pool)
            if city not in cities:
                cities.append(city)
        for index, city in enumerate(cities):
            sink.add(
                "offices",
                {
                    "id": sink.new_id("offices"),
                    "partner_id": partner_id,
                    "city": city.name,
                    "country": city.country,
                    "latitude": city.latitude,
                    "longitude": city.longitude,
                    "is_headquarters": index == 0,
                },
            )
        return cities

    def _claims(self) -> tuple[list[Vendor], list[int], list[int]]:
        rng = self.rng
        vendor_count = rng.choices((1, 2, 3), (55, 35, 10))[0]
        vendors: list[Vendor] = []
        while len(vendors) < vendor_count:
            vendor = rng.choices(self.catalog.vendors, self._vendor_weights)[0]
            if vendor not in vendors:
                vendors.append(vendor)
        products: list[int] = []
        for vendor in vendors:
            count = between(rng, 1, len(vendor.products))
            products.extend(p.id for p in rng.sample(vendor.products, count))
        industries = rng.sample(self.catalog.industries, between(rng, 2, 5))
        return vendors, products, [industry.id for industry in industries]

    def create(self, sink: RowSink) -> PartnerTraits:
        rng = self.rng
        catalog = self.catalog
        partner_id = sink.new_id("partners")
        name, slug = self._name()
        scale = rng.gauss(0.0, 1.0)  # size and volume of work go together
        quality = rng.gauss(0.0, 1.0)
        band_index = min(5, max(0, int(2.2 + 1.1 * scale + rng.gauss(0.0, 0.6))))
        band = EMPLOYEE_BANDS[band_index]
        # Founded before the recorded history starts (2021), so no engagement predates it.
        founded = min(2020, max(1985, int(2014 - 4 * band_index + rng.gauss(0.0, 5.0))))
        cities = self._offices(partner_id, sink)
        hq = cities[0]
        vendors, product_ids, industry_ids = self._claims()
        types = [t for t in PARTNER_TYPES if rng.random() < TYPE_ODDS[t]] or ["implementation"]
        languages = {"en"} if rng.random() < 0.9 else set()
        for city in cities:
            languages.update(COUNTRY_LANGUAGES[city.country][: between(rng, 1, 2)])
        base_rate = 190 * COST_LEVEL[hq.country] * rng.uniform(0.6, 1.15)
        rate_min = round_to(base_rate, 5)
        rate_max = round_to(rate_min * rng.uniform(1.25, 2.1), 5)
        min_budget = pick(rng, (5_000, 10_000, 25_000, 50_000, 100_000)[: 2 + band_index // 2])
        product_names = [catalog.product_by_id[pid].name for pid in product_ids]
        industry_names = [catalog.industry_by_id[iid].name for iid in industry_ids]
        created = moment(ANCHOR_DATE - timedelta(days=between(rng, 200, 2000)), rng)
        sink.add(
            "partners",
            {
                "id": partner_id,
                "slug": slug,
                "name": name,
                "summary": texts.partner_summary(
                    rng,
                    band=band,
                    partner_type=types[0],
                    products=product_names,
                    industries=industry_names,
                    city=hq.name,
                ),
                "description": texts.partner_description(
                    rng,
                    name=name,
                    band=band,
                    partner_type=types[0],
                    founded=founded,
                    city=hq.name,
                    products=product_names,
                    industries=industry_names,
                ),
                "website": f"https://{slug}.example",
                "headquarters_city": hq.name,
                "headquarters_country": hq.country,
                "employee_band": band,
                "founded_year": founded,
                "partner_types": types,
                "languages": sorted(languages),
                "capabilities": _capabilities(slug, types),
                "hourly_rate_min": rate_min,
                "hourly_rate_max": rate_max,
                "min_project_budget": min_budget,
                "delivery_capacity": program.delivery_capacity(slug, band_index),
                "version": 1,
                "created_at": created,
                "updated_at": created + timedelta(days=between(rng, 0, 150)),
            },
        )
        for iid in industry_ids:
            sink.add("partner_industries", {"partner_id": partner_id, "industry_id": iid})
        for pid in product_ids:
            sink.add("partner_products", {"partner_id": partner_id, "product_id": pid})
        pull = claims.add_memberships(rng, sink, partner_id, vendors, band_index, quality)
        program.add_program_feedback(sink, partner_id, slug, vendors)
        claims.add_certifications(rng, sink, partner_id, vendors, founded)
        claims.add_references(rng, sink, catalog, partner_id, product_names, industry_ids, founded)
        products_by_vendor: dict[int, list[int]] = {}
        for pid in product_ids:
            products_by_vendor.setdefault(catalog.product_by_id[pid].vendor_id, []).append(pid)
        count = int(math.exp(ENGAGEMENTS_MU + ENGAGEMENTS_SIGMA * scale))
        if rng.random() < 0.06:  # new to the directory: nothing recorded yet
            count = between(rng, 0, 2)
        return PartnerTraits(
            id=partner_id,
            name=name,
            quality=quality,
            communication=rng.gauss(0.0, 0.5),
            response_rate=min(0.9, max(0.35, rng.gauss(0.65, 0.1))),
            vendor_pull=pull,
            engagement_count=min(count, 400),
            countries=tuple(dict.fromkeys(city.country for city in cities)),
            min_budget=min_budget,
            claimed_industries=tuple(industry_ids),
            products_by_vendor=products_by_vendor,
            industry_fit={iid: rng.gauss(0.15, 0.4) for iid in industry_ids},
        )


# What each partner type tends to offer first; the rest are drawn at random.
TYPE_CAPABILITIES = {
    "implementation": ("implementation", "integration", "data_migration"),
    "reseller": ("strategy", "training"),
    "managed_services": ("managed_support", "security"),
    "support": ("managed_support", "training"),
}


def _capabilities(slug: str, types: list[str]) -> list[str]:
    """A few capabilities, from a generator of their own so the other draws stay as they were."""
    rng = random.Random(f"capabilities:{slug}")
    chosen = {TYPE_CAPABILITIES[kind][0] for kind in types}
    chosen.update(rng.sample(CAPABILITIES, between(rng, 1, 4)))
    return sorted(chosen)
