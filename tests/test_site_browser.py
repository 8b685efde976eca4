"""The directory site in a real browser: Debian's Chromium (never a downloaded one) driven by
Playwright, over HTTP on loopback (mkdocs-material's search fetches its index, so file://
will not do). axe-core, from tools/axe, is injected into the pages for an accessibility scan.

Every request that leaves the loopback server is aborted (the theme asks Google for fonts):
the test needs no network, and the pages are seen as they work with no third party's help.
Full-page screenshots of the scanned pages are left in pytest's temporary folder.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from api import migrations
from api.db import create_db_engine, session_factory
from api.demo_data import load_demo_data
from api.services.figures_rebuild import rebuild
from api.settings import parse_database_url
from directory_site.build import build_site
from tests.npm_tools import installed
from tests.outside_parts import unavailable

try:
    from playwright.sync_api import Browser, Page, Route, expect, sync_playwright
except ImportError:  # pragma: no cover - playwright comes with the dev extras
    pytest.skip("playwright is not installed: pip install -e '.[dev]'", allow_module_level=True)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING = {"serious", "critical"}
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class Ranked:
    """A partner as the home page's ranked table shows it."""

    name: str
    slug: str
    nps: str


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built from 40 generated partners on a fresh SQLite database."""
    data = tmp_path_factory.mktemp("browser-site")
    url = parse_database_url(f"sqlite:///{data / 'vouch.db'}")
    migrations.upgrade(url)
    engine = create_db_engine(url)
    try:
        load_demo_data(engine, partners=40, seed=5, progress=False)
        with session_factory(engine)() as session, session.begin():
            rebuild(session=session, publish_all=True)
        with session_factory(engine)() as session:
            build_site(session, data / "site", lock_dir=data / "locks")
    finally:
        engine.dispose()
    return data / "site"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"no {CHROMIUM}: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def browsing(browser: Browser, base_url: str) -> Iterator[Page]:
    """A fresh page on a desktop viewport; script errors on it fail the test."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.route(re.compile(r"^(?!" + re.escape(base_url) + ")"), _abort)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"script errors: {errors}"


def _abort(route: Route) -> None:
    route.abort()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    with browsing(browser, base_url) as page:
        yield page


def ranked(page: Page, count: int) -> list[Ranked]:
    """The first `count` rows of the home page's ranked table."""
    page.goto("index.html")
    rows = page.locator("table.vouch-ranked tbody tr")
    found = []
    for index in range(count):
        cells = rows.nth(index).locator("td")
        link = cells.first.locator("a")
        href = link.get_attribute("href") or ""
        slug = re.fullmatch(r"partners/([a-z0-9-]+)\.html", href)
        assert slug is not None, href
        nps = cells.nth(1).locator("strong").inner_text()
        found.append(Ranked(name=link.inner_text(), slug=slug.group(1), nps=nps))
    return found


def test_the_home_page_shows_the_ranked_partners(page: Page) -> None:
    page.goto("index.html")
    assert "Vouch" in page.title()
    expect(page.locator("h1")).to_contain_text("ranked by what their customers say")
    expect(page.locator("table.vouch-ranked thead")).to_contain_text("NPS (verified)")
    rows = page.locator("table.vouch-ranked tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10


def test_searching_a_partner_by_name_leads_to_its_page(page: Page) -> None:
    top = ranked(page, 1)[0]
    icon = page.locator("label.md-header__button[for='__search']")
    if icon.is_visible():  # narrow screens show an icon, wide ones the field itself
        icon.click()
    field = page.locator("input.md-search__input")
    field.click()
    field.press_sequentially(top.name)  # the theme searches on key presses, not on fill()
    first = page.locator(".md-search-result__link").first
    expect(first).to_be_visible()
    first.click()
    page.wait_for_url(re.compile(rf"/partners/{top.slug}\.html"))
    expect(page.locator("h1")).to_have_text(top.name)


def test_a_partner_page_shows_its_nps_and_interval(page: Page) -> None:
    top = ranked(page, 1)[0]
    assert re.fullmatch(r"[+-]\d+|0", top.nps), top.nps
    page.goto(f"partners/{top.slug}.html")
    nps = page.locator("table.vouch-card tr", has_text="Net Promoter Score").locator("td")
    expect(nps.locator("strong")).to_have_text(top.nps)
    expect(nps).to_contain_text(re.compile(r"95% interval [+-]?\d+ to [+-]?\d+, n=\d+"))


def test_compare_shows_two_partners_side_by_side(page: Page) -> None:
    first, second = ranked(page, 2)
    page.goto(f"compare.html?p={first.slug},{second.slug}")
    heads = page.locator("table.vouch-compare thead th")
    expect(heads).to_have_count(3)
    expect(heads.nth(1)).to_have_text(first.name)
    expect(heads.nth(2)).to_have_text(second.name)
    nps = page.locator("table.vouch-compare tbody tr", has_text="NPS").first.locator("td")
    assert [int(cell) for cell in nps.all_inner_texts()] == [int(first.nps), int(second.nps)]


# What axe-core finds today, serious or critical, on each page; the test below is expected
# to fail until the site fixes them (strict: it fails again once they are fixed, so that
# this list goes). The first three come with mkdocs-material's indigo theme.
PAGES = ("home", "list", "partner", "compare")


def _largest_list_page(site: Path) -> str:
    pages = [path for path in (site / "industries").glob("*.html") if path.name != "index.html"]
    return f"industries/{max(pages, key=lambda path: path.stat().st_size).name}"


@pytest.fixture(scope="module")
def axe_results(
    browser: Browser, base_url: str, site: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[str, list[dict[str, Any]]]]:
    """Each page's path and axe-core's violations on it; a full-page screenshot of each
    is left in the test run's temporary folder, to look at."""
    script = installed("axe") / "node_modules" / "axe-core" / "axe.min.js"
    screenshots = tmp_path_factory.mktemp("screenshots")
    results = {}
    with browsing(browser, base_url) as page:
        first, second = ranked(page, 2)
        paths = {
            "home": "index.html",
            "list": _largest_list_page(site),
            "partner": f"partners/{first.slug}.html",
            "compare": f"compare.html?p={first.slug},{second.slug}",
        }
        for which, path in paths.items():
            page.goto(path)
            if which == "compare":
                expect(page.locator("table.vouch-compare")).to_be_visible()
            page.screenshot(path=screenshots / f"{which}.png", full_page=True)
            page.add_script_tag(path=script)
            results[which] = (path, page.evaluate("() => axe.run()")["violations"])
    print(f"screenshots in {screenshots}")
    return results


def _blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def _describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        targets = [node["target"] for node in violation["nodes"][:3]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']}; "
            f"{len(violation['nodes'])} elements, e.g. {targets}"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("which", PAGES)
def test_axe_finds_no_serious_or_critical_violation(
    axe_results: dict[str, tuple[str, list[dict[str, Any]]]], which: str
) -> None:
    path, violations = axe_results[which]
    print(f"{path}:\n{_describe(violations) or 'no violation'}")
    blocking = _blocking(violations)
    assert not blocking, f"axe on {path}:\n{_describe(blocking)}"
