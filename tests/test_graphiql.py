"""GraphiQL works without internet: its page and every script it loads come from Vouch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.databases import migrated_database
from tests.server import running_server
from tests.test_site_browser import browser, browsing

__all__ = ["browser"]  # the fixture, for the test below

CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href"}.get(tag)
        self.found += [value for name, value in attrs if name == wanted and value]


@pytest.fixture(scope="module")
def vouch_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The API outside production (where GraphiQL is on), on an empty SQLite database."""
    folder = tmp_path_factory.mktemp("graphiql")
    with migrated_database("sqlite", folder) as db:
        settings = Settings(data_dir=folder / "data", database_url=db.url, environment="test")
        with running_server(settings, db.engine) as url:
            yield url


def ide_page(vouch_url: str) -> str:
    answer = httpx.get(f"{vouch_url}/graphql", headers={"Accept": "text/html"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def test_the_ide_page_names_no_other_host(vouch_url: str) -> None:
    page = ide_page(vouch_url)

    assert "GraphiQL" in page
    assert re.findall(r"(?:https?:)?//[\w.-]+", page) == []


def test_every_asset_of_the_ide_page_is_served_with_its_type(vouch_url: str) -> None:
    parser = _Assets()
    parser.feed(ide_page(vouch_url))

    assert len(parser.found) >= 4, parser.found
    for asset in parser.found:
        answer = httpx.get(httpx.URL(f"{vouch_url}/graphql").join(asset), timeout=30)
        assert answer.status_code == 200, asset
        kind = CONTENT_TYPES[Path(asset).suffix]
        assert answer.headers["content-type"].split(";")[0] == kind, asset
        assert len(answer.content) > 500, asset


@pytest.mark.slow
def test_graphiql_renders_with_every_other_host_blocked(browser: object, vouch_url: str) -> None:
    with browsing(browser, f"{vouch_url}/") as page:  # type: ignore[arg-type]
        page.goto("graphql")
        editor = page.locator(".graphiql-query-editor .CodeMirror")
        editor.wait_for()
        assert page.locator(".graphiql-execute-button").is_visible()
