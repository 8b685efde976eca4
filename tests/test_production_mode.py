"""VOUCH_ENV=production: no GraphiQL, no introspection, bugs masked; development keeps them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.databases import Database
from tests.server import running_server

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
def production_url(db: Database, tmp_path: Path) -> Iterator[str]:
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="production")
    with running_server(settings, db.engine) as url:
        yield url


def test_production_serves_no_graphiql_and_no_introspection(production_url: str) -> None:
    with httpx.Client() as http:
        page = http.get(f"{production_url}/graphql", headers={"accept": "text/html"})
        body = http.post(f"{production_url}/graphql", json={"query": INTROSPECTION}).json()
        viewer = http.post(f"{production_url}/graphql", json={"query": "{ viewer { role } }"})

    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"].lower()
    assert viewer.json() == {"data": {"viewer": {"role": "public"}}}


def test_development_serves_graphiql_and_introspection(server_url: str, db: Database) -> None:
    with httpx.Client() as http:
        page = http.get(f"{server_url}/graphql", headers={"accept": "text/html"})
        body = http.post(f"{server_url}/graphql", json={"query": INTROSPECTION}).json()

    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


def test_production_still_shows_the_client_its_own_mistakes(production_url: str) -> None:
    with httpx.Client() as http:
        body = http.post(
            f"{production_url}/graphql",
            json={"query": "{ partners(first: 1000) { totalCount } }"},
        ).json()

    assert body["errors"][0]["extensions"] == {"code": "VALIDATION", "field": "first"}
    assert "between 0 and 100" in body["errors"][0]["message"]
