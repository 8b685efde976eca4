"""A page of partners answered by one SQL statement (api/schema/sql_pages.py, issue 25).

The database writes each node's answer; the answer must be the ordinary executor's, byte
for byte, for every selection and argument, and the ordinary way must answer whatever the
plan is not sure of (then the answers are its own, errors included)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from api.models import Partner, published_tallies
from api.schema import sql_pages
from api.schema.execution import VouchExecution
from api.schema.pagination import encode_cursor
from tests import factories
from tests.databases import Database, count_statements
from tests.server import GraphQLClient

# Text a JSON writer could get wrong: quotes, backslashes, control characters, line and
# paragraph separators, characters outside the BMP, right-to-left text, markup.
AWKWARD = [
    'Quote " and \\ backslash',
    "tab\tnewline\nreturn\r\x01\x1f\x7f",
    "line\u2028para\u2029 zero\u200bwidth",
    "emoji \U0001f600 and \U00010348 gothic",
    "עברית and العربية",
    "<script>alert(1)</script> &amp;",
    "",
]


def seed(db: Database) -> None:
    """Nine partners with offices, industries, awkward text, a null here and there, and
    published answers for some (so the NPS, response-count and ranking orders differ)."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(9):
            row = factories.partner(
                session,
                world,
                f"p-{number}",
                name=f"{AWKWARD[number % len(AWKWARD)]} {number}",
                industries=(("retail", "healthcare"), ("energy",), ())[number % 3],
                offices=(
                    (("Zürich", "CH", 47.37, 8.54), ("Ålesund", "NO", 62.47, 6.15))
                    if number % 2
                    else ()
                ),
            )
            row.description = AWKWARD[(number + 3) % len(AWKWARD)] if number % 4 else None
            row.website = f"https://p{number}.example" if number % 3 else None
            row.languages = ["en", "de", "日本語"][: number % 4]
            row.founded_year = 1990 + number if number % 2 else None
            row.headquarters_city = "Köln" if number % 3 == 1 else None
            row.headquarters_country = "DE" if number % 3 == 1 else None
            row.hourly_rate_min = 100 + number if number % 2 == 0 else None
            session.flush()
            if number % 3:
                counts = {f"lp_{score}": (number * score) % 4 for score in range(11)}
                session.execute(
                    insert(published_tallies).values(
                        partner_id=row.id,
                        kind="all",
                        segment="",
                        n=sum(counts.values()),
                        **counts,
                    )
                )


@pytest.fixture
def plans_on() -> Iterator[None]:
    yield
    VouchExecution.use_plans = True


def both_ways(api: GraphQLClient, query: str, variables: dict | None = None) -> tuple[bytes, bytes]:
    """The raw answer with plans, then without."""
    answers = []
    for use in (True, False):
        VouchExecution.use_plans = use
        response = api.http.post(
            f"{api.base_url}/graphql", json={"query": query, "variables": variables or {}}
        )
        answers.append(response.content)
    VouchExecution.use_plans = True
    return answers[0], answers[1]


def planned(query: str) -> bool:
    """Whether a plan was compiled for this document (and not given up on)."""
    return any(
        plan is not None and nodes[0].loc is not None and nodes[0].loc.source.body == query
        for nodes, plan in sql_pages._plans.values()
    )


HOT = """
query List($first: Int, $after: String) {
  partners(first: $first, after: $after, orderBy: NAME) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node { id slug name offices { city country isHeadquarters } industries { slug } }
    }
  }
}
"""


