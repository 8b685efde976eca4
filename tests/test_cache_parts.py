"""Kept public answers survive writes to what they did not show, never one to what they did.

A partner's page (`partner(slug:)`) is kept by that partner's part of the data (and the
market's, when it shows the ranking score); lists and rankings by the whole data version
(api/response_cache.py, api/schema/answer_parts.py). Whether an answer came from the cache
is read where an operator reads it: GET /metrics.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import GraphQLObjectType, parse
from sqlalchemy import insert

from api.models import public_version
from api.schema import schema
from api.schema.answer_parts import MARKET_FIELDS, OWN_RESOLVERS, Shape, _has_resolver, shape_of
from api.settings import Settings
from tests import factories, public_answers
from tests.databases import Database, count_statements
from tests.server import GraphQLClient, running_server
from tests.survey_flow import engagement_input, invite, record, submit
from tests.test_authorization_matrix import MUTATIONS, OTHER, OWN
from tests.test_public_version import CALLER_PREFERENCE, SHOWS, world

METRICS_TOKEN = "m" * 40
_nonce = itertools.count()
PAGE = """
query Page($slug: String!) {
  partner(slug: $slug) { slug summary metrics { responseCount invitationCount } }
}
"""
RANKED_PAGE = "query Ranked($slug: String!) { partner(slug: $slug) { metrics { rankingScore } } }"
LIST = "{ partners(first: 5, orderBy: NAME) { edges { node { slug metrics { responseCount } } } } }"
UPDATE = """
mutation Update($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version } errors { code }
  }
}
"""
CREATE = """
mutation Create($input: NewPartnerInput!) {
  createPartner(input: $input) { partner { slug } errors { code } }
}
"""


@pytest.fixture(scope="module")
def served(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service with /metrics open to the test's scraper token."""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("parts"),
        database_url=database.url,
        environment="test",
        metrics_token=METRICS_TOKEN,
    )
    with running_server(settings, database.engine) as url:
        yield url


@pytest.fixture
def client(db: Database, served: str) -> Iterator[GraphQLClient]:
    with httpx.Client(timeout=30) as http:
        yield GraphQLClient(base_url=served, http=http)


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """alpha-health and bravo-retail, keys for each, for the vendor acme and an admin."""
    with db.session() as session, session.begin():
        # A migrated database has the version row; the test wipe took it.
        session.execute(insert(public_version).values(id=1, version=1))
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        factories.partner(session, world, "bravo-retail", industries=("retail",))
        return {
            "alpha": factories.key(session, "partner", partner="alpha-health"),
            "bravo": factories.key(session, "partner", partner="bravo-retail"),
            "acme": factories.key(session, "vendor", vendor="acme"),
            "admin": factories.key(session, "admin"),
        }


