"""A world of partners, customers and survey answers built without the scorer's assumptions,
for `bench/eval_independent.py`. Written without reading `api/matching`, `api/metrics`,
`api/demo_data` or `bench/eval_matching.py`: what it assumes is listed in ASSUMPTIONS.

Each partner has a hidden ability, a hidden fit per product and per industry, and a size
that says how much work it gets but not how good the work is. An engagement succeeds with
a probability drawn from those; the vendor records it, the customer comes back or not,
its contacts answer the survey or not depending on how it went, and their scores carry
a bias (the partner's charm, the industry's mood) the outcome does not.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

ASSUMPTIONS = (
    "quality = partner ability + fit with the product + fit with the industry, on a logit scale",
    "ability does not grow with size: big partners are drawn near the middle, small ones "
    "spread wide (many poor, a few excellent)",
    "a product the partner never delivered costs 1.2 logits (its first project)",
    "no office in the customer's country costs 0.3 logits; distance does nothing else",
    "revenue to the vendor and the sponsored tier follow size and chance, never quality",
    "a failed project is cancelled (never surveyed: the API invites only completed ones) "
    "or goes live with its goals missed",
    "a customer comes back for another project after a success far more often than after a failure",
    "unhappy contacts answer less (odd worlds) or more (even worlds) than happy ones",
    "scores carry the partner's charm (larger for big partners) and the industry's mood",
)

INDUSTRIES = {
    "healthcare": "Healthcare",
    "retail": "Retail",
    "manufacturing": "Manufacturing",
    "financial-services": "Financial services",
    "public-sector": "Public sector",
    "energy": "Energy",
    "education": "Education",
    "logistics": "Logistics",
}
INDUSTRY_SHARE = (0.18, 0.16, 0.15, 0.15, 0.1, 0.09, 0.08, 0.09)
VENDORS = {
    "corvane": ("Corvane", ("corvane-crm", "corvane-service")),
    "helmstead": ("Helmstead", ("helmstead-erp", "helmstead-hr", "helmstead-finance")),
    "tallisk": ("Tallisk", ("tallisk-analytics", "tallisk-commerce")),
}
PRODUCT_SHARE = {
    "corvane-crm": 0.24,
    "corvane-service": 0.12,
    "helmstead-erp": 0.2,
    "helmstead-hr": 0.1,
    "helmstead-finance": 0.09,
    "tallisk-analytics": 0.15,
    "tallisk-commerce": 0.1,
}
# country: (share of customers, cities with latitude and longitude)
COUNTRIES: dict[str, tuple[float, tuple[tuple[str, float, float], ...]]] = {
    "US": (
        0.3,
        (("New York", 40.71, -74.01), ("Chicago", 41.88, -87.63), ("Austin", 30.27, -97.74)),
    ),
    "GB": (0.12, (("London", 51.51, -0.13), ("Manchester", 53.48, -2.24))),
    "DE": (0.12, (("Berlin", 52.52, 13.40), ("Munich", 48.14, 11.58))),
    "FR": (0.08, (("Paris", 48.86, 2.35), ("Lyon", 45.76, 4.84))),
    "IN": (0.1, (("Bengaluru", 12.97, 77.59), ("Mumbai", 19.08, 72.88))),
    "BR": (0.07, (("Sao Paulo", -23.55, -46.63),)),
    "AU": (0.07, (("Sydney", -33.87, 151.21), ("Melbourne", -37.81, 144.96))),
    "JP": (0.07, (("Tokyo", 35.68, 139.69),)),
    "CA": (0.07, (("Toronto", 43.65, -79.38), ("Vancouver", 49.28, -123.12))),
}
NEW_PRODUCT_PENALTY = 1.2
NO_LOCAL_OFFICE_PENALTY = 0.3
BASE_LOGIT = 0.2
TODAY = date(2026, 12, 1)
WORDS = (
    "amber", "birch", "cobalt", "delta", "ember", "fjord", "granite", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "meridian", "nimbus", "onyx", "pioneer", "quartz", "ridge",
    "summit", "tidal", "umber", "vantage", "willow", "zephyr",
)  # fmt: skip
SUFFIXES = ("consulting", "partners", "digital", "systems", "group", "labs", "works")


@dataclass
class Office:
    city: str
    country: str
    latitude: float
    longitude: float


@dataclass
class Partner:
    slug: str
    name: str
    employees: int
    ability: float
    product_fit: dict[str, float]  # products it delivers
    industry_fit: dict[str, float]  # every industry
    product_mix: dict[str, float]  # share of its work per delivered product
    industry_mix: dict[str, float]
    claimed_products: list[str]
    claimed_industries: list[str]
    offices: list[Office]
    charm: float  # survey scores' bias, unrelated to delivery
    revenue: float  # to the vendors, unrelated to quality
    sponsored: bool
    quality: float = 0.0  # expected success over its own kind of work

    @property
    def countries(self) -> set[str]:
        return {office.country for office in self.offices}

    def logit(self, product: str, industry: str, country: str) -> float:
        fit = self.product_fit.get(product)
        product_term = fit if fit is not None else -NEW_PRODUCT_PENALTY
        local = 0.0 if country in self.countries else -NO_LOCAL_OFFICE_PENALTY
        return BASE_LOGIT + self.ability + product_term + self.industry_fit[industry] + local

    def success(self, product: str, industry: str, country: str) -> float:
        return sigmoid(self.logit(product, industry, country))


@dataclass
class Answer:
    score: int
    rating: int
    goals_met: bool
    on_time: bool


@dataclass
class Engagement:
    partner: str
    customer: str  # its email domain
    customer_name: str
    industry: str
    product: str
    country: str
    budget: int
    started_on: date
    ended_on: date | None
    status: str  # completed, cancelled or in_progress
    succeeded: bool | None
    contacts: int  # invited when completed
    answers: list[Answer] = field(default_factory=list)

    @property
    def vendor(self) -> str:
        return vendor_of(self.product)


@dataclass
class Need:
    industry: str
    product: str
    country: str
    latitude: float
    longitude: float
    budget: int
    draw: float  # one uniform number per need: the same luck for every strategy


@dataclass
class World:
    seed: int
    unhappy_answer: str  # "less" or "more"
    partners: list[Partner]
    engagements: list[Engagement]
    needs: list[Need]
    industry_mood: dict[str, float]


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def vendor_of(product: str) -> str:
    return next(slug for slug, (_, products) in VENDORS.items() if product in products)


def employee_band(employees: int) -> str:
    for limit, band in ((10, "1-10"), (50, "11-50"), (200, "51-200"), (1000, "201-1000")):
        if employees <= limit:
            return band
    return "1001-5000" if employees <= 5000 else "5000+"


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), weights=list(shares.values()))[0]


def _mix(rng: random.Random, keys: list[str]) -> dict[str, float]:
    weights = [rng.gammavariate(1.5, 1.0) for _ in keys]
    total = sum(weights)
    return {key: weight / total for key, weight in zip(keys, weights, strict=True)}


def _partner(rng: random.Random, used: set[str]) -> Partner:
    employees = max(2, min(20000, round(10 ** rng.gauss(1.55, 0.62))))
    size = (math.log10(employees) - 1.55) / 0.62  # standardised size
    # Big partners cluster near the middle; small ones spread wide.
    spread = max(0.3, 0.95 - 0.3 * size)
    ability = rng.gauss(-0.1 * size, spread)
    products_all = list(PRODUCT_SHARE)
    home_vendor = _pick(
        rng, {v: sum(PRODUCT_SHARE[p] for p in ps) for v, (_, ps) in VENDORS.items()}
    )
    count = min(len(products_all), 1 + int(rng.random() < 0.5) + int(size > 0.5) + int(size > 1.3))
    delivered: list[str] = []
    while len(delivered) < count:
        pool = {
            p: s * (4.0 if vendor_of(p) == home_vendor else 1.0) for p, s in PRODUCT_SHARE.items()
        }
        for known in delivered:
            pool.pop(known)
        delivered.append(_pick(rng, pool))
    product_fit = {product: rng.gauss(0.0, 0.6) for product in delivered}
    claimed = list(delivered)
    if rng.random() < 0.4:  # claims a product it has never delivered
        others = [p for p in products_all if p not in delivered]
        claimed.append(rng.choice(others))
    industries = list(INDUSTRIES)
    focus = rng.sample(industries, 1 + int(rng.random() < 0.6) + int(size > 0.8))
    industry_fit = {
        ind: rng.gauss(0.3, 0.35) if ind in focus else rng.gauss(-0.3, 0.4) for ind in industries
    }
    claimed_industries = focus + ([rng.choice(industries)] if rng.random() < 0.3 else [])
    home = _pick(rng, {c: share for c, (share, _) in COUNTRIES.items()})
    office_count = 1 + int(size > 0.5) + int(size > 1.0) + int(size > 1.6)
    countries = [home, *rng.sample([c for c in COUNTRIES if c != home], office_count - 1)]
    offices = []
    for country in countries:
        city, lat, lon = rng.choice(COUNTRIES[country][1])
        offices.append(Office(city, country, lat, lon))
    while True:
        slug = f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{rng.choice(SUFFIXES)}"
        if slug not in used:
            used.add(slug)
            break
    return Partner(
        slug=slug,
        name=slug.replace("-", " ").title(),
        employees=employees,
        ability=ability,
        product_fit=product_fit,
        industry_fit=industry_fit,
        product_mix=_mix(rng, delivered),
        industry_mix={ind: 0.85 * w for ind, w in _mix(rng, focus).items()}
        | {ind: 0.15 / len(industries) for ind in industries if ind not in focus},
        claimed_products=sorted(set(claimed)),
        claimed_industries=sorted(set(claimed_industries)),
        offices=offices,
        charm=rng.gauss(0.4 * max(size, 0.0), 0.7),
        revenue=employees**0.9 * rng.lognormvariate(0.0, 0.8),
        sponsored=False,
    )


def _quality(partner: Partner) -> float:
    """Expected success over the partner's own kind of work: the customers it gets."""
    total = 0.0
    for product, p_share in partner.product_mix.items():
        for industry, i_share in partner.industry_mix.items():
            x = partner.logit(product, industry, partner.offices[0].country)
            local = sigmoid(x) * 0.85 + sigmoid(x - NO_LOCAL_OFFICE_PENALTY) * 0.15
            total += p_share * i_share * local
    return total / sum(partner.industry_mix.values())


