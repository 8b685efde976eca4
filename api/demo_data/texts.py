"""Generated prose: partner summaries and Markdown descriptions, references, survey comments."""

from __future__ import annotations

import random
from collections.abc import Sequence

from api.demo_data.common import between, pick
from api.demo_data.words import SERVICES
from api.metrics import nps_band

_TYPE_PHRASES = {
    "implementation": "implementation partner",
    "reseller": "reseller",
    "managed_services": "managed-services provider",
    "support": "support partner",
}

_BAND_WORDS = {
    "1-10": "boutique",
    "11-50": "small",
    "51-200": "mid-sized",
    "201-1000": "established",
    "1001-5000": "large",
    "5000+": "global",
}

_SUMMARIES = (
    "{kind} {type} for {products}, serving {industries} clients from {city}.",
    "{products} specialists helping {industries} organisations get live and stay live.",
    "From {city}: {products} projects for {industries}, delivered by senior teams.",
    "{a_kind} {type} with deep {products} experience in {industries}.",
)

_CLOSINGS = (
    "We keep teams small and senior, and we stay after go-live.",
    "Every project starts with a paid discovery phase and a fixed-scope proposal.",
    "We publish our delivery method and share weekly status reports with every client.",
    "Most of our new work comes from referrals by existing clients.",
    "Our consultants hold current vendor certifications and rotate through support duty.",
)


def with_article(word: str) -> str:
    """ "an established", "a small": the article the word's sound takes (the band words
    all start as they sound)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def join_words(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def partner_summary(
    rng: random.Random,
    *,
    band: str,
    partner_type: str,
    products: Sequence[str],
    industries: Sequence[str],
    city: str,
) -> str:
    template = pick(rng, _SUMMARIES)
    text = template.format(
        kind=_BAND_WORDS[band],
        a_kind=with_article(_BAND_WORDS[band]),
        type=_TYPE_PHRASES[partner_type],
        products=join_words(products[:2]),
        industries=join_words([name.lower() for name in industries[:2]]),
        city=city,
    )
    return text[0].upper() + text[1:300]


def partner_description(
    rng: random.Random,
    *,
    name: str,
    band: str,
    partner_type: str,
    founded: int,
    city: str,
    products: Sequence[str],
    industries: Sequence[str],
) -> str:
    services = rng.sample(SERVICES, between(rng, 3, 5))
    lines = [
        f"## About {name}",
        "",
        f"{name} is {with_article(_BAND_WORDS[band])} {_TYPE_PHRASES[partner_type]} founded "
        f"in {founded} and headquartered in {city}. {pick(rng, _CLOSINGS)}",
        "",
        "## What we do",
        "",
        *(f"- {service}" for service in services),
        "",
        "## Industries",
        "",
        f"We work most often with {join_words([i.lower() for i in industries])} organisations.",
        "",
        "## Platforms",
        "",
        *(f"- **{product}**" for product in products),
        "",
    ]
    return "\n".join(lines)


_REFERENCE_TITLES = (
    "{product} rollout for a {industry} organisation",
    "Replatforming onto {product}",
    "{product} implementation in {months} months",
    "Consolidating five legacy systems into {product}",
    "{product} upgrade and support",
)

_REFERENCE_SUMMARIES = (
    "Discovery, implementation and training for {users} users; live in {months} months.",
    "Migrated {records} records and integrated the ERP; the old system was retired on time.",
    "A phased rollout across {countries} countries with a shared template.",
    "Rebuilt the customer-facing experience and cut page load times by half.",
)


def reference_text(rng: random.Random, *, product: str, industry: str) -> tuple[str, str]:
    values = {
        "product": product,
        "industry": industry.lower(),
        "months": between(rng, 3, 14),
        "users": pick(rng, (120, 300, 850, 2_000, 4_500)),
        "records": f"{between(rng, 2, 90)} million",
        "countries": between(rng, 3, 12),
    }
    title = pick(rng, _REFERENCE_TITLES).format(**values)
    return title, pick(rng, _REFERENCE_SUMMARIES).format(**values)


_OPENERS = {
    "promoter": (
        "Excellent partner from start to finish.",
        "We would hire them again without hesitation.",
        "The team really understood our business.",
        "One of the best project teams we have worked with.",
        "Went live with very few surprises.",
        "Senior, pragmatic and honest about trade-offs.",
    ),
    "passive": (
        "Solid delivery overall, with a few bumps along the way.",
        "Good technical work; project management was uneven.",
        "We got what we paid for, no more and no less.",
        "A capable team that needed a lot of steering from our side.",
        "The result is fine, but it took longer than planned.",
    ),
    "detractor": (
        "Disappointing engagement.",
        "We had to bring in another firm to finish the work.",
        "The people who pitched were not the people who delivered.",
        "Too many change requests and too little accountability.",
        "The project went live late and over budget.",
    ),
}

_DETAILS = {
    "promoter": (
        "Their {product} know-how saved us months.",
        "The handover to our own team was thorough.",
        "They pushed back when our requirements did not make sense, which we appreciated.",
        "They clearly had done {industry} projects before.",
        "Weekly demos kept everyone aligned.",
    ),
    "passive": (
        "Communication could have been more proactive.",
        "The {product} build was good but testing ran late.",
        "Documentation was thin at handover.",
        "Junior staff rotated in and out more than we liked.",
        "Knowledge of {industry} processes was limited.",
    ),
    "detractor": (
        "Senior consultants disappeared after kickoff.",
        "Budget overran and the scope kept shifting.",
        "Basic {product} configuration had to be redone.",
        "They did not understand how {industry} organisations work.",
        "Issues were escalated to us instead of being solved.",
    ),
}

_VENDOR_RECOMMENDED = (
    "They came recommended by {vendor}, but did not live up to it.",
    "{vendor} introduced them to us; we should have run our own selection.",
)


def survey_comment(
    rng: random.Random,
    *,
    likelihood: int,
    product: str,
    industry: str,
    vendor: str,
    vendor_recommended: bool,
) -> str:
    bucket = nps_band(likelihood)
    parts = [pick(rng, _OPENERS[bucket])]
    if bucket == "detractor" and vendor_recommended and rng.random() < 0.5:
        parts.append(pick(rng, _VENDOR_RECOMMENDED))
    elif rng.random() < 0.75:
        parts.append(pick(rng, _DETAILS[bucket]))
    return " ".join(parts).format(product=product, industry=industry.lower(), vendor=vendor)
