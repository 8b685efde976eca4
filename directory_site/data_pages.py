"""The pages made from every partner's listed figures, as bodies for template pages.

The home page, market insights, the open data page, the lists by industry, product and
country and their indexes hold data only in their bodies: mkdocs builds each of them once
as a template page whose body is a placeholder (a list's title too: one template serves
every list of a kind), and the build fills the template in. So a build that finds the
templates unchanged (directory_site/incremental.py) makes these pages without mkdocs, and
a full build makes them the same way: the same bytes either way.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from markdown.extensions.toc import slugify

from api.countries import country_name
from api.csv_safe import SafeWriter
from directory_site import lists, market, pages
from directory_site.bodies import PLACEHOLDER
from directory_site.content import Directory
from directory_site.listed import COLUMNS, Listed
from directory_site.lists import Focus
from directory_site.partner_pages import HEADING, NAME
from directory_site.sanitize import text, title
from directory_site.words import nps_words

KINDS = ("industries", "products", "countries")
HEADS = {"industries": "Industries", "products": "Products", "countries": "Countries"}
LIST_TEMPLATE = "_vouch-list-template"  # in each kind's folder
HOME = "Implementation partners, ranked by what their customers say"
TOP = "Top partners by verified customer success"
TABLE = "<!-- vouch:table -->"


@dataclass(frozen=True)
class Filled:
    """A page of the site: its template page (a path in the built site), its body and, for
    a list, its title."""

    template: str
    body: str
    title: str = ""
    table: str = ""  # the home page's: under a heading of the template's own


def template_sources() -> dict[str, str]:
    """The Markdown of the template pages mkdocs builds for these pages, by docs path."""
    found = {
        "index.md": pages.front("Verified implementation partners", search=False, wide=True)
        + f"# {HOME}\n\n{PLACEHOLDER}\n\n## {TOP}\n\n{TABLE}\n",
        "market.md": market.MARKET_HEAD + f"{PLACEHOLDER}\n",
        "open-data.md": pages.front("Open data", search=False)
        + "# Open data\n\n<p>Every partner and its published figures, free to reuse:</p>\n\n"
        + '<ul><li><a href="data/partners.json">partners.json</a></li>'
        + '<li><a href="data/partners.csv">partners.csv</a> (cells that start with =, +, - or '
        + "@ begin with an apostrophe, so no spreadsheet runs them)</li></ul>\n"
        + f"{PLACEHOLDER}\n",
    }
    for kind in KINDS:
        found[f"{kind}/index.md"] = (
            pages.front(HEADS[kind], search=False) + f"# {HEADS[kind]}\n\n{PLACEHOLDER}\n"
        )
        found[f"{kind}/{LIST_TEMPLATE}.md"] = (
            pages.front(NAME, search=False, wide=True) + f"# {HEADING}\n\n{PLACEHOLDER}\n"
        )
    return found


def fill(template: str, page: Filled) -> str:
    if page.title:
        anchor = slugify(page.title, "-")  # as mkdocs would name the heading
        template = (
            template.replace(f'"{HEADING.lower()}"', f'"{anchor}"')
            .replace(f'"#{HEADING.lower()}"', f'"#{anchor}"')
            .replace(HEADING, text(page.title))
            .replace(NAME, title(page.title))
        )
    if page.table:
        template = template.replace(TABLE, page.table, 1)
    return template.replace(PLACEHOLDER, page.body, 1)


def data_pages(
    where: Directory, rows: list[Listed], redo: Collection[str] | None = None
) -> dict[str, Filled | None]:
    """Every such page, by its path in the built site; a list not in `redo` (when given: the
    lists a changed partner is or was on) is None, the published one's bytes."""
    found: dict[str, Filled | None] = {**_lists(where, rows, redo)}
    found["index.html"] = _home(where, rows)
    found["market.html"] = Filled("market.html", market.market_body(where))
    found["open-data.html"] = Filled(
        "open-data.html",
        f"<p>{len(rows)} partners. Only published figures are included; withheld ones "
        "are empty.</p>\n",
    )
    return found


