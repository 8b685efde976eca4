"""Reference data: the industry taxonomy and invented software vendors with their products."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.demo_data.common import RowSink


@dataclass(frozen=True)
class IndustrySpec:
    slug: str
    name: str
    # Words that end a customer's name in this industry ("Maplebrook Health").
    customer_kinds: tuple[str, ...]


@dataclass(frozen=True)
class VendorSpec:
    slug: str
    name: str
    # How many partners work with the vendor, relative to the others.
    popularity: float
    # How its customers like the vendor itself, on the latent scale of the survey model.
    satisfaction: float
    products: tuple[tuple[str, str], ...]


INDUSTRIES: tuple[IndustrySpec, ...] = (
    IndustrySpec("healthcare", "Healthcare", ("Health", "Medical Group", "Clinics", "Care")),
    IndustrySpec("financial-services", "Financial Services", ("Bank", "Capital", "Financial")),
    IndustrySpec("insurance", "Insurance", ("Insurance", "Mutual", "Assurance")),
    IndustrySpec("retail", "Retail", ("Stores", "Outfitters", "Market", "Retail")),
    IndustrySpec("consumer-goods", "Consumer Goods", ("Brands", "Foods", "Beverages", "Home")),
    IndustrySpec("manufacturing", "Manufacturing", ("Industries", "Manufacturing", "Works")),
    IndustrySpec("automotive", "Automotive", ("Motors", "Automotive", "Mobility")),
    IndustrySpec("energy-utilities", "Energy & Utilities", ("Energy", "Power", "Utilities")),
    IndustrySpec("telecommunications", "Telecommunications", ("Telecom", "Networks", "Mobile")),
    IndustrySpec("media-entertainment", "Media & Entertainment", ("Media", "Studios", "Press")),
    IndustrySpec("travel-hospitality", "Travel & Hospitality", ("Hotels", "Travel", "Resorts")),
    IndustrySpec(
        "transportation-logistics", "Transportation & Logistics", ("Logistics", "Freight")
    ),
    IndustrySpec("public-sector", "Public Sector", ("County", "Authority", "Agency")),
    IndustrySpec("education", "Education", ("University", "College", "Academy", "Schools")),
    IndustrySpec("life-sciences", "Life Sciences", ("Biotech", "Pharma", "Therapeutics")),
    IndustrySpec(
        "professional-services", "Professional Services", ("Advisors", "Law", "Associates")
    ),
    IndustrySpec("real-estate", "Real Estate", ("Properties", "Realty", "Estates")),
    IndustrySpec("non-profit", "Non-profit", ("Foundation", "Trust", "Charity")),
    IndustrySpec("technology", "Technology", ("Software", "Technologies", "Cloud")),
    IndustrySpec("agriculture", "Agriculture", ("Farms", "Agri", "Growers")),
    IndustrySpec("construction", "Construction", ("Construction", "Builders", "Engineering")),
)

# Invented vendors; any likeness to a real product name is accidental.
VENDORS: tuple[VendorSpec, ...] = (
    VendorSpec(
        "corvane",
        "Corvane",
        1.6,
        0.2,
        (
            ("corvane-content-hub", "Corvane Content Hub"),
            ("corvane-commerce", "Corvane Commerce"),
            ("corvane-personalize", "Corvane Personalize"),
        ),
    ),
    VendorSpec(
        "tidemark-software",
        "Tidemark Software",
        1.4,
        -0.1,
        (
            ("tidemark-crm", "Tidemark CRM"),
            ("tidemark-service-desk", "Tidemark Service Desk"),
            ("tidemark-field-ops", "Tidemark Field Ops"),
            ("tidemark-partner-portal", "Tidemark Partner Portal"),
        ),
    ),
    VendorSpec(
        "quellbrook",
        "Quellbrook",
        1.0,
        -0.3,
        (
            ("quellbrook-erp", "Quellbrook ERP"),
            ("quellbrook-planning", "Quellbrook Planning"),
        ),
    ),
    VendorSpec(
        "lumoria-analytics",
        "Lumoria Analytics",
        0.8,
        0.3,
        (
            ("lumoria-insight", "Lumoria Insight"),
            ("lumoria-data-fabric", "Lumoria Data Fabric"),
            ("lumoria-forecast", "Lumoria Forecast"),
        ),
    ),
    VendorSpec(
        "halvarden",
        "Halvarden",
        1.1,
        0.0,
        (
            ("halvarden-journeys", "Halvarden Journeys"),
            ("halvarden-audience", "Halvarden Audience"),
            ("halvarden-mail", "Halvarden Mail"),
            ("halvarden-loyalty", "Halvarden Loyalty"),
        ),
    ),
    VendorSpec(
        "keelwright",
        "Keelwright",
        0.6,
        0.1,
        (
            ("keelwright-people", "Keelwright People"),
            ("keelwright-learning", "Keelwright Learning"),
        ),
    ),
)


@dataclass(frozen=True)
class Product:
    id: int
    vendor_id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Vendor:
    id: int
    spec: VendorSpec
    products: tuple[Product, ...]

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Industry:
    id: int
    spec: IndustrySpec

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass(frozen=True)
class Catalog:
    """The reference rows as inserted, with their ids, for the generators to draw from."""

    industries: tuple[Industry, ...]
    vendors: tuple[Vendor, ...]
    industry_by_id: dict[int, Industry] = field(default_factory=dict)
    vendor_by_id: dict[int, Vendor] = field(default_factory=dict)
    product_by_id: dict[int, Product] = field(default_factory=dict)


def add_reference_data(sink: RowSink) -> Catalog:
    industries = []
    for spec in INDUSTRIES:
        industry = Industry(sink.new_id("industries"), spec)
        sink.add("industries", {"id": industry.id, "slug": spec.slug, "name": spec.name})
        industries.append(industry)
    vendors = []
    for vspec in VENDORS:
        vendor_id = sink.new_id("vendors")
        sink.add(
            "vendors",
            {
                "id": vendor_id,
                "slug": vspec.slug,
                "name": vspec.name,
                "website": f"https://{vspec.slug}.example",
            },
        )
        products = []
        for slug, name in vspec.products:
            product = Product(sink.new_id("products"), vendor_id, slug, name)
            sink.add(
                "products", {"id": product.id, "vendor_id": vendor_id, "slug": slug, "name": name}
            )
            products.append(product)
        vendors.append(Vendor(vendor_id, vspec, tuple(products)))
    return Catalog(
        industries=tuple(industries),
        vendors=tuple(vendors),
        industry_by_id={industry.id: industry for industry in industries},
        vendor_by_id={vendor.id: vendor for vendor in vendors},
        product_by_id={p.id: p for vendor in vendors for p in vendor.products},
    )
