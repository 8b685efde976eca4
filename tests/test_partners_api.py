"""Buyers read partners through GraphQL: pages, filters, nested parts, bad arguments."""

from __future__ import annotations

import pytest

from tests import factories
from tests.databases import Database, count_statements
from tests.server import GraphQLClient

PARTNERS = """
query Partners($filter: PartnerFilter, $first: Int, $after: String) {
  partners(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { slug name } }
  }
}
"""

PARTNER_IN_FULL = """
query Partner($slug: String!) {
  partner(slug: $slug) {
    id slug name summary version headquarters { city country }
    offices { city country latitude longitude isHeadquarters }
    industries { slug name }
    products { slug name vendor { slug name } }
    certifications { name year vendor { slug } }
    references { title year industry { slug } }
  }
}
"""

EVERYTHING_NESTED = """
query Everything($first: Int) {
  partners(first: $first) {
    totalCount
    edges { node {
      slug
      offices { city }
      industries { slug }
      products { slug vendor { name } }
      certifications { name vendor { slug } }
      references { title industry { name } }
      metrics { responseCount nps { value } rankingScore evidenceTier }
      reviews(first: 3) { comment }
    } }
  }
}
"""


def seed_three(db: Database) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(
            session,
            world,
            "alpha-health",
            industries=("healthcare",),
            products=("acme-crm",),
            offices=(("Berlin", "DE", 52.52, 13.405), ("Munich", "DE", 48.137, 11.575)),
            certifications=2,
            references=1,
        )
        factories.partner(
            session,
            world,
            "bravo-retail",
            industries=("retail",),
            products=("globex-erp",),
            offices=(("Chicago", "US", 41.878, -87.63),),
        )
        factories.partner(
            session,
            world,
            "charlie-both",
            industries=("healthcare", "retail"),
            products=("acme-crm", "globex-erp"),
            offices=(("Toronto", "CA", 43.65, -79.38),),
        )


def slugs(data: dict[str, object]) -> list[str]:
    connection = data["partners"]
    assert isinstance(connection, dict)
    return [edge["node"]["slug"] for edge in connection["edges"]]


def test_a_buyer_pages_through_partners_in_name_order(db: Database, api: GraphQLClient) -> None:
    seed_three(db)

    first = api.data(PARTNERS, {"first": 2})
    assert slugs(first) == ["alpha-health", "bravo-retail"]
    assert first["partners"]["totalCount"] == 3
    assert first["partners"]["pageInfo"]["hasNextPage"] is True

    after = first["partners"]["pageInfo"]["endCursor"]
    second = api.data(PARTNERS, {"first": 2, "after": after})
    assert slugs(second) == ["charlie-both"]
    assert second["partners"]["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": second["partners"]["edges"][0]["cursor"],
    }


@pytest.mark.parametrize(
    ("filter_", "expected"),
    [
        ({"industries": ["healthcare"]}, ["alpha-health", "charlie-both"]),
        (
            {"industries": ["healthcare", "retail"]},
            ["alpha-health", "bravo-retail", "charlie-both"],
        ),
        ({"products": ["globex-erp"]}, ["bravo-retail", "charlie-both"]),
        ({"countries": ["DE"]}, ["alpha-health"]),
        ({"countries": ["US", "CA"]}, ["bravo-retail", "charlie-both"]),
        ({"industries": ["retail"], "countries": ["US"]}, ["bravo-retail"]),
        ({"industries": ["energy"]}, []),
    ],
)
def test_filters_by_industry_product_and_country(
    db: Database, api: GraphQLClient, filter_: dict[str, list[str]], expected: list[str]
) -> None:
    seed_three(db)

    data = api.data(PARTNERS, {"filter": filter_})

    assert slugs(data) == expected
    assert data["partners"]["totalCount"] == len(expected)


def test_a_partner_reads_with_all_its_parts(db: Database, api: GraphQLClient) -> None:
    seed_three(db)

    partner = api.data(PARTNER_IN_FULL, {"slug": "alpha-health"})["partner"]

    assert partner["name"] == "Alpha Health"
    assert partner["version"] == 1
    assert [o["city"] for o in partner["offices"]] == ["Berlin", "Munich"]
    assert partner["offices"][0]["isHeadquarters"] is True
    assert partner["industries"] == [{"slug": "healthcare", "name": "Healthcare"}]
    assert partner["products"] == [
        {"slug": "acme-crm", "name": "Acme CRM", "vendor": {"slug": "acme", "name": "Acme Cloud"}}
    ]
    assert [c["year"] for c in partner["certifications"]] == [2020, 2021]
    assert partner["references"] == [
        {"title": "Project 0", "year": 2021, "industry": {"slug": "retail"}}
    ]


def test_an_unknown_slug_is_null(db: Database, api: GraphQLClient) -> None:
    assert api.data(PARTNER_IN_FULL, {"slug": "nobody"}) == {"partner": None}


def test_a_page_over_100_is_refused_naming_first(db: Database, api: GraphQLClient) -> None:
    body = api.execute(PARTNERS, {"first": 1000})

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": "first"}
    assert "between 0 and 100" in error["message"]


@pytest.mark.parametrize("cursor", ["not-a-cursor", "dm91Y2g6b2Zmc2V0Oi0x", "", "%%%"])
def test_a_cursor_we_did_not_give_is_refused(db: Database, api: GraphQLClient, cursor: str) -> None:
    body = api.execute(PARTNERS, {"after": cursor})

    [error] = body["errors"]
    assert error["extensions"] == {"code": "VALIDATION", "field": "after"}
    assert "not a cursor" in error["message"]


def test_unknown_filter_values_are_named(db: Database, api: GraphQLClient) -> None:
    seed_three(db)

    body = api.execute(PARTNERS, {"filter": {"industries": ["space-mining"], "countries": ["XX"]}})

    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION"
    assert "unknown industry slug 'space-mining'" in error["message"]
    assert "'XX' is not an ISO 3166-1 alpha-2 code" in error["message"]


def test_a_page_costs_the_same_queries_whatever_its_size(db: Database, api: GraphQLClient) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(120):
            factories.partner(
                session,
                world,
                f"partner-{number:03d}",
                industries=("healthcare", "retail"),
                products=("acme-crm",),
                offices=(("Oslo", "NO", 59.91, 10.75), ("Bergen", "NO", 60.39, 5.32)),
                certifications=1,
                references=1,
            )

    counts = {}
    for first in (1, 20, 100):
        with count_statements(db.engine) as statements:
            data = api.data(EVERYTHING_NESTED, {"first": first})
        assert len(data["partners"]["edges"]) == first
        assert data["partners"]["edges"][0]["node"]["offices"] == [
            {"city": "Oslo"},
            {"city": "Bergen"},
        ]
        counts[first] = len(statements)

    # the public data version (api/response_cache.py), the market NPS, the ranking
    # window (the stored keys' bound) with the total count, the page, then one query per
    # nested list: offices, industries, products (with vendors), certifications (with
    # vendors), references (with industries), the published figures, their segments (a
    # review names its industry only where that segment is shown) and the reviews. On
    # PostgreSQL the page's statement reads the offices and industries too, and the data
    # version's sets the request's statement_timeout (issue 25).
    expected = 12 - 2 * (db.backend == "postgresql")
    assert counts == {1: expected, 20: expected, 100: expected}
