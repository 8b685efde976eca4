"""API keys: who the caller is, refusals of bad keys, and what the database keeps of a key."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from api.errors import AuthenticationError, DomainError
from api.models import ApiKey, AuditEntry
from api.services.apikeys import authenticate, create_key, revoke_key
from tests import factories
from tests.databases import Database
from tests.keys import key_with_underscore, secret_of
from tests.server import GraphQLClient

VIEWER = """
query Viewer {
  viewer { role partnerSlug vendorSlug }
}
"""


def seed_owners(db: Database) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")


def new_key(
    db: Database, role: str, *, partner: str | None = None, vendor: str | None = None
) -> tuple[str, str]:
    with db.session() as session, session.begin():
        key, plaintext = create_key(
            session=session, role=role, partner_slug=partner, vendor_slug=vendor
        )
        prefix = key.prefix
    return prefix, plaintext


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    body: dict[str, Any] = response.json()
    assert body.get("data") is None, "a refused key must not be answered as the public role"
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# --- who the caller is --------------------------------------------------------------------


def test_without_a_key_the_viewer_is_public(db: Database, api: GraphQLClient) -> None:
    assert api.data(VIEWER) == {
        "viewer": {"role": "public", "partnerSlug": None, "vendorSlug": None}
    }


def test_a_partner_key_is_the_partner(db: Database, api: GraphQLClient) -> None:
    seed_owners(db)
    _, key = new_key(db, "partner", partner="alpha-health")

    viewer = api.data(VIEWER, key=key)["viewer"]

    assert viewer == {"role": "partner", "partnerSlug": "alpha-health", "vendorSlug": None}


def test_a_vendor_key_is_the_vendor(db: Database, api: GraphQLClient) -> None:
    seed_owners(db)
    _, key = new_key(db, "vendor", vendor="acme")

    viewer = api.data(VIEWER, key=key)["viewer"]

    assert viewer == {"role": "vendor", "partnerSlug": None, "vendorSlug": "acme"}


def test_an_admin_key_is_admin(db: Database, api: GraphQLClient) -> None:
    _, key = new_key(db, "admin")

    viewer = api.data(VIEWER, key=key)["viewer"]

    assert viewer == {"role": "admin", "partnerSlug": None, "vendorSlug": None}


def test_a_key_works_over_get_too(db: Database, api: GraphQLClient) -> None:
    _, key = new_key(db, "admin")

    response = api.http.get(
        f"{api.base_url}/graphql",
        params={"query": "{ viewer { role } }"},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"viewer": {"role": "admin"}}}


def test_a_key_whose_secret_holds_an_underscore_authenticates(
    db: Database, api: GraphQLClient
) -> None:
    # token_urlsafe's alphabet has '_', so about half of all keys have one in their secret.
    with db.session() as session, session.begin():
        key = key_with_underscore(session)

    response = api.post(VIEWER, key=key)

    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["role"] == "admin"


# --- refused keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "presented",
    [
        "not-a-key",
        "vouch_only-two-parts",
        "other_0123456789ab_secret",
        "vouch_000000000000_thereisnosuchkey",
    ],
    ids=["malformed", "two-parts", "other-scheme", "unknown"],
)
def test_a_key_that_is_not_valid_is_unauthenticated(
    db: Database, api: GraphQLClient, presented: str
) -> None:
    new_key(db, "admin")

    assert_unauthenticated(api.post(VIEWER, key=presented))


@pytest.mark.parametrize(
    "forge",
    [
        lambda prefix, key: f"vouch_{prefix}_{'A' * len(secret_of(key))}",
        lambda prefix, key: f"{key}_extra",
        lambda prefix, key: key[:-1],
        lambda prefix, key: f"vouch_{prefix}_",
    ],
    ids=["other-secret", "suffixed", "truncated", "empty-secret"],
)
def test_a_right_prefix_with_a_wrong_secret_is_unauthenticated(
    db: Database, api: GraphQLClient, forge: Callable[[str, str], str]
) -> None:
    prefix, key = new_key(db, "admin")
    forged = forge(prefix, key)
    assert forged != key

    assert_unauthenticated(api.post(VIEWER, key=forged))


def test_a_revoked_key_is_unauthenticated(db: Database, api: GraphQLClient) -> None:
    prefix, key = new_key(db, "admin")
    assert api.data(VIEWER, key=key)["viewer"]["role"] == "admin"

    with db.session() as session, session.begin():
        revoke_key(session=session, prefix=prefix)

    assert_unauthenticated(api.post(VIEWER, key=key))
    with db.session() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "apikey.revoke"


def test_a_bad_key_is_refused_over_get_too(db: Database, api: GraphQLClient) -> None:
    response = api.http.get(
        f"{api.base_url}/graphql",
        params={"query": "{ viewer { role } }"},
        headers={"Authorization": "Bearer vouch_000000000000_nothing"},
    )

    assert_unauthenticated(response)


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Token {key}", "{key}", "Bearer", ""],
    ids=["basic", "token-scheme", "bare-key", "bearer-alone", "empty"],
)
def test_an_authorization_header_that_is_not_bearer_is_unauthenticated(
    db: Database, api: GraphQLClient, header: str
) -> None:
    _, key = new_key(db, "admin")

    response = api.http.post(
        f"{api.base_url}/graphql",
        json={"query": VIEWER},
        headers={"Authorization": header.format(key=key)},
    )

    assert_unauthenticated(response)


# --- what the database keeps --------------------------------------------------------------


def test_the_database_keeps_a_hash_never_the_key(db: Database) -> None:
    with db.session() as session, session.begin():
        key, plaintext = create_key(session=session, role="admin", label="ops laptop")
        prefix = key.prefix

    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_keys")).mappings().all()
        audit = connection.execute(text("SELECT * FROM audit_log")).mappings().all()

    [row] = rows
    assert row["prefix"] == prefix
    assert plaintext.startswith(f"vouch_{prefix}_")
    assert row["key_hash"] == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = secret_of(plaintext)
    for stored in [*rows, *audit]:
        for column, value in stored.items():
            assert secret not in str(value), f"the secret is stored in {column}"


def test_two_keys_differ(db: Database) -> None:
    with db.session() as session, session.begin():
        first, first_plain = create_key(session=session, role="admin")
        second, second_plain = create_key(session=session, role="admin")

    assert first.prefix != second.prefix
    assert secret_of(first_plain) != secret_of(second_plain)


@pytest.mark.parametrize(
    ("role", "partner", "vendor", "field", "code"),
    [
        ("partner", None, None, "partner", "VALIDATION"),
        ("partner", "nobody", None, "partner", "NOT_FOUND"),
        ("vendor", None, None, "vendor", "VALIDATION"),
        ("vendor", None, "nobody", "vendor", "NOT_FOUND"),
        ("partner", "alpha-health", "acme", "vendor", "VALIDATION"),
        ("admin", "alpha-health", None, "partner", "VALIDATION"),
        ("root", None, None, "role", "VALIDATION"),
    ],
    ids=[
        "partner-without-slug",
        "unknown-partner",
        "vendor-without-slug",
        "unknown-vendor",
        "vendor-slug-on-partner-key",
        "partner-slug-on-admin-key",
        "unknown-role",
    ],
)
def test_create_key_refuses_a_key_that_does_not_fit_its_role(
    db: Database,
    role: str,
    partner: str | None,
    vendor: str | None,
    field: str,
    code: str,
) -> None:
    seed_owners(db)

    with db.session() as session, session.begin(), pytest.raises(DomainError) as raised:
        create_key(session=session, role=role, partner_slug=partner, vendor_slug=vendor)

    [problem] = raised.value.problems
    assert (problem.field, problem.code) == (field, code)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ApiKey)) == 0


def test_authenticate_names_why_a_key_is_refused(db: Database) -> None:
    prefix, key = new_key(db, "admin")
    with db.session() as session, session.begin():
        revoke_key(session=session, prefix=prefix)

    with db.session() as session:
        for presented, reason in [
            ("garbage", "malformed"),
            ("vouch_000000000000_x", "not valid"),
            (key, "revoked"),
        ]:
            with pytest.raises(AuthenticationError, match=reason):
                authenticate(session=session, presented=presented)