def cache_counts(client: GraphQLClient) -> dict[str, float]:
    """The response cache's counts by outcome (hit, miss, stale), as /metrics has them."""
    text = client.http.get(
        f"{client.base_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    ).text
    found = re.findall(r'^vouch_response_cache_total\{outcome="(\w+)"\} (\S+)$', text, re.M)
    return {outcome: float(value) for outcome, value in found}


def get(client: GraphQLClient, query: str, **variables: Any) -> tuple[httpx.Response, str]:
    """A public GET and what the cache did for it (hit, miss or stale)."""
    before = cache_counts(client)
    params = {"query": query}
    if variables:
        params["variables"] = json.dumps(variables)
    response = client.http.get(f"{client.base_url}/graphql", params=params)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    after = cache_counts(client)
    [outcome] = [name for name in after if after[name] != before.get(name, 0.0)]
    return response, outcome


def publish_five_answers(client: GraphQLClient, keys: dict[str, str], slug: str) -> None:
    """Five nines for `slug`: its first publication, and the market's."""
    partner_key = keys["alpha" if slug == "alpha-health" else "bravo"]
    engagement = record(client, keys["acme"], partner_key=partner_key, **engagement_input(slug))
    for n in range(5):
        token = invite(client, keys["acme"], engagement, f"p{n}@mercy.example")
        assert submit(client, token, likelihoodToRecommend=9)["accepted"] is True


def test_a_publication_leaves_another_partners_kept_page_and_refreshes_its_own(
    client: GraphQLClient, keys: dict[str, str]
) -> None:
    # given both partners' pages, asked twice: kept
    bravo, outcome = get(client, PAGE, slug="bravo-retail")
    assert outcome == "miss"
    assert get(client, PAGE, slug="bravo-retail")[1] == "hit"
    alpha, _ = get(client, PAGE, slug="alpha-health")
    assert alpha.json()["data"]["partner"]["metrics"]["responseCount"] == 0
    assert get(client, PAGE, slug="alpha-health")[1] == "hit"

    # when alpha-health's first five answers are published (and the market with them)
    publish_five_answers(client, keys, "alpha-health")

    # then bravo-retail's page is still served from the cache, the same answer and tag
    again, outcome = get(client, PAGE, slug="bravo-retail")
    assert outcome == "hit"
    assert again.content == bravo.content
    assert again.headers["etag"] == bravo.headers["etag"]
    # and alpha-health's is worked out again, with the new numbers and a new tag
    fresh, outcome = get(client, PAGE, slug="alpha-health")
    assert outcome == "stale"
    assert fresh.json()["data"]["partner"]["metrics"] == {
        "responseCount": 5,
        "invitationCount": 5,
    }
    assert fresh.headers["etag"] != alpha.headers["etag"]
    assert get(client, PAGE, slug="alpha-health")[1] == "hit"


def test_a_list_and_a_page_showing_the_market_are_refreshed_by_any_publication(
    client: GraphQLClient, keys: dict[str, str]
) -> None:
    # given the list and bravo-retail's ranking score (the market's NPS: it has no answers)
    get(client, LIST)
    assert get(client, LIST)[1] == "hit"
    ranked, _ = get(client, RANKED_PAGE, slug="bravo-retail")
    assert ranked.json()["data"]["partner"]["metrics"] == {"rankingScore": 0.0}
    assert get(client, RANKED_PAGE, slug="bravo-retail")[1] == "hit"

    # when alpha-health publishes five nines: the market NPS is 100
    publish_five_answers(client, keys, "alpha-health")

    # then neither is served kept: the list shows alpha-health's count, and bravo-retail's
    # score is the new market NPS
    after, outcome = get(client, LIST)
    assert outcome == "stale"
    assert [e["node"] for e in after.json()["data"]["partners"]["edges"]] == [
        {"slug": "alpha-health", "metrics": {"responseCount": 5}},
        {"slug": "bravo-retail", "metrics": {"responseCount": 0}},
    ]
    moved, outcome = get(client, RANKED_PAGE, slug="bravo-retail")
    assert outcome == "stale"
    assert moved.json()["data"]["partner"]["metrics"] == {"rankingScore": 100.0}
    assert moved.headers["etag"] != ranked.headers["etag"]


def test_a_profile_edit_refreshes_only_that_partners_page_and_the_list(
    client: GraphQLClient, keys: dict[str, str]
) -> None:
    # given both pages and the list, kept
    for slug in ("alpha-health", "bravo-retail"):
        get(client, PAGE, slug=slug)
    listed, _ = get(client, LIST)

    # when bravo-retail edits its summary
    variables = {"slug": "bravo-retail", "version": 1, "input": {"summary": "fresh"}}
    payload = client.data(UPDATE, variables, key=keys["bravo"])["updatePartnerProfile"]
    assert payload["errors"] == []

    # then alpha-health's page is served kept, bravo-retail's shows the edit, and so does
    # the list (whose tag an If-None-Match no longer matches)
    assert get(client, PAGE, slug="alpha-health")[1] == "hit"
    bravo, outcome = get(client, PAGE, slug="bravo-retail")
    assert (outcome, bravo.json()["data"]["partner"]["summary"]) == ("stale", "fresh")
    conditional = client.http.get(
        f"{client.base_url}/graphql",
        params={"query": LIST},
        headers={"If-None-Match": listed.headers["etag"]},
    )
    assert conditional.status_code == 200
    assert get(client, LIST)[1] == "hit"


def test_a_page_tag_answers_304_until_that_partner_changes(
    client: GraphQLClient, keys: dict[str, str]
) -> None:
    # given alpha-health's page and its tag
    first, _ = get(client, PAGE, slug="alpha-health")
    params = {"query": PAGE, "variables": '{"slug": "alpha-health"}'}

    def conditional() -> httpx.Response:
        return client.http.get(
            f"{client.base_url}/graphql",
            params=params,
            headers={"If-None-Match": first.headers["etag"]},
        )

    # when bravo-retail changes, alpha-health's tag still matches
    variables = {"slug": "bravo-retail", "version": 1, "input": {"summary": "other"}}
    client.data(UPDATE, variables, key=keys["bravo"])
    assert conditional().status_code == 304

    # when alpha-health changes, it no longer does
    variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "mine"}}
    client.data(UPDATE, variables, key=keys["alpha"])
    changed = conditional()
    assert changed.status_code == 200
    assert changed.json()["data"]["partner"]["summary"] == "mine"