def _lists(
    where: Directory, rows: list[Listed], redo: Collection[str] | None
) -> dict[str, Filled | None]:
    """A list per industry and product (a partner is listed where it claims it or has
    verified engagements in it) and per country (where it has an office)."""
    by: dict[str, dict[str, list[Listed]]] = {kind: defaultdict(list) for kind in KINDS}
    for row in rows:
        for kind in KINDS:
            for slug in row.lists(kind):
                by[kind][slug].append(row)
    focus = {
        "industries": {
            i.slug: Focus("industry", i.id, i.name) for i in where.names.industries.values()
        },
        "products": {
            p.slug: Focus("product", p.id, pages.product_name((p, v)))
            for p, v in where.names.products.values()
        },
    }
    titles = {
        "industries": {slug: f.name for slug, f in focus["industries"].items()},
        "products": {slug: f.name for slug, f in focus["products"].items()},
        "countries": {code: country_name(code) for code in by["countries"]},
    }
    found: dict[str, Filled | None] = {}
    for kind, groups in by.items():
        links = []
        for slug in sorted(groups, key=lambda s: titles[kind].get(s, s)):
            name = titles[kind].get(slug, slug)
            in_focus = focus.get(kind, {}).get(slug)
            count = len(groups[slug])
            intro = (
                f"{count} partners that claim {text(name)} or have verified "
                f"engagements in it, by verified customer success in {text(name)}."
                if in_focus
                else f"{count} partners in {text(name)}, by verified customer success."
            )
            path = f"{kind}/{slug}.html"
            found[path] = None
            if redo is None or path in redo:
                body = lists.list_body(intro, groups[slug], in_focus)
                found[path] = Filled(f"{kind}/{LIST_TEMPLATE}.html", body, f"{name}: partners")
            links.append(f'<li><a href="{slug}.html">{text(name)}</a> ({count})</li>')
        found[f"{kind}/index.html"] = Filled(
            f"{kind}/index.html", f'<ul class="vouch-groups">{"".join(links)}</ul>\n'
        )
    return found


def _home(where: Directory, rows: list[Listed]) -> Filled:
    # The top: partners with published figures; the rest sit at the market's score
    top = [row for row in lists.ranked(rows) if not row.withheld][:20]
    overall = where.market["all"]
    intro = (
        "<p>Every figure here comes from surveys of each partner's real customers, sent by "
        "the software vendor for every completed engagement: never from the partner's "
        "marketing, never ranked by revenue. Read the "
        '<a href="methodology.html">methodology</a>, browse by '
        '<a href="industries/index.html">industry</a>, '
        '<a href="products/index.html">product</a> or '
        '<a href="countries/index.html">country</a>, or '
        '<a href="compare.html">compare partners</a>.</p>\n'
        + f"<p>{len(rows)} partners; {overall.response_count} verified answers across the "
        f"market, NPS {nps_words(overall)}. See "
        '<a href="market.html">market insights</a> for what happens when buyers take the '
        "partner their vendor recommends.</p>\n"
    )
    return Filled("index.html", intro, table=lists.ranked_table(top, ""))


def list_pages(row: Listed) -> set[str]:
    """The lists `row` is on, by path in the built site."""
    return {f"{kind}/{slug}.html" for kind in KINDS for slug in row.lists(kind)}


DATA_FILES = ("data/partners.json", "data/names.json", "data/partners.csv")


def data_files(rows: list[Listed]) -> dict[str, str]:
    """The open data, by path: partners.json (a partner a line) and .csv, and names.json for
    the compare page."""
    ranked = lists.ranked(rows)
    records = ",\n".join(json.dumps(dict(zip(COLUMNS, row.record, strict=True))) for row in ranked)
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(COLUMNS)
    for row in ranked:
        writer.writerow([";".join(v) if isinstance(v, list) else v for v in row.record])
    return {
        "data/partners.json": f"[\n{records}\n]\n" if records else "[]\n",
        "data/names.json": json.dumps([{"slug": row.slug, "name": row.name} for row in rows]),
        "data/partners.csv": buffer.getvalue(),
    }
