"""`vouch site build`: database -> Markdown pages and data files -> mkdocs build -> the site.

The build happens in a temporary folder beside the published site, which it replaces by
renames only once mkdocs succeeded: a failed or killed build leaves the previous site
serving, and the next build clears what a killed one left (directory_site/build_lock.py).
It replaces only an empty folder or an earlier build's (directory_site/output_folder.py).
Partners are not in the nav (mkdocs repeats the nav on every page); the search box asks
the API, or a chunked static index when there is none (directory_site/search_box.py).
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from sqlalchemy.orm import Session

from api.countries import country_name
from api.csv_safe import SafeWriter
from directory_site import content, lists, market, pages, partner_pages, search_box, vendors
from directory_site.bodies import BODIES
from directory_site.build_lock import WORKING, SiteBusy, exclusive_build, remove_working
from directory_site.content import Directory, PartnerEntry
from directory_site.hooks import DATA_DAY
from directory_site.lists import Focus
from directory_site.output_folder import NotASiteFolder, check_replaceable, mark
from directory_site.sanitize import text
from directory_site.words import nps_words

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "mkdocs.yml"
STATIC = HERE / "static"


class SiteBuildError(Exception):
    """The site could not be built; the previous one, if any, still serves."""


@dataclass(frozen=True)
class BuildSummary:
    partners: int
    pages: int
    bytes: int
    search_index_bytes: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.partners} partners, {self.pages} pages, {self.bytes / 1e6:.1f} MB "
            f"(search index {self.search_index_bytes / 1e3:.0f} KB) in {self.seconds:.1f} s"
        )


Progress = Callable[[int, int], None]


def build_site(
    session: Session, out: Path, *, lock_dir: Path, progress: Progress | None = None
) -> BuildSummary:
    """Build the site from the database into `out`, replacing what was there only on
    success, and only if a build made it; the lock is kept in `lock_dir`."""
    started = time.perf_counter()
    out = out.resolve()
    try:
        with exclusive_build(out, lock_dir):
            check_replaceable(out)
            count = _build_in_temporary_folder(session, out, progress)
    except NotASiteFolder as error:
        raise SiteBuildError(str(error)) from error
    except (SiteBusy, OSError) as error:
        raise SiteBuildError(_not_built(out, error)) from error
    files = [path for path in out.rglob("*") if path.is_file()]
    return BuildSummary(
        partners=count,
        pages=sum(1 for path in files if path.suffix == ".html"),
        bytes=sum(path.stat().st_size for path in files),
        search_index_bytes=sum(
            path.stat().st_size for path in (out / search_box.FOLDER).rglob("*") if path.is_file()
        ),
        seconds=time.perf_counter() - started,
    )


def _not_built(out: Path, error: Exception) -> str:
    kept = f"; the previous site at {out} still serves" if out.exists() else ""
    return f"the site was not built: {error}{kept}"


def _build_in_temporary_folder(session: Session, out: Path, progress: Progress | None) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        (work / WORKING).touch()
        docs, built = work / "docs", work / "site"
        try:
            count = write_docs(session, docs)
            run_mkdocs(docs, built, content.data_day(session))
            url = session.get_bind().engine.url.render_as_string(hide_password=False)
            records = partner_pages.write_all(url, built, progress)
            search_box.write_static_index(records, built)
            mark(built)
        except Exception as error:
            raise SiteBuildError(_not_built(out, error)) from error
        _publish(built, out, work / "old")
    finally:
        remove_working(work)
    return count


def run_mkdocs(docs: Path, site: Path, day: date) -> None:
    """mkdocs dates every page (the sitemap's lastmod and its gzip header) by `day` rather
    than by the clock (directory_site/hooks.py): two builds of the same data are the same
    bytes."""
    config = load_config(
        str(CONFIG),
        docs_dir=str(docs),
        site_dir=str(site),
        strict=True,
        extra={DATA_DAY: day.isoformat()},
    )
    try:
        mkdocs_build(config)
    finally:
        BODIES.clear()


def _publish(built: Path, out: Path, old: Path) -> None:
    """Swap the new site in by renames: at every moment one whole site is at `out`, or
    (killed between the two) the previous one at `old`, which the next build puts back."""
    check_replaceable(out)  # again: files may have been added while this one built
    if out.exists():
        out.rename(old)
    try:
        built.rename(out)
    except OSError:
        if old.exists():
            old.rename(out)
        raise


def write_docs(session: Session, docs: Path) -> int:
    """Every page but the partners' into `docs` (long pages' bodies into BODIES), and the
    partner page template; the number of partners."""
    shutil.copytree(STATIC, docs)
    BODIES.clear()
    where = content.directory(session)
    (docs / "partners").mkdir()
    (docs / "data" / "compare").mkdir(parents=True)
    (docs / f"{partner_pages.TEMPLATE}.md").write_text(partner_pages.template_markdown())
    entries = list(content.listed_partners(session, where))
    _write_lists(docs, where, entries)
    (docs / "market.md").write_text(market.market_page(where))
    vendors.write_vendor_pages(session, docs)
    (docs / "index.md").write_text(_home(where, entries))
    _write_open_data(docs, entries)
    return len(entries)


def _write_lists(docs: Path, where: Directory, entries: list[PartnerEntry]) -> None:
    """A list per industry and product (a partner is listed where it claims it or has
    verified engagements in it) and per country (where it has an office)."""
    by: dict[str, dict[str, list[PartnerEntry]]] = {
        "industries": defaultdict(list),
        "products": defaultdict(list),
        "countries": defaultdict(list),
    }
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
    heads = {"industries": "Industries", "products": "Products", "countries": "Countries"}
    for kind, groups in by.items():
        folder = docs / kind
        folder.mkdir()
        links = []
        for slug in sorted(groups, key=lambda s: titles[kind].get(s, s)):
            title = titles[kind].get(slug, slug)
            found = focus.get(kind, {}).get(slug)
            intro = (
                f"{len(groups[slug])} partners that claim {text(title)} or have verified "
                f"engagements in it, by verified customer success in {text(title)}."
                if found
                else f"{len(groups[slug])} partners in {text(title)}, by verified customer success."
            )
            head, body = lists.list_page(
                f"{title}: partners", intro, groups[slug], where.market_nps, found
            )
            (folder / f"{slug}.md").write_text(head)
            BODIES[f"{kind}/{slug}.md"] = body
            links.append(f'<li><a href="{slug}.html">{text(title)}</a> ({len(groups[slug])})</li>')
        (folder / "index.md").write_text(
            pages.front(heads[kind], search=False)
            + f'# {heads[kind]}\n\n<ul class="vouch-groups">{"".join(links)}</ul>\n'
        )


def _home(where: Directory, entries: list[PartnerEntry]) -> str:
    # The top: partners with published figures; the rest sit at the market's score
    top = [e for e in lists.ranked(entries) if not e.figures.overall.nps.withheld][:20]
    market = where.market["all"]
    return (
        pages.front("Verified implementation partners", search=False, wide=True)
        + "# Implementation partners, ranked by what their customers say\n\n"
        + "<p>Every figure here comes from surveys of each partner's real customers, sent by "
        "the software vendor for every completed engagement: never from the partner's "
        "marketing, never ranked by revenue. Read the "
        '<a href="methodology.html">methodology</a>, browse by '
        '<a href="industries/index.html">industry</a>, '
        '<a href="products/index.html">product</a> or '
        '<a href="countries/index.html">country</a>, or '
        '<a href="compare.html">compare partners</a>.</p>\n\n'
        + f"<p>{len(entries)} partners; {market.response_count} verified answers across the "
        f"market, NPS {nps_words(market)}. See "
        '<a href="market.html">market insights</a> for what happens when buyers take the '
        "partner their vendor recommends.</p>\n\n"
        + "## Top partners by verified customer success\n\n"
        + lists.ranked_table(top, "", where.market_nps)
        + "\n"
    )


def _write_open_data(docs: Path, entries: list[PartnerEntry]) -> None:
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
    data = docs / "data"
    (data / "partners.json").write_text(json.dumps(records, indent=1))
    (data / "names.json").write_text(
        json.dumps([{"slug": e.slug, "name": e.partner.name} for e in entries])
    )
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    columns = list(records[0]) if records else ["slug"]
    writer.writerow(columns)
    for record in records:
        writer.writerow([";".join(v) if isinstance(v := record[c], list) else v for c in columns])
    (data / "partners.csv").write_text(buffer.getvalue())
    (docs / "open-data.md").write_text(
        pages.front("Open data", search=False)
        + "# Open data\n\n<p>Every partner and its published figures, free to reuse:</p>\n\n"
        + '<ul><li><a href="data/partners.json">partners.json</a></li>'
        + '<li><a href="data/partners.csv">partners.csv</a> (cells that start with =, +, - or '
        + "@ begin with an apostrophe, so no spreadsheet runs them)</li></ul>\n"
        + f"<p>{len(records)} partners. Only published figures are included; withheld ones "
        "are empty.</p>\n"
    )
