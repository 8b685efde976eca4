"""A vendor runs its catalogue and program through GraphQL: createVendor (admin), addProduct
and setProgramMembership (the vendor itself, or admin), the products list; bad input is
VALIDATION naming the field, and tier, revenue and sponsorship move no ranking or match.
(Every caller against every mutation: tests/test_authorization_matrix.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from api.models import AuditEntry, Product, Vendor, VendorProgramMembership
from api.services import changes
from tests import factories
from tests.databases import Database, count_statements
from tests.matching_world import answers, publish
from tests.server import GraphQLClient

ERRORS = "errors { field code message }"
CREATE_VENDOR = f"""
mutation($input: NewVendorInput!) {{
  createVendor(input: $input) {{ vendor {{ slug name website }} {ERRORS} }}
}}"""
ADD_PRODUCT = f"""
mutation($vendor: String!, $input: NewProductInput!) {{
  addProduct(vendor: $vendor, input: $input) {{
    product {{ slug name vendor {{ slug }} }} {ERRORS}
  }}
}}"""
SET_MEMBERSHIP = f"""
mutation($partner: String!, $vendor: String!, $input: MembershipInput!) {{
  setProgramMembership(partnerSlug: $partner, vendor: $vendor, input: $input) {{
    membership {{ partner {{ slug }} vendor {{ slug }} tier annualRevenue sponsored }} {ERRORS}
  }}
}}"""
VENDORS = "{ vendors { slug name website } }"
PRODUCTS = "{ products { slug name vendor { slug name } } }"


def errors(api: GraphQLClient, document: str, variables: dict[str, Any], key: str) -> Any:
    """The payload's errors as (field, code), of a request with no top-level error."""
    payload = next(iter(api.data(document, variables, key=key).values()))
    return [(e["field"], e["code"]) for e in payload["errors"]]


