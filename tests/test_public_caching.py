"""Public answers carry an ETag by data version: 304 while nothing changed, never stale."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import insert, select, update

from api import response_cache
from api.models import Partner, public_version
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, invite, record, submit

LIST = "{ partners(first: 5) { edges { node { slug summary metrics { responseCount } } } } }"
UPDATE = """
mutation Update($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version } errors { code }
  }
}
"""


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    with db.session() as session, session.begin():
        # A migrated database has the version row; the test wipe took it.
        session.execute(insert(public_version).values(id=1, version=1))
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        return {
            "alpha": factories.key(session, "partner", partner="alpha-health"),
            "acme": factories.key(session, "vendor", vendor="acme"),
        }


def get(api: GraphQLClient, query: str, etag: str | None = None) -> httpx.Response:
    headers = {"If-None-Match": etag} if etag else {}
    return api.http.get(f"{api.base_url}/graphql", params={"query": query}, headers=headers)


def version(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(public_version.c.version)) or 0)


def public_version_of(db: Database) -> int:
    """The data version as tags carry it: hashed under the secret salt."""
    with db.session() as session:
        row = session.execute(select(public_version.c.version, public_version.c.salt)).one()
        return response_cache.hidden_version(row.version, row.salt)


def test_a_tag_tells_nothing_of_when_the_data_last_changed(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: the stored version, a microsecond clock (when the last publication happened)
    with db.session() as session:
        stored = session.execute(select(public_version.c.version, public_version.c.salt)).one()

    # when: a buyer reads the tag of a public answer
    tag = get(api, LIST).headers["etag"]

    # then: the clock is not in it, and without the secret salt no guess of it matches
    assert str(stored.version) not in tag
    assert str(response_cache.hidden_version(stored.version, stored.salt)) in tag
    guessed = response_cache.hidden_version(stored.version, "0" * 32)
    assert str(guessed) not in tag


def test_a_public_get_is_tagged_and_answered_304_until_the_data_changes(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given a public answer and its tag
    first = get(api, LIST)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=0, must-revalidate"

    # when asked again with the tag, nothing having changed
    again = get(api, LIST, tag)

    # then 304, no body, the same tag
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag


def test_a_profile_update_changes_the_tag_and_the_answer_at_once(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    before = get(api, LIST)
    post_before = api.data(LIST)  # kept in the server's cache too
    assert post_before["partners"]["edges"][0]["node"]["summary"] != "fresh"

    # when the partner edits its profile
    variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "fresh"}}
    payload = api.data(UPDATE, variables, key=keys["alpha"])["updatePartnerProfile"]
    assert payload["errors"] == []

    # then the old tag no longer matches and every public answer shows the change
    after = get(api, LIST, before.headers["etag"])
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["data"]["partners"]["edges"][0]["node"]["summary"] == "fresh"
    assert api.data(LIST)["partners"]["edges"][0]["node"]["summary"] == "fresh"


def test_a_publication_changes_the_tag_and_a_plain_submit_does_not(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given five invitations sent (buyers see their count at once)
    engagement = record(
        api, keys["acme"], partner_key=keys["alpha"], **engagement_input("alpha-health")
    )
    tokens = [invite(api, keys["acme"], engagement, f"p{n}@mercy.example") for n in range(5)]
    before = get(api, LIST)
    start = version(db)

    # when four answers arrive: nothing is published yet, nothing public changed
    for token in tokens[:4]:
        assert submit(api, token, likelihoodToRecommend=9)["accepted"] is True
    assert version(db) == start
    assert get(api, LIST, before.headers["etag"]).status_code == 304

    # when the fifth arrives, the figures are published
    assert submit(api, tokens[4], likelihoodToRecommend=9)["accepted"] is True

    # then the version moved and the answer shows the published figures
    assert version(db) > start
    after = get(api, LIST, before.headers["etag"])
    assert after.status_code == 200
    assert after.json()["data"]["partners"]["edges"][0]["node"]["metrics"] == {"responseCount": 5}


def test_an_invitation_changes_the_tag_and_the_answer_at_once(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given a completed engagement and a public answer showing its invitation count
    query = "{ partners(first: 5) { edges { node { metrics { invitationCount } } } } }"
    engagement = record(
        api, keys["acme"], partner_key=keys["alpha"], **engagement_input("alpha-health")
    )
    before = get(api, query)
    assert before.json()["data"]["partners"]["edges"][0]["node"]["metrics"] == {
        "invitationCount": 0
    }

    # when the vendor invites a contact at the customer
    invite(api, keys["acme"], engagement, "cio@mercy.example")

    # then the old tag no longer matches and the answer counts the invitation
    after = get(api, query, before.headers["etag"])
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["data"]["partners"]["edges"][0]["node"]["metrics"] == {"invitationCount": 1}


def test_keyed_answers_mutations_and_errors_are_never_tagged(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    keyed = api.post(LIST, key=keys["alpha"])
    assert "etag" not in keyed.headers
    assert keyed.headers["cache-control"] == "private, no-store"

    variables = {"slug": "alpha-health", "version": 1, "input": {"summary": "x"}}
    refused = api.post(UPDATE, variables)  # no key: refused, and not kept either
    assert "etag" not in refused.headers
    assert refused.headers["cache-control"] == "private, no-store"

    # asked for the first time (nothing kept: its version is read with the operation)
    wrong = get(api, "{ partners(first: 500) { totalCount } }")
    assert wrong.json()["errors"]
    assert "etag" not in wrong.headers
    assert wrong.headers["cache-control"] == "private, no-store"
    broken = get(api, "{ partners(first: ")  # refused before it runs: no version read
    assert broken.headers["cache-control"] == "private, no-store"


def test_without_a_version_row_nothing_is_tagged(db: Database, api: GraphQLClient) -> None:
    # given a database without the version row (the test wipe): no tag, no cache
    response = get(api, LIST)
    assert response.status_code == 200
    assert "etag" not in response.headers


def tag_of(api: GraphQLClient, db: Database, query: str) -> str:
    """The tag a public GET of `query` would carry now: anyone can work it out."""
    payload = httpx.Request("GET", f"{api.base_url}/graphql", params={"query": query}).url.query
    key = response_cache.request_key("GET", "*/*", payload)
    return response_cache.etag(public_version_of(db), key)


def test_if_none_match_star_is_a_304_for_an_answer_that_exists(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given a public query asked for the first time: its answer exists, it is not kept yet
    response = get(api, LIST, "*")

    assert response.status_code == 304
    assert response.headers["etag"] == get(api, LIST).headers["etag"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("{ partners(first: 500) { totalCount } }", 200),
        ("{ noSuchField }", 200),
        ("{ viewer { role }", 200),
        ('mutation { createPartner(input: {slug: "x", name: "X"}) { errors { code } } }', 405),
    ],
    ids=["refused-argument", "invalid-field", "syntax-error", "mutation"],
)
@pytest.mark.parametrize("condition", ["*", "its own tag"])
def test_an_error_or_a_mutation_over_get_is_answered_whatever_if_none_match_says(
    db: Database,
    api: GraphQLClient,
    keys: dict[str, str],
    query: str,
    status: int,
    condition: str,
) -> None:
    tag = "*" if condition == "*" else tag_of(api, db, query)

    response = get(api, query, tag)

    assert response.status_code == status, response.text
    assert response.json()["errors"]
    assert "etag" not in response.headers


def test_a_kept_answer_is_served_without_running_the_query_again(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given a public answer, kept
    first = get(api, LIST)
    assert first.json()["data"]["partners"]["edges"][0]["node"]["summary"] != "behind its back"

    # when the data changes without moving the public version (only a write around the
    # ORM session can: api/services/changes.py moves it for every session write)
    with db.engine.begin() as connection:
        connection.execute(update(Partner).values(summary="behind its back"))

    # then the same request is answered from the cache, and another one is not
    assert get(api, LIST).content == first.content
    other = get(api, LIST.replace("first: 5", "first: 4"))
    assert other.json()["data"]["partners"]["edges"][0]["node"]["summary"] == "behind its back"
