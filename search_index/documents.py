"""What the index holds of a partner, read from the database in batches.

Partners and their figures come from `api.readers.published`, the reader GraphQL and the
site use too: the published copies with the withholding rules applied, so nothing withheld
is indexed.
The document keeps the partner's NPS and its n rather than a ranking score: the score also
reads the market NPS, which moves with every publication anywhere, so it is worked out at
query time from these two and the market of the moment.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from api.countries import country_name
from api.readers import figures as figure_rows
from api.readers.published import Part, PublishedPartner, published_partners

BATCH = 1000
PARTS: frozenset[Part] = frozenset({"offices", "industries", "products"})


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


def read_documents(session: Session, ids: Sequence[int]) -> Iterator[PartnerDocument]:
    """The documents of the partners in `ids` that exist, BATCH partners per five queries."""
    market = figure_rows.market_overall_nps(session)
    found = published_partners(session, ids, parts=PARTS, market_nps=market, batch=BATCH)
    yield from map(document, found)


def document(found: PublishedPartner) -> PartnerDocument:
    row = found.partner
    nps = found.figures.overall.nps
    shown = not nps.withheld and nps.value is not None
    countries = sorted({office.country for office in found.offices})
    tags = [
        *(_words(value) for value in row.capabilities),
        *(_words(value) for value in row.partner_types),
        *(industry.name for industry in found.industries),
        *(f"{vendor.name} {product.name}" for product, vendor in found.products),
    ]
    places = [office.city for office in found.offices]
    places += [country_name(code) for code in countries]
    return PartnerDocument(
        partner_id=row.id,
        slug=row.slug,
        name=row.name,
        summary=row.summary or "",
        description=row.description or "",
        tags=" ; ".join(tags),
        places=" ; ".join(dict.fromkeys(places)),
        industries=tuple(industry.slug for industry in found.industries),
        products=tuple(product.slug for product, _ in found.products),
        countries=tuple(countries),
        partner_types=tuple(row.partner_types),
        capabilities=tuple(row.capabilities),
        evidence_tier=found.figures.evidence_tier,
        nps_n=nps.n if shown else 0,
        nps=float(nps.value) if shown and nps.value is not None else 0.0,
    )
