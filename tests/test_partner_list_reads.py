"""The hot list (issue 25): a page of partners by name with offices and industries, read as
plain rows through one statement built once; public and keyed callers alike."""

from __future__ import annotations

from api.readers import partners as readers
from api.services.apikeys import create_key
from tests import factories
from tests.databases import Database, count_statements
from tests.server import GraphQLClient

LIST = """
query List($first: Int, $after: String) {
  partners(first: $first, after: $after, orderBy: NAME) {
    totalCount
    pageInfo { hasNextPage }
    edges { node { slug name offices { city country isHeadquarters } industries { slug } } }
  }
}
"""


def seed(db: Database, partners: int) -> str:
    """`partners` partners (partner-000 first by name), each with two offices (Oslo the
    headquarters) and two industries; and a vendor's key."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(partners):
            factories.partner(
                session,
                world,
                f"partner-{number:03d}",
                industries=("retail", "healthcare"),
                offices=(("Oslo", "NO", 59.91, 10.75), ("Bergen", "NO", 60.39, 5.32)),
            )
        _, key = create_key(session=session, role="vendor", vendor_slug="acme")
    return key


def test_the_list_reads_the_same_for_the_public_and_a_vendor(
    db: Database, api: GraphQLClient
) -> None:
    key = seed(db, 25)

    public = api.data(LIST, {"first": 20})
    keyed = api.data(LIST, {"first": 20}, key=key)

    assert public == keyed
    page = public["partners"]
    assert page["totalCount"] == 25
    assert page["pageInfo"] == {"hasNextPage": True}
    assert [edge["node"]["slug"] for edge in page["edges"]] == [
        f"partner-{n:03d}" for n in range(20)
    ]
    # Headquarters first, then by city; industries by name (Healthcare before Retail).
    assert page["edges"][7]["node"] == {
        "slug": "partner-007",
        "name": "Partner 007",
        "offices": [
            {"city": "Oslo", "country": "NO", "isHeadquarters": True},
            {"city": "Bergen", "country": "NO", "isHeadquarters": False},
        ],
        "industries": [{"slug": "healthcare"}, {"slug": "retail"}],
    }


def test_the_list_costs_the_same_statements_whatever_its_size_and_caller(
    db: Database, api: GraphQLClient
) -> None:
    key = seed(db, 30)
    counts = {}
    for first in (1, 20, 30):
        for caller in ("public", "vendor"):
            with count_statements(db.engine) as statements:
                data = api.data(LIST, {"first": first}, key=key if caller == "vendor" else None)
            assert len(data["partners"]["edges"]) == first
            counts[first, caller] = len(statements)

    # The public: the data version (api/response_cache.py); a vendor: its key. On
    # PostgreSQL that first statement also sets the request's statement_timeout (no SET of
    # its own), and the page's one statement reads its count, offices and industries too
    # (issue 25); on SQLite the offices and the industries are a statement each.
    assert set(counts.values()) == {2 if db.backend == "postgresql" else 4}, counts


def test_a_page_past_the_end_still_counts(db: Database, api: GraphQLClient) -> None:
    seed(db, 3)
    last = api.data(LIST, {"first": 2})["partners"]
    assert last["totalCount"] == 3

    # After the third partner (offset 3): an empty page, whose count is asked on its own.
    past = api.data(LIST, {"first": 2, "after": "dm91Y2g6b2Zmc2V0OjI="})["partners"]

    assert past == {"totalCount": 3, "pageInfo": {"hasNextPage": False}, "edges": []}


def test_the_unfiltered_page_is_built_once_per_order_and_count() -> None:
    by_name = readers._unfiltered_page("name", True)

    assert readers._unfiltered_page("name", True) is by_name
    assert readers._unfiltered_page("name", False) is not by_name
    assert readers._unfiltered_page("nps", True) is not by_name


def test_relations_read_with_the_page_are_those_their_own_statements_read(db: Database) -> None:
    """On PostgreSQL the page's statement reads its offices and industries as JSON: the
    same rows, in the same order (headquarters first, then the database's order of cities;
    industries by name), floats to the last bit, and none for a partner with none."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(
            session,
            world,
            "a-first",
            industries=("retail", "healthcare", "energy"),
            offices=(
                ("Zürich", "CH", 47.376887, 8.541694),
                ("oslo", "NO", 0.1 + 0.2, -(2.0**-40)),
                ("Ålesund", "NO", 62.47225, 6.15492),
                ("Bergen", "NO", 60.391262, 5.322054),
                ("Bergen", "NO", 1e-300, 179.99999999999997),
            ),
        )
        factories.partner(session, world, "b-second")  # no office, no industry
    with db.session() as session:
        page = readers.page_of_partners(
            session=session,
            wanted=readers.PartnerFilter(),
            offset=0,
            limit=5,
            order="name",
            relations=readers.RELATIONS,
        )
        ids = [row.id for row in page.rows]
        assert [row.slug for row in page.rows] == ["a-first", "b-second"]
        own_offices = readers.offices_of(session, ids)
        own_industries = readers.industries_of(session, ids)
    if db.backend != "postgresql":
        assert (page.offices, page.industries) == (None, None)  # left to their statements
        return
    assert page.offices == {ids[0]: own_offices[ids[0]], ids[1]: []}
    assert page.industries == {ids[0]: own_industries[ids[0]], ids[1]: []}
    offices = page.offices[ids[0]]
    assert offices[0].city == "Zürich"
    assert offices[0].is_headquarters is True
    assert {office.latitude for office in offices} >= {0.1 + 0.2, 1e-300}
    assert [industry.slug for industry in page.industries[ids[0]]] == [
        "energy",
        "healthcare",
        "retail",
    ]