def count(db: Database, model: type[Any]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_admin_creates_a_vendor_every_buyer_then_sees(
    keys: dict[str, str], api: GraphQLClient, db: Database
) -> None:
    new = {"slug": "initech", "name": " Initech ", "website": "https://initech.example"}

    created = api.data(CREATE_VENDOR, {"input": new}, key=keys["admin"])["createVendor"]

    vendor = {"slug": "initech", "name": "Initech", "website": "https://initech.example"}
    assert created == {"vendor": vendor, "errors": []}
    assert vendor in api.data(VENDORS)["vendors"]
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vendor.create"))
        assert [row.entity_id for row in entry] == ["initech"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"slug": "acme", "name": "Acme Again"}, [("slug", "VALIDATION")]),  # duplicate
        ({"slug": "Not A Slug", "name": "x"}, [("slug", "VALIDATION")]),
        ({"slug": "a" * 65, "name": "x"}, [("slug", "VALIDATION")]),
        ({"slug": "initech", "name": "  "}, [("name", "VALIDATION")]),
        ({"slug": "initech", "name": "x" * 121}, [("name", "VALIDATION")]),
        ({"slug": "initech", "name": "x", "website": "ftp://x"}, [("website", "VALIDATION")]),
    ],
)
def test_a_bad_vendor_is_refused_naming_the_field(
    keys: dict[str, str],
    api: GraphQLClient,
    db: Database,
    values: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    assert errors(api, CREATE_VENDOR, {"input": values}, keys["admin"]) == expected
    assert count(db, Vendor) == 2  # acme and globex, as before


def test_a_vendor_adds_its_own_product_and_buyers_list_it(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    new = {"slug": "acme-analytics", "name": "Acme Analytics"}

    added = api.data(ADD_PRODUCT, {"vendor": "acme", "input": new}, key=keys["acme"])

    assert added["addProduct"] == {
        "product": {"slug": "acme-analytics", "name": "Acme Analytics", "vendor": {"slug": "acme"}},
        "errors": [],
    }
    assert [(p["slug"], p["vendor"]["slug"]) for p in api.data(PRODUCTS)["products"]] == [
        ("acme-analytics", "acme"),  # by name: Acme Analytics, Acme CRM, Globex ERP Suite
        ("acme-crm", "acme"),
        ("globex-erp", "globex"),
    ]


@pytest.mark.parametrize("caller", ["globex", "alpha", None])
def test_only_the_vendor_itself_or_an_admin_adds_its_products(
    keys: dict[str, str], api: GraphQLClient, db: Database, caller: str | None
) -> None:
    variables = {"vendor": "acme", "input": {"slug": "acme-analytics", "name": "Acme Analytics"}}
    key = keys[caller] if caller else None

    assert api.error_codes(ADD_PRODUCT, variables, key=key) == ["FORBIDDEN"]
    assert count(db, Product) == 2
    admin = api.data(ADD_PRODUCT, variables, key=keys["admin"])["addProduct"]
    assert admin["errors"] == []


@pytest.mark.parametrize(
    ("vendor", "values", "expected"),
    [
        ("nope", {"slug": "nope-crm", "name": "Nope"}, [("vendor", "VALIDATION")]),
        ("acme", {"slug": "globex-erp", "name": "Taken"}, [("slug", "VALIDATION")]),
        ("acme", {"slug": "Acme_BI", "name": "BI"}, [("slug", "VALIDATION")]),
        ("acme", {"slug": "acme-bi", "name": ""}, [("name", "VALIDATION")]),
    ],
)
def test_a_bad_product_is_refused_naming_the_field(
    keys: dict[str, str],
    api: GraphQLClient,
    db: Database,
    vendor: str,
    values: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    variables = {"vendor": vendor, "input": values}
    assert errors(api, ADD_PRODUCT, variables, keys["admin"]) == expected
    assert count(db, Product) == 2


def test_a_vendor_key_naming_an_unknown_vendor_is_refused_not_told(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    variables = {"vendor": "nope", "input": {"slug": "nope-crm", "name": "Nope"}}
    assert api.error_codes(ADD_PRODUCT, variables, key=keys["acme"]) == ["FORBIDDEN"]


def membership(api: GraphQLClient, key: str, **values: Any) -> Any:
    variables = {"partner": "alpha-health", "vendor": "acme", "input": values}
    return api.data(SET_MEMBERSHIP, variables, key=key)["setProgramMembership"]


def test_a_vendor_sets_and_changes_a_membership(keys: dict[str, str], api: GraphQLClient) -> None:
    first = membership(api, keys["acme"], tier="silver")
    assert first == {
        "membership": {
            "partner": {"slug": "alpha-health"},
            "vendor": {"slug": "acme"},
            "tier": "silver",
            "annualRevenue": 0,
            "sponsored": False,
        },
        "errors": [],
    }

    # a field left out keeps its value
    second = membership(api, keys["acme"], annualRevenue=2_000_000_000, sponsored=True)
    assert second["membership"] | {"partner": None, "vendor": None} == {
        "partner": None,
        "vendor": None,
        "tier": "silver",
        "annualRevenue": 2_000_000_000,
        "sponsored": True,
    }
    third = membership(api, keys["admin"], tier="platinum", annualRevenue=0)
    assert (third["membership"]["tier"], third["membership"]["annualRevenue"]) == ("platinum", 0)
    assert third["membership"]["sponsored"] is True


@pytest.mark.parametrize(
    ("partner", "vendor", "values", "expected"),
    [
        ("alpha-health", "acme", {}, [("tier", "VALIDATION")]),  # new: the tier is required
        ("alpha-health", "acme", {"tier": "diamond"}, [("tier", "VALIDATION")]),
        ("alpha-health", "acme", {"tier": "Gold"}, [("tier", "VALIDATION")]),
        (
            "alpha-health",
            "acme",
            {"tier": "gold", "annualRevenue": -1},
            [("annualRevenue", "VALIDATION")],
        ),
        (
            "alpha-health",
            "acme",
            {"tier": "gold", "annualRevenue": 2_000_000_001},
            [("annualRevenue", "VALIDATION")],
        ),
        ("nope", "acme", {"tier": "gold"}, [("partnerSlug", "VALIDATION")]),
        ("alpha-health", "nope", {"tier": "gold"}, [("vendor", "VALIDATION")]),
    ],
)
def test_a_bad_membership_is_refused_naming_the_field(
    keys: dict[str, str],
    api: GraphQLClient,
    db: Database,
    partner: str,
    vendor: str,
    values: dict[str, Any],
    expected: list[tuple[str, str]],
) -> None:
    variables = {"partner": partner, "vendor": vendor, "input": values}
    assert errors(api, SET_MEMBERSHIP, variables, keys["admin"]) == expected
    assert count(db, VendorProgramMembership) == 0


def test_a_bad_change_leaves_the_membership_as_it_was(
    keys: dict[str, str], api: GraphQLClient
) -> None:
    membership(api, keys["acme"], tier="gold", annualRevenue=5)
    variables = {
        "partner": "alpha-health",
        "vendor": "acme",
        "input": {"tier": "silver", "annualRevenue": -5},
    }
    assert errors(api, SET_MEMBERSHIP, variables, keys["acme"]) == [("annualRevenue", "VALIDATION")]
    kept = membership(api, keys["acme"])["membership"]
    assert (kept["tier"], kept["annualRevenue"]) == ("gold", 5)


@pytest.mark.parametrize("products", [2, 12])
def test_the_products_list_is_one_statement_whatever_its_length(
    db: Database, api: GraphQLClient, products: int
) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(products - 2):
            session.add(
                Product(slug=f"acme-p{number}", name=f"P{number}", vendor=world.vendors["acme"])
            )
    with count_statements(db.engine) as statements:
        listed = api.data(PRODUCTS)["products"]
    assert len(listed) == products
    # the public data version (the ETag; on PostgreSQL it also sets the statement timeout);
    # the products with their vendors
    assert len(statements) == 2, statements


# -- tier, revenue and sponsorship set through the API move nothing -------------------------

RANKED = "{ partners(first: 20) { edges { node { slug metrics { rankingScore } } } } }"
BEST_FIT = """
query($need: ProjectNeed!) { bestFitPartners(need: $need) { partner { slug } score } }
"""
NEED = {"industry": "retail", "products": ["acme-crm"]}
SCORES = {"best": [10] * 6, "middle": [9, 8, 7, 10, 6], "worst": [0, 3, 6, 9, 2]}


def test_money_set_through_the_api_moves_no_ranking_and_no_match(
    db: Database, api: GraphQLClient
) -> None:
    # given: three partners with published answers, ranked and matched
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug, scores in SCORES.items():
            row = factories.partner(session, world, slug, industries=("retail",))
            answers(session, world, row.id, "retail", scores)
        publish(session)
        key = factories.key(session, "vendor", vendor="acme")
    ranked_before = api.data(RANKED)
    matched_before = api.data(BEST_FIT, {"need": NEED}, key=key)
    assert [e["node"]["slug"] for e in ranked_before["partners"]["edges"]] == [
        "best",
        "middle",
        "worst",
    ]

    # when: the vendor makes the worst its sponsored top earner, the best its lowest tier
    top = {"tier": "platinum", "annualRevenue": 2_000_000_000, "sponsored": True}
    low = {"tier": "registered", "annualRevenue": 0, "sponsored": False}
    for partner, values in (("worst", top), ("best", low), ("middle", low)):
        variables = {"partner": partner, "vendor": "acme", "input": values}
        assert api.data(SET_MEMBERSHIP, variables, key=key)["setProgramMembership"]["errors"] == []
    with db.session() as session, session.begin():
        # the match index reads every partner again, so nothing is served from before
        changes.record(session, partner_id=None, reason="everything")

    # then: the same order, the same scores, the same matches
    assert api.data(RANKED) == ranked_before
    assert api.data(BEST_FIT, {"need": NEED}, key=key) == matched_before
