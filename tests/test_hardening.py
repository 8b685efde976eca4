"""On the internet: query cost, page caps, production answers, and only well-formed requests."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import build_schema, parse

from api.request_parts import MAX_BODY_BYTES
from api.schema import schema
from api.schema.cost import MAX_COST, estimate_costs
from api.schema.pagination import MAX_PAGE_SIZE
from api.schema.partners.inputs import MAX_FILTER_VALUES
from api.schema.reviews import MAX_REVIEWS
from api.settings import Settings
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient, running_server
from tests.test_partners_api import EVERYTHING_NESTED

SDL_SCHEMA = build_schema(schema.as_str())

FIGURE_FIELDS = "responseCount nps { value } ratings { name mean } outcomes { name share }"

# 100 partners, each with 50 reviews and its figures by industry, by product and by quarter.
COSTLY = f"""
query Costly {{
  partners(first: 100) {{ edges {{ node {{
    slug
    reviews(first: 50) {{ comment }}
    metrics {{
      byIndustry {{ industry {{ name }} figures {{ {FIGURE_FIELDS} }} }}
      byProduct {{ product {{ name }} figures {{ {FIGURE_FIELDS} }} }}
      trend {{ quarter figures {{ {FIGURE_FIELDS} }} }}
    }}
  }} }} }}
}}
"""

COSTLY_THROUGH_FRAGMENTS = f"""
query CostlyFragments {{ partners(first: 100) {{ ...Page }} }}
fragment Page on PartnerConnection {{ edges {{ node {{ ...Everything }} }} }}
fragment Everything on Partner {{
  slug
  reviews(first: 50) {{ comment }}
  metrics {{ ...Segments }}
}}
fragment Segments on CustomerSuccessMetrics {{
  byIndustry {{ industry {{ name }} figures {{ ...Numbers }} }}
  byProduct {{ product {{ name }} figures {{ ...Numbers }} }}
  trend {{ quarter figures {{ ...Numbers }} }}
}}
fragment Numbers on Figures {{ {FIGURE_FIELDS} }}
"""


def cost(document: str) -> int:
    costs = estimate_costs(SDL_SCHEMA, parse(document))
    assert len(costs) == 1
    return next(iter(costs.values()))


def messages(body: dict[str, Any]) -> str:
    return " | ".join(error["message"] for error in body.get("errors", []))


def seed_partner(db: Database) -> None:
    with db.session() as session, session.begin():
        factories.alpha_health(session, factories.reference_data(session))


# --- the cost estimate ---------------------------------------------------------------------


def test_a_field_costs_one_and_a_list_multiplies_its_selections() -> None:
    assert cost("{ viewer { role } }") == 2
    # partners 1 + totalCount 1 + edges (1 + 5 x (node 1 + slug 1))
    assert cost("{ partners(first: 5) { totalCount edges { node { slug } } } }") == 13
    # a list without first counts as 10 items: offices 1 + 10 x city
    assert cost('{ partner(slug: "x") { offices { city } } }') == 1 + 1 + 10
    # reviews takes its own first, 10 by default
    assert cost('{ partner(slug: "x") { reviews { comment } } }') == 1 + 1 + 10
    assert cost('{ partner(slug: "x") { reviews(first: 3) { comment } } }') == 1 + 1 + 3


def test_partners_counts_twenty_without_first() -> None:
    assert cost("{ partners { edges { node { slug } } } }") == 1 + 1 + 20 * 2


def test_a_variable_first_counts_as_the_largest_page() -> None:
    by_variable = "query($n: Int) { partners(first: $n) { edges { node { slug } } } }"
    by_literal = f"{{ partners(first: {MAX_PAGE_SIZE}) {{ edges {{ node {{ slug }} }} }} }}"
    reviews = 'query($n: Int!) { partner(slug: "x") { reviews(first: $n) { comment } } }'

    assert cost(by_variable) == cost(by_literal) == 1 + 1 + MAX_PAGE_SIZE * 2
    assert cost(reviews) == 1 + 1 + MAX_REVIEWS


def test_a_literal_first_above_the_cap_counts_as_the_cap() -> None:
    # The resolver refuses it with a clear message; the estimate must not refuse it first.
    assert cost("{ partners(first: 100000) { edges { node { slug } } } }") == 2 + 100 * 2


def test_fragments_cost_what_their_selections_cost() -> None:
    assert cost(COSTLY_THROUGH_FRAGMENTS) == cost(COSTLY) > MAX_COST


def test_the_nested_query_of_a_full_page_fits() -> None:
    assert cost(EVERYTHING_NESTED) == 12_703 <= MAX_COST


def test_a_fragment_spread_many_times_is_costed_once() -> None:
    levels = 60
    fragments = ["fragment F0 on Query { viewer { role } }"]
    fragments += [
        f"fragment F{n} on Query {{ viewer {{ role }} ...F{n - 1} ...F{n - 1} }}"
        for n in range(1, levels)
    ]
    document = f"{{ ...F{levels - 1} }}\n" + "\n".join(fragments)

    started = time.monotonic()
    estimate = cost(document)

    assert time.monotonic() - started < 1
    assert estimate == 2**levels * 2 - 2


def test_cyclic_fragments_end() -> None:
    document = """
    { ...A }
    fragment A on Query { viewer { role } ...B }
    fragment B on Query { ...A }
    """

    assert cost(document) == 2


# --- the cost limit over HTTP --------------------------------------------------------------


def test_partners_first_100_with_every_nested_field_runs(db: Database, api: GraphQLClient) -> None:
    seed_partner(db)

    data = api.data(EVERYTHING_NESTED, {"first": 100})

    assert data["partners"]["edges"][0]["node"]["slug"] == "alpha-health"


@pytest.mark.parametrize(
    "document", [COSTLY, COSTLY_THROUGH_FRAGMENTS], ids=["inline", "fragments"]
)
def test_a_query_over_the_cost_limit_is_refused(
    db: Database, api: GraphQLClient, document: str
) -> None:
    response = api.post(document)

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"].startswith(
        f"query cost {cost(document)} exceeds the limit of {MAX_COST}"
    )
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": cost(document),
        "maxCost": MAX_COST,
    }


def test_the_same_query_with_smaller_pages_runs(db: Database, api: GraphQLClient) -> None:
    seed_partner(db)
    smaller = COSTLY.replace("first: 100", "first: 10")
    assert cost(smaller) <= MAX_COST

    data = api.data(smaller)

    assert data["partners"]["edges"][0]["node"]["slug"] == "alpha-health"


# --- page and list caps --------------------------------------------------------------------


@pytest.mark.parametrize("first", [MAX_PAGE_SIZE + 1, -1])
def test_partners_refuses_a_page_outside_its_cap(
    db: Database, api: GraphQLClient, first: int
) -> None:
    body = api.execute("query($n: Int) { partners(first: $n) { totalCount } }", {"n": first})

    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": "first"}
    assert f"between 0 and {MAX_PAGE_SIZE}, got {first}" in body["errors"][0]["message"]


@pytest.mark.parametrize("first", [MAX_REVIEWS + 1, -1])
def test_reviews_refuses_a_page_outside_its_cap(
    db: Database, api: GraphQLClient, first: int
) -> None:
    seed_partner(db)

    body = api.execute(
        'query($n: Int!) { partner(slug: "alpha-health") { reviews(first: $n) { comment } } }',
        {"n": first},
    )

    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": "first"}
    assert f"between 0 and {MAX_REVIEWS}, got {first}" in body["errors"][0]["message"]


def test_a_filter_list_takes_at_most_its_cap_of_distinct_values(
    db: Database, api: GraphQLClient
) -> None:
    query = "query($f: PartnerFilter) { partners(filter: $f) { totalCount } }"
    repeated = ["US"] * (MAX_FILTER_VALUES * 4)
    too_many = [f"industry-{n}" for n in range(MAX_FILTER_VALUES + 1)]

    assert api.data(query, {"f": {"countries": repeated}}) == {"partners": {"totalCount": 0}}
    body = api.execute(query, {"f": {"industries": too_many}})

    assert body["errors"][0]["extensions"] == {
        "code": "VALIDATION",
        "field": "filter.industries",
    }
    assert (
        f"at most {MAX_FILTER_VALUES} distinct values, got {MAX_FILTER_VALUES + 1}"
        in (body["errors"][0]["message"])
    )


# --- production ----------------------------------------------------------------------------

TYPOS = [
    ("{ partnerz { totalCount } }", "partners"),
    ("{ partners(frist: 1) { totalCount } }", "first"),
    ("{ partners(orderBy: NAM) { totalCount } }", "NAME"),
    ("query($f: PartnerFiltr) { partners(filter: $f) { totalCount } }", "PartnerFilter"),
]
TYPOS_WITH_VARIABLES = [
    (
        "query($o: PartnerOrder!) { partners(orderBy: $o) { totalCount } }",
        {"o": "NAM"},
        "NAME",
    ),
    (
        "query($f: PartnerFilter) { partners(filter: $f) { totalCount } }",
        {"f": {"countriez": ["US"]}},
        "countries",
    ),
]


@pytest.fixture
def production(db: Database, tmp_path: Path) -> Iterator[GraphQLClient]:
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="production")
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        yield GraphQLClient(base_url=url, http=http)


def all_typos(client: GraphQLClient) -> list[tuple[str, str]]:
    """(message, the name a suggestion would give away) for each typo."""
    answers = [(messages(client.execute(doc)), hint) for doc, hint in TYPOS]
    answers += [
        (messages(client.execute(doc, variables)), hint)
        for doc, variables, hint in TYPOS_WITH_VARIABLES
    ]
    return answers


def test_development_suggests_names(db: Database, api: GraphQLClient) -> None:
    for message, hint in all_typos(api):
        assert "Did you mean" in message, message
        assert hint in message, message


def test_production_suggests_nothing(production: GraphQLClient) -> None:
    for message, hint in all_typos(production):
        assert message, "the typo was not refused"
        assert "Did you mean" not in message, message
        assert f"'{hint}'" not in message, message


def test_production_shows_a_bad_variable_value_not_a_masked_error(
    production: GraphQLClient,
) -> None:
    body = production.execute(
        "query($o: PartnerOrder!) { partners(orderBy: $o) { totalCount } }", {"o": "NAM"}
    )

    assert "Variable '$o' has invalid value: Value 'NAM' is not one of" in messages(body)


def test_production_refuses_a_costly_query_with_its_cost(production: GraphQLClient) -> None:
    body = production.execute(COSTLY)

    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert f"exceeds the limit of {MAX_COST}" in body["errors"][0]["message"]


def test_a_masked_error_carries_the_request_id_and_is_logged_with_its_traceback(
    production: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("the secret connection string is postgres://admin:hunter2@db")

    monkeypatch.setattr("api.readers.reference.all_vendors", broken)
    caplog.set_level(logging.ERROR, logger="vouch.api")

    response = production.http.post(
        f"{production.base_url}/graphql",
        json={"query": "{ vendors { slug } }"},
        headers={"x-request-id": "req-masked-1"},
    )

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-masked-1"
    [error] = response.json()["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-masked-1"}
    assert "hunter2" not in response.text
    [record] = [r for r in caplog.records if "req-masked-1" in r.getMessage()]
    assert record.exc_info is not None
    assert "hunter2" in str(record.exc_info[1])


# --- only well-formed requests -------------------------------------------------------------


def post_raw(
    api: GraphQLClient, content: bytes | Iterator[bytes], **headers: str
) -> httpx.Response:
    return api.http.post(f"{api.base_url}/graphql", content=content, headers=headers)


def assert_http_refusal(response: httpx.Response, status: int, code: str, *needles: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-request-id"]
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    for needle in needles:
        assert needle in error["message"]


def test_a_batch_is_refused(db: Database, api: GraphQLClient) -> None:
    batch = b'[{"query": "{ viewer { role } }"}, {"query": "{ viewer { role } }"}]'

    response = post_raw(api, batch, **{"content-type": "application/json"})

    assert_http_refusal(response, 400, "BATCHING_NOT_SUPPORTED", "one operation per request")


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("text/plain", b'{"query": "{ viewer { role } }"}'),
        ("application/x-www-form-urlencoded", b"query=%7B+viewer+%7B+role+%7D+%7D"),
        ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="query"'),
        ("application/graphql", b"{ viewer { role } }"),
    ],
    ids=["text", "form", "multipart", "graphql"],
)
def test_a_post_that_is_not_json_is_refused_with_415(
    db: Database, api: GraphQLClient, content_type: str, content: bytes
) -> None:
    response = post_raw(api, content, **{"content-type": content_type})

    assert_http_refusal(
        response,
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        "Content-Type: application/json",
        content_type.split(";")[0],
    )


def test_a_post_without_a_content_type_is_refused_with_415(
    db: Database, api: GraphQLClient
) -> None:
    response = post_raw(api, b'{"query": "{ viewer { role } }"}')

    assert_http_refusal(response, 415, "UNSUPPORTED_MEDIA_TYPE", "(got none)")


def test_json_with_a_charset_is_json(db: Database, api: GraphQLClient) -> None:
    response = post_raw(
        api,
        b'{"query": "{ viewer { role } }"}',
        **{"content-type": "application/json; charset=utf-8"},
    )

    assert response.json() == {"data": {"viewer": {"role": "public"}}}


@pytest.mark.parametrize("content", [b"42", b'"{ viewer { role } }"', b"null", b"true", b""])
def test_json_that_is_not_an_object_is_a_400(
    db: Database, api: GraphQLClient, content: bytes
) -> None:
    response = post_raw(api, content, **{"content-type": "application/json"})

    assert_http_refusal(response, 400, "BAD_REQUEST", "JSON object")


def test_strawberry_refusals_are_json_too(db: Database, api: GraphQLClient) -> None:
    response = post_raw(api, b'{"query": 5}', **{"content-type": "application/json"})

    assert_http_refusal(response, 400, "BAD_REQUEST", "`query` must be a string")


def too_large_body() -> bytes:
    return b'{"query": "{ viewer { role } }", "padding": "' + b"x" * MAX_BODY_BYTES + b'"}'


def test_a_body_over_the_limit_is_refused_with_413(db: Database, api: GraphQLClient) -> None:
    response = post_raw(api, too_large_body(), **{"content-type": "application/json"})

    assert_http_refusal(response, 413, "PAYLOAD_TOO_LARGE", str(MAX_BODY_BYTES))


def test_a_chunked_body_over_the_limit_is_refused_with_413(
    db: Database, api: GraphQLClient
) -> None:
    body = too_large_body()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = post_raw(api, chunks(), **{"content-type": "application/json"})

    assert "content-length" not in response.request.headers
    assert_http_refusal(response, 413, "PAYLOAD_TOO_LARGE")


def test_a_mutation_over_get_is_refused_with_405(db: Database, api: GraphQLClient) -> None:
    document = 'mutation { createPartner(input: {slug: "x", name: "X"}) { errors { code } } }'

    response = api.http.get(f"{api.base_url}/graphql", params={"query": document})

    assert_http_refusal(response, 405, "METHOD_NOT_ALLOWED", "mutations", "POST")
    assert response.headers["allow"] == "POST"


def test_other_methods_are_refused_with_405(db: Database, api: GraphQLClient) -> None:
    response = api.http.put(f"{api.base_url}/graphql", json={"query": "{ viewer { role } }"})

    assert response.status_code == 405


def test_a_path_of_the_site_before_it_is_built_is_a_404(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(f"{api.base_url}/partners/alpha-health/")

    assert response.status_code == 404


@pytest.mark.parametrize("given", ["x" * 200, "bad id\twith tabs", "<script>"])
def test_an_odd_request_id_is_replaced(db: Database, api: GraphQLClient, given: str) -> None:
    response = api.http.post(
        f"{api.base_url}/graphql",
        json={"query": "{ viewer { role } }"},
        headers={"x-request-id": given},
    )

    assert response.status_code == 200
    assert response.headers["x-request-id"] != given
    assert len(response.headers["x-request-id"]) == 32
