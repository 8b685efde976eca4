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
from dataclasses import dataclass

from markdown.extensions.toc import slugify

from api.countries import country_name
from api.csv_safe import SafeWriter
from directory_site import lists, market, pages
from directory_site.bodies import PLACEHOLDER
from directory_site.content import Directory, PartnerEntry
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


def data_pages(where: Directory, entries: list[PartnerEntry]) -> dict[str, Filled]:
    """Every such page, by its path in the built site."""
    found = _lists(where, entries)
    found["index.html"] = _home(where, entries)
    found["market.html"] = Filled("market.html", market.market_body(where))
    found["open-data.html"] = Filled(
        "open-data.html",
        f"<p>{len(entries)} partners. Only published figures are included; withheld ones "
        "are empty.</p>\n",
    )
    return found


def _lists(where: Directory, entries: list[PartnerEntry]) -> dict[str, Filled]:
    """A list per industry and product (a partner is listed where it claims it or has
    verified engagements in it) and per country (where it has an office)."""
    by: dict[str, dict[str, list[PartnerEntry]]] = {kind: defaultdict(list) for kind in KINDS}
    industry_slugs = {str(i.id): i.slug for i in where.names.industries.values()}
    product_slugs = {str(p.id): p.slug for p, _v in where.names.products.values()}
    for entry in entries:
        industries = {i.slug for i in entry.industries}
        industries |= {industry_slugs[s.key] for s in entry.segments.get("industry", [])}
        products = {p.slug for p, _v in entry.products}
        products |= {product_slugs[s.key] for s in entry.segments.get("product", [])}
        for slug in industries:
            by["industries"][slug].append(entry)
        for slug in products:
            by["products"][slug].append(entry)
        for country in {office.country for office in entry.offices}:
            by["countries"][country.lower()].append(entry)
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
    found = {}
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
            body = lists.list_body(intro, groups[slug], where.market_nps, in_focus)
            template = f"{kind}/{LIST_TEMPLATE}.html"
            found[f"{kind}/{slug}.html"] = Filled(template, body, f"{name}: partners")
            links.append(f'<li><a href="{slug}.html">{text(name)}</a> ({count})</li>')
        found[f"{kind}/index.html"] = Filled(
            f"{kind}/index.html", f'<ul class="vouch-groups">{"".join(links)}</ul>\n'
        )
    return found


def _home(where: Directory, entries: list[PartnerEntry]) -> Filled:
    # The top: partners with published figures; the rest sit at the market's score
    top = [e for e in lists.ranked(entries) if not e.figures.overall.nps.withheld][:20]
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
        + f"<p>{len(entries)} partners; {overall.response_count} verified answers across the "
        f"market, NPS {nps_words(overall)}. See "
        '<a href="market.html">market insights</a> for what happens when buyers take the '
        "partner their vendor recommends.</p>\n"
    )
    return Filled("index.html", intro, table=lists.ranked_table(top, "", where.market_nps))


def data_files(entries: list[PartnerEntry]) -> dict[str, str]:
    """The open data, by path: partners.json and .csv, and names.json for the compare page."""
    records = [
        {
            "slug": e.slug,
            "name": e.partner.name,
            "website": e.partner.website,
            "countries": sorted({o.country for o in e.offices}),
            "industries": [i.slug for i in e.industries],
            "responses": e.figures.overall.response_count,
            "nps": e.figures.overall.nps.value,
            "nps_low": e.figures.overall.nps.low,
            "nps_high": e.figures.overall.nps.high,
            "response_rate": e.figures.response_rate,
            "evidence_tier": e.figures.evidence_tier,
            "evidence": e.figures.evidence,
            "result": e.figures.result,
            "ranking_score": round(e.figures.ranking_score, 4),
            "published_at": e.figures.overall.published_at.isoformat()
            if e.figures.overall.published_at
            else None,
        }
        for e in lists.ranked(entries)
    ]
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    columns = list(records[0]) if records else ["slug"]
    writer.writerow(columns)
    for record in records:
        writer.writerow([";".join(v) if isinstance(v := record[c], list) else v for c in columns])
    return {
        "data/partners.json": json.dumps(records, indent=1),
        "data/names.json": json.dumps([{"slug": e.slug, "name": e.partner.name} for e in entries]),
        "data/partners.csv": buffer.getvalue(),
    }
