"""The directory site in a real browser: Debian's Chromium (never a downloaded one) driven by
Playwright, over HTTP on loopback (the search box fetches its index, so file:// will not
do). axe-core, from tools/axe, is injected into the pages for an accessibility scan.

Every request that leaves the loopback server is aborted (the theme asks Google for fonts):
the test needs no network, and the pages are seen as they work with no third party's help.
Full-page screenshots of the scanned pages, on a laptop (1280 px) and a phone (390 px), are
left in pytest's temporary folder, or in $VOUCH_SCREENSHOTS when it is set: look at them.
"""

from __future__ import annotations

import os
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
    unavailable("playwright is not installed: pip install -e '.[dev]'", whole_module=True)

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING = {"serious", "critical"}
WIDTHS = (1280, 390)  # a laptop, a phone
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
def browsing(browser: Browser, base_url: str, width: int = 1280) -> Iterator[Page]:
    """A fresh page `width` pixels wide (a desktop's by default); script errors on it fail
    the test."""
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 900})
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
    expect(page.locator("table.vouch-ranked thead")).to_contain_text("Verified NPS")
    rows = page.locator("table.vouch-ranked tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10


def test_searching_a_partner_by_name_leads_to_its_page(page: Page) -> None:
    # A static server: the box reads the site's static index (tests/test_site_search_box.py has
    # the box served by `vouch serve`, asking the API)
    top = ranked(page, 1)[0]
    page.locator("input.vouch-search__input").fill(top.name)
    first = page.locator(".vouch-search__hit a").first
    expect(first).to_have_text(top.name)
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


PAGES = ("home", "list", "partner", "withheld", "compare", "market")


def _list_page_ranked_by_its_industry(site: Path) -> str:
    """The industry list with the most partners ranked by their figures in the industry."""
    pages = [path for path in (site / "industries").glob("*.html") if path.name != "index.html"]

    def ranked_there(path: Path) -> int:
        html = path.read_text()
        if "Ranked by their figures in" not in html:
            return 0
        return html.split("Ranked by their figures in", 1)[1].split("</table>")[0].count("<tr>")

    best = max(sorted(pages), key=ranked_there)
    assert ranked_there(best) >= 2, "the demo site has no industry list ranked by its figures"
    return f"industries/{best.name}"


WITHHELD_QUARTERS = re.compile(r"quarters? with answers (?:is|are) withheld")


def _partner_with_withheld_quarters(site: Path) -> str:
    """A partner page that withholds quarters, with the most charts of such pages."""
    pages = sorted((site / "partners").glob("*.html"))
    found = [(p.read_text().count('class="vouch-chart"'), p.name) for p in pages
             if WITHHELD_QUARTERS.search(p.read_text())]  # fmt: skip
    assert found, "the demo site has no partner with withheld quarters"
    return f"partners/{max(found)[1]}"


@pytest.fixture(scope="module")
def paths(browser: Browser, base_url: str, site: Path) -> dict[str, str]:
    """The pages every check below visits, by what they are."""
    with browsing(browser, base_url) as page:
        first, second = ranked(page, 2)
    return {
        "home": "index.html",
        "list": _list_page_ranked_by_its_industry(site),
        "partner": f"partners/{first.slug}.html",
        "withheld": _partner_with_withheld_quarters(site),
        "compare": f"compare.html?p={first.slug},{second.slug}",
        "market": "market.html",
    }


def visit(page: Page, which: str, path: str) -> None:
    page.goto(path)
    if which == "compare":
        expect(page.locator("table.vouch-compare")).to_be_visible()


# Every pair of a chart's text labels whose boxes intersect (by more than half a pixel).
OVERLAPPING_LABELS = """() => {
  const found = [];
  for (const svg of document.querySelectorAll("svg.vouch-chart")) {
    const boxes = [...svg.querySelectorAll("text")]
      .filter((t) => t.textContent.trim())
      .map((t) => [t.textContent.trim(), t.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, p] = boxes[i], [b, q] = boxes[j];
        const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 0.5 && h > 0.5) { found.push(`${a} / ${b}`); }
      }
    }
  }
  return found;
}"""

# Every table wider than its container, or cut off inside its own box, and the page itself
# wider than the window.
OVERFLOWING_TABLES = """() => {
  const found = [];
  const article = document.querySelector("article");
  const style = getComputedStyle(article);
  const edge = article.getBoundingClientRect().right - parseFloat(style.paddingRight);
  for (const table of article.querySelectorAll("table")) {
    const box = table.getBoundingClientRect();
    const container = table.parentElement.getBoundingClientRect();
    const name = table.className || "table";
    const limit = Math.min(container.right, edge);
    if (box.right > limit + 1) { found.push(`${name}: right edge ${box.right} > ${limit}`); }
    if (table.scrollWidth > table.clientWidth + 1) { found.push(`${name}: cut off inside`); }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    found.push("the page scrolls sideways");
  }
  return found;
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_two_labels_of_a_chart_overlap(
    browser: Browser, base_url: str, paths: dict[str, str], width: int
) -> None:
    charts = 0
    with browsing(browser, base_url, width) as page:
        for which in ("partner", "withheld", "market"):
            visit(page, which, paths[which])
            charts += page.locator("svg.vouch-chart").count()
            assert page.evaluate(OVERLAPPING_LABELS) == [], f"{paths[which]} at {width} px"
    assert charts >= 3


@pytest.mark.parametrize("width", WIDTHS)
def test_no_table_overflows_its_container(
    browser: Browser, base_url: str, paths: dict[str, str], width: int
) -> None:
    with browsing(browser, base_url, width) as page:
        for which, path in paths.items():
            visit(page, which, path)
            assert page.evaluate(OVERFLOWING_TABLES) == [], f"{path} at {width} px"


def test_an_industry_list_shows_each_partner_s_figures_in_that_industry(
    page: Page, paths: dict[str, str]
) -> None:
    # given: an industry's list, whose first table ranks partners by their figures there
    page.goto(paths["list"])
    industry = page.locator("h1").inner_text().removesuffix(": partners")
    table = page.locator("table.vouch-ranked").first
    expect(table.locator("thead")).to_contain_text(f"NPS in {industry}")
    rows = []
    for row in table.locator("tbody tr").all():
        cells = row.locator("td")
        # each says why it is listed: its verified engagements in the industry
        expect(cells.first).to_contain_text(re.compile(rf"\d+ verified engagements? in {industry}"))
        rows.append((row.locator("a").first.get_attribute("href"), cells.nth(1).inner_text()))
    assert len(rows) >= 2
    differs = 0
    for href, listed in rows:
        # when: the partner's own page is read
        page.goto(f"industries/{href}")
        own = page.locator("table.vouch-segments tr", has_text=industry).locator("td").nth(2)
        overall = page.locator("table.vouch-card tr", has_text="Net Promoter Score").locator("td")
        # then: the list showed the NPS and n its page shows for the industry
        shown, there = NPS_AND_N.search(listed), NPS_AND_N.search(own.inner_text())
        everywhere = NPS_AND_N.search(overall.inner_text())
        assert shown is not None, listed
        assert there is not None
        assert everywhere is not None
        assert shown.groups() == there.groups(), href
        differs += shown.groups() != everywhere.groups()
    assert differs  # and not the overall figures, as it once did


NPS_AND_N = re.compile(r"^([+-]?\d+)\b.*n=(\d+)", re.S)


@pytest.fixture(scope="module")
def axe_results(
    browser: Browser, base_url: str, paths: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, int], tuple[str, list[dict[str, Any]]]]:
    """Each page's path and axe-core's violations on it, at each width; a full-page
    screenshot of each is left to look at (module docstring)."""
    script = installed("axe") / "node_modules" / "axe-core" / "axe.min.js"
    wanted = os.environ.get("VOUCH_SCREENSHOTS")
    screenshots = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    results = {}
    for width in WIDTHS:
        with browsing(browser, base_url, width) as page:
            for which, path in paths.items():
                visit(page, which, path)
                page.screenshot(path=screenshots / f"{which}-{width}.png", full_page=True)
                page.add_script_tag(path=script)
                results[which, width] = (path, page.evaluate("() => axe.run()")["violations"])
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


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", PAGES)
def test_axe_finds_no_serious_or_critical_violation(
    axe_results: dict[tuple[str, int], tuple[str, list[dict[str, Any]]]], which: str, width: int
) -> None:
    path, violations = axe_results[which, width]
    print(f"{path} at {width} px:\n{_describe(violations) or 'no violation'}")
    blocking = _blocking(violations)
    assert not blocking, f"axe on {path} at {width} px:\n{_describe(blocking)}"