def test_a_slug_that_names_nobody_is_answered_again_once_a_partner_takes_it(
    client: GraphQLClient, keys: dict[str, str]
) -> None:
    # given a page for a slug no partner has: null, kept
    missing, _ = get(client, PAGE, slug="charlie-labs")
    assert missing.json()["data"] == {"partner": None}
    assert get(client, PAGE, slug="charlie-labs")[1] == "hit"

    # when a partner with that slug is created
    created = client.data(
        CREATE, {"input": {"slug": "charlie-labs", "name": "Charlie Labs"}}, key=keys["admin"]
    )
    assert created["createPartner"]["errors"] == []

    # then the page shows it
    found, outcome = get(client, PAGE, slug="charlie-labs")
    assert outcome == "stale"
    assert found.json()["data"]["partner"]["slug"] == "charlie-labs"


def shape(document: str) -> Shape | None:
    return shape_of(schema._schema, parse(document), document, None)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (PAGE, Shape(market=False)),
        (RANKED_PAGE, Shape(market=True)),
        (
            "fragment F on Partner { offices { city } reviews { comment reply { body } } }"
            ' { a: partner(slug: "x") { ...F } b: partner(slug: "y") { __typename } }',
            Shape(market=False),
        ),
        ('{ partner(slug: "x") { products { vendor { name } } } }', Shape(market=False)),
        ('{ partner(slug: "x") { products { vendor { program { quarter } } } } }', None),
        (LIST, None),
        ('{ partner(slug: "x") { slug } partners(first: 1) { totalCount } }', None),
        ('{ partner(slug: "x") { slug } marketInsights { overall { responseCount } } }', None),
    ],
    ids=[
        "page",
        "ranking-score",
        "fragments",
        "vendor-name",
        "vendor-programme",
        "list",
        "page-and-list",
        "page-and-market",
    ],
)
def test_what_an_operation_shows_is_worked_out_from_its_document(
    document: str, expected: Shape | None
) -> None:
    assert shape(document) == expected


def test_every_resolver_below_a_partner_is_known_to_show_its_own_rows_or_the_whole_data() -> None:
    # Every resolver reachable from Partner, and the plain values known to read the market.
    # A new one shows the whole data until it is named in OWN_RESOLVERS: name it there
    # only if it reads nothing but its partner's rows and the catalogue's names.
    graphql_schema = schema._schema
    seen, found, waiting = set(), set(), ["Partner"]
    while waiting:
        name = waiting.pop()
        if name in seen:
            continue
        seen.add(name)
        kind = graphql_schema.type_map[name]
        for field_name, field in getattr(kind, "fields", {}).items():
            if _has_resolver(field):
                found.add((name, field_name))
            inner = field.type
            while hasattr(inner, "of_type"):
                inner = inner.of_type
            if hasattr(inner, "fields"):
                waiting.append(inner.name)
    assert found - OWN_RESOLVERS == {("Vendor", "program")}
    assert found >= OWN_RESOLVERS
    assert {where for where in MARKET_FIELDS if where[0] not in seen} == set()


