"""What the index holds of a partner, read from the database in batches.

Figures come from `api.readers.partner_figures`, the value GraphQL and the site map too:
the published copies with the withholding rules applied, so nothing withheld is indexed.
The document keeps the partner's NPS and its n rather than a ranking score: the score also
reads the market NPS, which moves with every publication anywhere, so it is worked out at
query time from these two and the market of the moment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.countries import country_name
from api.models import Partner
from api.readers import figures as figure_rows
from api.readers import partners as partner_rows
from api.readers.figures import EMPTY
from api.readers.partner_figures import partner_figures

BATCH = 1000


@dataclass(frozen=True)
class PartnerDocument:
    partner_id: int
    slug: str
    name: str
    summary: str
    description: str
    tags: str  # capabilities, industries, products, vendors and partner types, in words
    places: str  # office cities and their countries
    industries: tuple[str, ...]  # slugs: the facets and filters
    products: tuple[str, ...]
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2 of the offices
    partner_types: tuple[str, ...]
    capabilities: tuple[str, ...]
    evidence_tier: str
    nps_n: int  # the n of the published NPS; 0 when it is withheld
    nps: float  # 0.0 when withheld


@cache
def _words(value: str) -> str:
    return value.replace("_", " ")


def all_partner_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Partner.id).order_by(Partner.id)).all())


def read_documents(session: Session, ids: Sequence[int]) -> Iterator[PartnerDocument]:
    """The documents of the partners in `ids` that exist, BATCH partners per five queries."""
    market = figure_rows.market_overall_nps(session)
    for start in range(0, len(ids), BATCH):
        yield from _batch(session, ids[start : start + BATCH], market)


def _batch(session: Session, ids: Sequence[int], market: float) -> Iterator[PartnerDocument]:
    rows = session.scalars(select(Partner).where(Partner.id.in_(ids))).all()
    offices = partner_rows.offices_of(session, ids)
    industries = partner_rows.industries_of(session, ids)
    products = partner_rows.products_of(session, ids)
    overall = figure_rows.overall_of(session, ids)
    for row in sorted(rows, key=lambda partner: partner.id):
        figures = partner_figures(overall.get(row.id, EMPTY), market, live=False)
        nps = figures.overall.nps
        shown = not nps.withheld and nps.value is not None
        found_industries = industries.get(row.id, [])
        found_products = products.get(row.id, [])
        found_offices = offices.get(row.id, [])
        countries = sorted({office.country for office in found_offices})
        tags = [
            *(_words(value) for value in row.capabilities),
            *(_words(value) for value in row.partner_types),
            *(industry.name for industry in found_industries),
            *(f"{vendor.name} {product.name}" for product, vendor in found_products),
        ]
        places = [office.city for office in found_offices]
        places += [country_name(code) for code in countries]
        yield PartnerDocument(
            partner_id=row.id,
            slug=row.slug,
            name=row.name,
            summary=row.summary or "",
            description=row.description or "",
            tags=" ; ".join(tags),
            places=" ; ".join(dict.fromkeys(places)),
            industries=tuple(industry.slug for industry in found_industries),
            products=tuple(product.slug for product, _ in found_products),
            countries=tuple(countries),
            partner_types=tuple(row.partner_types),
            capabilities=tuple(row.capabilities),
            evidence_tier=figures.evidence_tier,
            nps_n=nps.n if shown else 0,
            nps=float(nps.value) if shown and nps.value is not None else 0.0,
        )