def _engagements(
    rng: random.Random, partner: Partner, mood: dict[str, float], unhappy_rate: float
) -> list[Engagement]:
    expected = 1.0 * partner.employees**0.5
    count = max(1, _poisson(rng, min(expected, 70.0)))
    result: list[Engagement] = []
    for index in range(count):
        domain = f"{partner.slug}-c{index}.example"
        started = TODAY - timedelta(days=rng.randrange(60, 4 * 365))
        result.extend(_customer(rng, partner, domain, started, mood, unhappy_rate))
    return result


def _customer(
    rng: random.Random,
    partner: Partner,
    domain: str,
    started: date,
    mood: dict[str, float],
    unhappy_rate: float,
) -> list[Engagement]:
    """One customer's projects with the partner: a first one, and a return after a success
    (rarely after a failure)."""
    industry = _pick(rng, partner.industry_mix)
    if rng.random() < 0.85:
        country = rng.choice(partner.offices).country
    else:
        country = _pick(rng, {c: share for c, (share, _) in COUNTRIES.items()})
    name = domain.split(".")[0].replace("-", " ").title()
    projects: list[Engagement] = []
    while started < TODAY - timedelta(days=20):
        product = _pick(rng, partner.product_mix)
        months = rng.randint(3, 12)
        ended = started + timedelta(days=30 * months)
        if ended > TODAY:
            status, succeeded, end = "in_progress", None, None
        else:
            succeeded = rng.random() < partner.success(product, industry, country)
            live = succeeded or rng.random() < 0.45
            status, end = ("completed" if live else "cancelled"), ended
        budget = round(partner.employees**0.3 * rng.lognormvariate(10.5, 0.6), -3)
        engagement = Engagement(
            partner=partner.slug,
            customer=domain,
            customer_name=name,
            industry=industry,
            product=product,
            country=country,
            budget=int(budget),
            started_on=started,
            ended_on=end,
            status=status,
            succeeded=succeeded,
            contacts=1 + _poisson(rng, 1.2) if status == "completed" else 0,
        )
        for _ in range(engagement.contacts):
            happy = bool(succeeded)
            if rng.random() < (0.65 if happy else unhappy_rate):
                engagement.answers.append(_answer(rng, happy, partner.charm + mood[industry]))
        projects.append(engagement)
        if succeeded is None or rng.random() >= (0.4 if succeeded else 0.05):
            break
        started = ended + timedelta(days=rng.randrange(20, 200))
    return projects