def test_the_hot_list_is_answered_by_one_statement_with_the_hand_answer(
    db: Database, api: GraphQLClient, plans_on: None
) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(
            session,
            world,
            "b-second",
            name='B "second"',
            industries=("retail", "healthcare"),
            offices=(("Oslo", "NO", 59.9, 10.7), ("Bergen", "NO", 60.3, 5.3)),
        )
        factories.partner(session, world, "a-first", name="A first")
        factories.partner(session, world, "c-third", name="C third")
    with db.session() as session:
        ids = {slug: pid for pid, slug in session.query(Partner.id, Partner.slug)}

    with count_statements(db.engine) as statements:
        page = api.data(HOT, {"first": 2})["partners"]

    assert page == {
        "totalCount": 3,
        "pageInfo": {"hasNextPage": True, "endCursor": encode_cursor(1)},
        "edges": [
            {
                "cursor": encode_cursor(0),
                "node": {
                    "id": str(ids["a-first"]),
                    "slug": "a-first",
                    "name": "A first",
                    "offices": [],
                    "industries": [],
                },
            },
            {
                "cursor": encode_cursor(1),
                "node": {
                    "id": str(ids["b-second"]),
                    "slug": "b-second",
                    "name": 'B "second"',
                    # headquarters first, then by city; industries by name
                    "offices": [
                        {"city": "Oslo", "country": "NO", "isHeadquarters": True},
                        {"city": "Bergen", "country": "NO", "isHeadquarters": False},
                    ],
                    "industries": [{"slug": "healthcare"}, {"slug": "retail"}],
                },
            },
        ],
    }
    if db.backend == "postgresql":
        # The data version with the request's timeout, then the page: count, partners,
        # offices and industries in one statement.
        assert planned(HOT)
        assert len(statements) == 2, statements
        assert "json_build_object" in statements[1]
    else:
        assert not planned(HOT)  # SQLite: the ordinary way, one statement a relation
        assert len(statements) == 4, statements


def test_a_document_is_planned_once(db: Database, api: GraphQLClient, plans_on: None) -> None:
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite answers every page the ordinary way")
    seed(db)
    query = "{ partners(first: 3, orderBy: NAME) { edges { node { slug } } } }"
    api.data(query)
    kept = [plan for nodes, plan in sql_pages._plans.values() if nodes[0].loc.source.body == query]
    api.data(query)
    again = [plan for nodes, plan in sql_pages._plans.values() if nodes[0].loc.source.body == query]

    assert len(kept) == 1
    assert kept[0] is not None
    assert again == kept  # the same Plan object: compiled once for the document


@pytest.mark.parametrize(
    ("query", "why"),
    [
        (
            "{ partners(first: 2) { edges { node { slug metrics { evidenceTier } } } } }",
            "a figure is Python's",
        ),
        (
            "{ partners(first: 2) { edges { node { offices { latitude } } } } }",
            "a Float is written by Python",
        ),
        (
            "{ partners(first: 2) { edges { node { partnerTypes } } } }",
            "an enum is serialised by Python",
        ),
        (
            "{ partners(first: 2) { edges { node { slug reviews(first: 1) { body } } } } }",
            "a field with arguments",
        ),
        (
            "{ partners(first: 2) { edges { node { slug name @include(if: true) } } } }",
            "a directive",
        ),
        (
            "{ partners(first: 2) { edges { a: node { slug } b: node { name } } } }",
            "two names for the node",
        ),
        (
            "{ partners(first: 2) { a: edges { cursor } b: edges { node { slug } } } }",
            "two selections of the edges",
        ),
        (
            "{ partners(first: 2) { a: pageInfo { hasNextPage } b: pageInfo { endCursor } } }",
            "two selections of pageInfo",
        ),
    ],
)
def test_what_a_plan_is_not_sure_of_runs_the_ordinary_way(
    db: Database, api: GraphQLClient, plans_on: None, query: str, why: str
) -> None:
    seed(db)
    with_plans, without = both_ways(api, query)

    assert with_plans == without, why
    assert not planned(query), why


def test_refused_arguments_are_refused_in_the_ordinary_way_s_words(
    db: Database, api: GraphQLClient, plans_on: None
) -> None:
    seed(db)
    for query in (
        "{ partners(first: 101) { totalCount } }",
        '{ partners(after: "nonsense") { totalCount } }',
        '{ partners(filter: {industries: ["nope"]}) { totalCount } }',
    ):
        with_plans, without = both_ways(api, query)
        assert with_plans == without
        assert b'"code":"VALIDATION"' in with_plans, with_plans