def page_documents(slugs: list[str]) -> dict[str, str]:
    """Everything a buyer can ask of each partner that keeps the answer narrow: with the
    ranking score (the market's part too) and without it (that partner's part only)."""
    partner = schema._schema.type_map["Partner"]
    assert isinstance(partner, GraphQLObjectType)
    programme = frozenset({("Vendor", "program")})
    shapes = {
        "own": public_answers.selection(partner, 1, ("Query",), programme | MARKET_FIELDS),
        "market": public_answers.selection(partner, 1, ("Query",), programme),
    }
    found = {}
    for slug in slugs:
        for name, chosen in shapes.items():
            document = f'{{ partner(slug: "{slug}") {chosen} }}'
            assert shape(document) == Shape(market=name == "market")
            found[f"{slug} {name}"] = document
    return found


def page_answers(client: GraphQLClient, documents: dict[str, str]) -> dict[str, tuple[Any, Any]]:
    """Each page as the cache serves it (kept when it may be) and as worked out afresh."""
    found = {}
    for name, document in documents.items():
        served = client.http.get(f"{client.base_url}/graphql", params={"query": document})
        fresh = client.http.get(
            f"{client.base_url}/graphql", params={"query": f"# {next(_nonce)}\n{document}"}
        )
        assert "errors" not in fresh.json(), fresh.text
        found[name] = (served.json()["data"], fresh.json()["data"])
    return found


@pytest.mark.parametrize("mutation", sorted(SHOWS))
def test_no_kept_page_outlives_a_mutation_that_changes_it(
    db: Database, served: str, mutation: str
) -> None:
    # given the world of tests/test_public_version.py, both partners' pages kept
    row = MUTATIONS[mutation]
    caller = next(name for name in CALLER_PREFERENCE if name in row.allowed)
    data = world(db)
    with httpx.Client(timeout=30) as http:
        client = GraphQLClient(base_url=served, http=http)
        documents = page_documents([OWN, OTHER])
        before = page_answers(client, documents)

        # when the mutation runs, and succeeds
        body = client.execute(row.document, row.variables(data), key=data.keys[caller])
        assert "errors" not in body, body["errors"]

        # then every page served, kept or not, is what it is worked out to be now
        after = page_answers(client, documents)
    for name, (served_now, fresh_now) in after.items():
        assert served_now == fresh_now, f"{mutation}: {name} served stale: " + ", ".join(
            public_answers.differences(served_now, fresh_now)
        )
    if not SHOWS[mutation]:
        assert {name: fresh for name, (_, fresh) in after.items()} == {
            name: fresh for name, (_, fresh) in before.items()
        }


def test_a_page_costs_one_statement_kept_and_one_more_than_its_data_worked_out(
    db: Database, client: GraphQLClient, keys: dict[str, str]
) -> None:
    # given nothing kept for alpha-health's page
    params = {"query": PAGE, "variables": '{"slug": "alpha-health"}'}
    url = f"{client.base_url}/graphql"

    # when it is asked twice
    with count_statements(db.engine) as first:
        assert client.http.get(url, params=params).status_code == 200
    with count_statements(db.engine) as second:
        assert client.http.get(url, params=params).status_code == 200

    # then the first read the data version (on PostgreSQL it also sets the request's
    # statement_timeout, issue 25), the partner, its published figures, the market NPS they
    # are worked out with and, after them, its parts' version; the second only the data
    # and parts' versions
    assert len(first) == 5
    assert len(second) == 1