def _answer(rng: random.Random, happy: bool, bias: float) -> Answer:
    latent = (8.4 if happy else 4.2) + bias + rng.gauss(0.0, 1.6)
    score = max(0, min(10, round(latent)))
    return Answer(
        score=score,
        rating=max(1, min(5, round(1 + latent / 2.5 + rng.gauss(0, 0.4)))),
        goals_met=happy if rng.random() < 0.9 else not happy,
        on_time=rng.random() < (0.75 if happy else 0.35),
    )


def _poisson(rng: random.Random, mean: float) -> int:
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def _needs(rng: random.Random, count: int) -> list[Need]:
    needs = []
    for _ in range(count):
        country = _pick(rng, {c: share for c, (share, _) in COUNTRIES.items()})
        _, lat, lon = rng.choice(COUNTRIES[country][1])
        needs.append(
            Need(
                industry=rng.choices(list(INDUSTRIES), weights=INDUSTRY_SHARE)[0],
                product=_pick(rng, PRODUCT_SHARE),
                country=country,
                latitude=lat,
                longitude=lon,
                budget=int(round(rng.lognormvariate(11.5, 0.7), -3)),
                draw=rng.random(),
            )
        )
    return needs


def build_world(seed: int, *, partners: int = 450, needs: int = 200) -> World:
    """The same seed gives the same world; odd seeds' unhappy customers answer less."""
    rng = random.Random(seed)
    unhappy = "less" if seed % 2 else "more"
    unhappy_rate = 0.3 if unhappy == "less" else 0.8
    mood = {industry: rng.gauss(0.0, 0.6) for industry in INDUSTRIES}
    used: set[str] = set()
    crowd = [_partner(rng, used) for _ in range(partners)]
    for partner in crowd:
        partner.quality = _quality(partner)
    by_revenue = sorted(crowd, key=lambda p: p.revenue, reverse=True)
    for rank, partner in enumerate(by_revenue):
        partner.sponsored = rng.random() < (0.7 if rank < len(crowd) // 10 else 0.04)
    engagements = [e for p in crowd for e in _engagements(rng, p, mood, unhappy_rate)]
    return World(seed, unhappy, crowd, engagements, _needs(rng, needs), mood)