NODE_FIELDS = [
    "id",
    "slug",
    "name",
    "summary",
    "description",
    "website",
    "version",
    "employeeBand",
    "foundedYear",
    "languages",
    "hourlyRateMin",
    "hourlyRateMax",
    "minProjectBudget",
    "deliveryCapacity",
    "__typename",
    "headquarters { city country __typename }",
    "headquarters { country }",
    "offices { id city country isHeadquarters __typename }",
    "offices { city }",
    "industries { slug name __typename }",
    "industries { name }",
    "engagementsInProgress",  # a resolver: the ordinary way answers the page
]


def _selection(fields: list[str], aliases: list[str]) -> str:
    return " ".join(f"{alias}{field}" for alias, field in zip(aliases, fields, strict=False))


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, dict]:
    node_fields = draw(st.lists(st.sampled_from(NODE_FIELDS), min_size=1, max_size=8, unique=True))
    # An alias for some fields, each its own (a0, a1...): two fields under one name would be
    # a document both ways refuse alike, and prove nothing of the plan.
    renamed = draw(st.lists(st.booleans(), min_size=8, max_size=8))
    node_aliases = [f"a{index}: " if alias else "" for index, alias in enumerate(renamed)]
    node = _selection(node_fields, node_aliases)
    if draw(st.booleans()):
        node = f"...N {node}" if draw(st.booleans()) else f"... on Partner {{ {node} }}"
    edge = draw(
        st.lists(
            st.sampled_from([f"node {{ {node} }}", "cursor", "snippet", "__typename"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    connection = draw(
        st.lists(
            st.sampled_from(
                [
                    f"edges {{ {' '.join(edge)} }}",
                    "totalCount",
                    "count: totalCount",
                    "pageInfo { hasNextPage endCursor __typename }",
                    "pageInfo { endCursor }",
                    "more: edges { cursor __typename }",
                    "__typename",
                ]
            ),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    arguments = {
        "first": draw(st.sampled_from([None, 0, 1, 3, 9, 20, 100])),
        "after": draw(
            st.sampled_from([None, encode_cursor(0), encode_cursor(4), encode_cursor(8)])
        ),
        "orderBy": draw(st.sampled_from([None, "NAME", "NPS", "RESPONSE_COUNT", "RANKING_SCORE"])),
        "filter": draw(
            st.sampled_from(
                [
                    None,
                    {"countries": ["NO"]},
                    {"industries": ["retail"]},
                    {"partnerTypes": ["reseller"]},
                ]
            )
        ),
    }
    if draw(st.booleans()):  # as variables
        query = (
            "query P($first: Int, $after: String, $orderBy: PartnerOrder! = RANKING_SCORE, "
            "$filter: PartnerFilter) { partners(first: $first, after: $after, "
            f"orderBy: $orderBy, filter: $filter) {{ {' '.join(connection)} }} }}"
        )
        variables = {name: value for name, value in arguments.items() if value is not None}
    else:  # written out in the document (a plan converts them once)
        written = ", ".join(
            f"{name}: {_literal(value, enum=name == 'orderBy')}"
            for name, value in arguments.items()
            if value is not None
        )
        query = f"{{ partners{f'({written})' if written else ''} {{ {' '.join(connection)} }} }}"
        variables = {}
    if "...N" in query:
        query += f" fragment N on Partner {{ {_selection(node_fields, node_aliases)} }}"
    return query, variables


def _literal(value: object, *, enum: bool = False) -> str:
    """A GraphQL literal of a JSON-like value (an enum value bare)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_literal(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(item) for item in value) + "]"
    if isinstance(value, str) and not enum:
        return json.dumps(value)
    return str(value)


def test_every_drawn_page_is_the_ordinary_answer_byte_for_byte(
    db: Database, api: GraphQLClient, plans_on: None
) -> None:
    seed(db)
    drawn: list[bool] = []

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(documents())
    def same_answer(document: tuple[str, dict]) -> None:
        query, variables = document
        with_plans, without = both_ways(api, query, variables)
        assert with_plans == without, (query, variables)
        drawn.append(planned(query))

    same_answer()
    if db.backend == "postgresql":
        assert sum(drawn) >= len(drawn) // 2, "most drawn pages are planned"
    else:
        assert not any(drawn)
