"""The public directory site, built for real (`vouch site build`) from a small directory.

SQLite only: the site reads the same published figures value on either backend, and each
build takes seconds.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text, update

from api import migrations
from api.db import create_db_engine
from api.demo_data import load_demo_data
from api.models import (
    Certification,
    Office,
    Partner,
    Reference,
    ReviewReply,
    SurveyResponse,
)
from api.services.figures_rebuild import rebuild
from api.settings import parse_database_url
from directory_site.sanitize import markdown_html
from tests import factories
from tests.cli_runner import vouch, vouch_at
from tests.databases import Database
from tests.outside_parts import unavailable
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, invite, record, submit

MARKER = "vouch-xss-ran"
# Each tries to run script, restyle or link to javascript: from a text field.
PAYLOADS = [
    f"<script>document.title='{MARKER}'</script>",
    f"<img src=x onerror=\"document.title='{MARKER}'\">",
    f"[click](javascript:document.title='{MARKER}')",
    f"<a href=\"javascript:document.title='{MARKER}'\">x</a>",
    f"<svg onload=\"document.title='{MARKER}'\"></svg>",
    'text{: onclick="alert(1)" }',
    f'"><script>document.title="{MARKER}"</script>',
]
EVIL = " ".join(PAYLOADS)


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def answer(
    api: GraphQLClient, keys: dict[str, str], slug: str, number: int, score: int, **values: object
) -> None:
    """One engagement recorded by the vendor (keys["vendor"]), confirmed by its partner
    (keys[slug]), one invitation and one answer."""
    key = keys["vendor"]
    domain = f"{slug}-{number}.example"
    engagement = record(api, key, keys[slug], **engagement_input(slug, customerDomain=domain))
    token = invite(api, key, engagement, f"cio@{domain}")
    assert submit(api, token, likelihoodToRecommend=score, **values)["accepted"] is True


@pytest.fixture(scope="module")
def built(
    database: Database, tmp_path_factory: pytest.TempPathFactory, server_url: str
) -> Iterator[Path]:
    if database.backend != "sqlite":
        pytest.skip("the site is built from SQLite here; it reads the same value on PostgreSQL")
    database.wipe()
    import httpx

    with database.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(
            session,
            world,
            "alpha-health",
            industries=("healthcare",),
            products=("acme-crm",),
            offices=(("Oslo", "NO", 59.91, 10.75),),
        )
        factories.partner(session, world, "bravo-retail", industries=("retail",))
        factories.partner(
            session,
            world,
            "evil-inc",
            industries=("healthcare",),
            references=1,
            certifications=1,
            offices=(("Lyon", "FR", 45.76, 4.84),),
        )
        keys = {
            "vendor": factories.key(session, "vendor", vendor="acme"),
            **{
                slug: factories.key(session, "partner", partner=slug)
                for slug in ("alpha-health", "bravo-retail", "evil-inc")
            },
        }
        session.execute(
            update(Partner)
            .where(Partner.slug == "evil-inc")
            .values(
                name='=HYPERLINK("http://x.example")',
                summary=EVIL[:300],
                description=EVIL,
                website="javascript:alert(1)",
            )
        )
    with httpx.Client(timeout=30) as http:
        api = GraphQLClient(base_url=server_url, http=http)
        for number, score in enumerate([10, 9, 9, 10, 6, 8]):
            answer(api, keys, "alpha-health", number, score, comment=f"Good work {number}")
        for number in range(5):
            answer(
                api,
                keys,
                "evil-inc",
                number,
                9,
                comment=EVIL,
                anonymous=False,
                respondentName=EVIL[:150],
            )
        answer(api, keys, "bravo-retail", 0, 3)
    _every_other_text_is_evil(database)
    out = tmp_path_factory.mktemp("data")
    result = vouch("site", "build", db=database, data_dir=out)
    assert result.returncode == 0, result.stderr
    assert "built the site at" in result.stdout
    yield out / "site"
    database.wipe()


def _every_other_text_is_evil(database: Database) -> None:
    """Offices, certifications, references, the respondent's title and a partner's reply."""
    with database.session() as session, session.begin():
        evil = session.scalars(select(Partner.id).where(Partner.slug == "evil-inc")).one()
        session.execute(update(Office).where(Office.partner_id == evil).values(city=EVIL[:120]))
        session.execute(
            update(Certification).where(Certification.partner_id == evil).values(name=EVIL[:200])
        )
        session.execute(
            update(Reference)
            .where(Reference.partner_id == evil)
            .values(title=EVIL[:200], summary=EVIL, customer_name=EVIL[:200])
        )
        session.execute(
            update(SurveyResponse)
            .where(SurveyResponse.partner_id == evil)
            .values(respondent_title=EVIL[:200])
        )
        for response_id in session.scalars(
            select(SurveyResponse.id).where(SurveyResponse.partner_id == evil)
        ):
            session.add(ReviewReply(response_id=response_id, partner_id=evil, body=EVIL))


def page(site: Path, name: str) -> str:
    return (site / name).read_text()


def test_a_partner_page_shows_its_published_figures(built: Path) -> None:
    html = page(built, "partners/alpha-health.html")
    # 6 answers, published at the 5th: 10 9 9 10 6 -> promoters 4, detractors 1, NPS +60
    assert "<strong>+60</strong>" in html
    assert "n=5" in html
    assert "last published" in html
    assert "at least 5 new answers" in html
    assert 'role="img"' in html  # charts, with a text alternative
    assert "<desc" in html
    assert "Good work" in html
    assert len(html.encode()) < 100_000


def test_a_partner_under_five_answers_shows_why_its_figures_are_withheld(built: Path) -> None:
    html = page(built, "partners/bravo-retail.html")
    assert "not published yet: fewer than 5 answers" in html
    assert "not published yet" in html


def test_every_internal_link_leads_to_a_file(built: Path) -> None:
    broken = []
    for path in built.rglob("*.html"):
        if path.name == "404.html":
            continue  # served for any path, so mkdocs links it from the root
        parser = Links()
        parser.feed(path.read_text())
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("#", "mailto:")):
                continue
            target = (path.parent / unquote(parts.path)).resolve()
            if parts.path and not target.exists():
                broken.append(f"{path.relative_to(built)} -> {link}")
    assert broken == []


def article(html: str) -> str:
    """The page's own content, without the theme's scripts around it."""
    return html.split("<article", 1)[1].split("</article>", 1)[0]


@pytest.mark.parametrize("name", ["partners/evil-inc.html", "industries/healthcare.html"])
def test_no_payload_survives_into_the_html(built: Path, name: str) -> None:
    content = article(page(built, name))
    assert "vouch-xss-ran" in content  # the payloads are there, as text
    tags = re.findall(r"<[^>]+>", content)
    assert not [tag for tag in tags if tag.startswith(("<script", "<img", "<svg o", "<iframe"))]
    assert not [tag for tag in tags if re.search(r"\son\w+\s*=", tag)], "an event attribute"
    assert not [tag for tag in tags if "javascript:" in tag]
    assert "&lt;script&gt;" in content or name.startswith("industries")  # shown as text


def test_no_payload_runs_in_a_real_browser(built: Path) -> None:
    if shutil.which("chromium") is None:
        unavailable("no chromium: `make browser` installs Debian's chromium")
    for name in ("partners/evil-inc.html", "index.html", "compare.html"):
        dom = subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--virtual-time-budget=3000",
                "--dump-dom",
                (built / name).as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        title = re.search(r"<title>(.*?)</title>", dom, re.S)
        assert title is not None
        assert MARKER not in title.group(1), f"a payload ran on {name}"


def test_the_static_search_index_holds_a_record_per_partner_not_whole_pages(
    built: Path,
) -> None:
    # mkdocs' lunr index (one file that grows with the directory) is gone
    assert not (built / "search" / "search_index.json").exists()
    folder = built / "vouch-search"
    index = json.loads((folder / "index.json").read_text())
    assert index["documents"] == 3  # alpha, bravo, evil: no other page
    # what a hit shows: the partner's page, name and summary, as text
    records = {
        location: (name, summary)
        for path in (folder / "docs").iterdir()
        for location, name, summary in json.loads(gzip.decompress(path.read_bytes()))
    }
    assert set(records) == {
        "partners/alpha-health.html",
        "partners/bravo-retail.html",
        "partners/evil-inc.html",
    }
    assert records["partners/alpha-health.html"][0] == "Alpha Health"
    # the words searched: its places and industries too, and nothing of its reviews
    words = b"".join(
        gzip.decompress(path.read_bytes()).split(b"\n", 1)[0]
        for path in (folder / "terms").iterdir()
    ).decode()
    assert '"oslo"' in words
    assert '"healthcar"' in words  # stemmed, as the API's engines hold it
    assert '"good"' not in words  # "Good work" is a review's
    # the evil partner's name is kept as text (the box sets it with textContent)
    assert records["partners/evil-inc.html"][0].startswith("=HYPERLINK")


def test_open_data_neutralises_formulas(built: Path) -> None:
    csv_text = page(built, "data/partners.csv")
    assert "'=HYPERLINK" in csv_text
    records = json.loads(page(built, "data/partners.json"))
    assert {r["slug"] for r in records} == {"alpha-health", "bravo-retail", "evil-inc"}
    assert next(r for r in records if r["slug"] == "evil-inc")["name"].startswith("=HYPERLINK")


def test_reviews_show_no_score_and_open_data_no_time_of_day(built: Path) -> None:
    # alpha-health's reviews were answered 10, 9, 9, 10, 6: the page shows what was
    # written, never a score out of 10 (it would give back withheld figures)
    reviews = page(built, "partners/alpha-health.html").split("<h2>Reviews</h2>")[1]
    assert "Good work" in reviews
    assert "/10" not in reviews
    # the open data dates a publication by its day, never the second the fifth answer came
    records = json.loads(page(built, "data/partners.json"))
    [alpha] = [r for r in records if r["slug"] == "alpha-health"]
    assert alpha["published_at"].endswith("T00:00:00+00:00")


def test_lists_and_market_insights_are_built(built: Path) -> None:
    healthcare = page(built, "industries/healthcare.html")
    # evil-inc: five 9s, NPS +100; alpha-health: +60 over its first five: evil-inc ranks first
    assert healthcare.index("partners/evil-inc.html") < healthcare.index("partners/alpha-health")
    assert "bravo-retail" not in healthcare
    assert "Ordered by ranking score" in healthcare
    assert "Market insights" in page(built, "market.html")
    assert "adjusted Wald" in page(built, "methodology.html")
    assert (built / "countries" / "no.html").exists()


def test_the_home_page_s_top_holds_only_partners_with_published_figures(built: Path) -> None:
    # bravo-retail has one answer, nothing published: the market's score placed it in the
    # top, where "withheld" read as a figure held back
    top = article(page(built, "index.html")).split("Top partners", 1)[1]
    assert "partners/alpha-health.html" in top
    assert "partners/bravo-retail.html" not in top


def test_an_industry_list_ranks_by_and_shows_the_industry_s_own_figures(built: Path) -> None:
    healthcare = article(page(built, "industries/healthcare.html"))
    ranked_there = healthcare.split("Ranked by their figures in Healthcare", 1)[1]
    alpha = ranked_there.split("partners/alpha-health.html", 1)[1].split("</tr>", 1)[0]
    # alpha-health's five published answers are all healthcare engagements
    assert "Listed for 5 verified engagements in Healthcare" in alpha
    assert "<strong>+60</strong>" in alpha
    assert "n=5" in alpha
    assert "Evidence: limited (5 answers)" in alpha
    assert "NPS in Healthcare" in healthcare


def test_a_partner_page_says_evidence_and_result_apart_and_links_the_method(built: Path) -> None:
    html = article(page(built, "partners/alpha-health.html"))
    assert re.search(r"Evidence</th><td>limited \(5 answers\)", html)
    assert re.search(r"Result</th><td>(above|in line with|below) the market", html)
    assert "Emerging" not in html
    assert "the range the true NPS most likely lies in" in html
    assert 'href="../methodology.html#the-figures"' in html
    assert "Acme CRM" in html
    assert "Acme Cloud Acme CRM" not in html


def test_market_insights_say_what_the_chart_shows_in_words(built: Path) -> None:
    html = article(page(built, "market.html"))
    assert "What it shows:" in html
    assert "Peer referral" in html
    assert "Rfp" not in html
    assert "Vendor NPS: how likely the same respondents are to recommend" in html
    assert 'class="vouch-market vouch-stack"' in html


def test_a_failed_build_leaves_the_previous_site(built: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built, site)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    # a database at the right revision that lost a table: the build fails while reading it
    broken = parse_database_url(f"sqlite:///{tmp_path / 'broken.db'}")
    migrations.upgrade(broken)
    engine = create_db_engine(broken)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE published_market"))
    engine.dispose()
    result = vouch_at(
        "site", "build", "--out", str(site),
        url=broken.render_as_string(), data_dir=tmp_path / "other",
    )  # fmt: skip
    assert result.returncode != 0
    assert "the previous site" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "broken.db",
        "other",
        "site",
    ]  # nothing beside


def test_a_demo_directory_builds_strictly(tmp_path: Path, database: Database) -> None:
    if database.backend != "sqlite":
        pytest.skip("SQLite only")
    data = tmp_path / "demo"
    db_url = f"sqlite:///{data / 'vouch.db'}"
    from api import migrations
    from api.db import create_db_engine, session_factory
    from api.settings import parse_database_url

    url = parse_database_url(db_url)
    migrations.upgrade(url)
    engine = create_db_engine(url)
    load_demo_data(engine, partners=30, seed=3, progress=False)
    with session_factory(engine)() as session, session.begin():
        rebuild(session=session, publish_all=True)
    engine.dispose()
    from directory_site.build import build_site

    with session_factory(create_db_engine(url))() as session:
        summary = build_site(session, data / "site", lock_dir=data / "locks")
    assert summary.partners == 30
    assert summary.pages > 30


# --- the sanitiser on its own ------------------------------------------------------------------

DANGEROUS = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "javascript:",
        "[a](",
        ")",
        "{:",
        'onclick="x"',
        "<a href=",
        "<svg onload=x>",
        "**",
        "\n\n",
        "- ",
        "`",
        "<",
        ">",
        "&#106;",
    ]
)


class Tags(HTMLParser):
    """Every element and attribute a browser would build from a fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


ALLOWED = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "code", "pre",
           "blockquote", "h3", "h4", "h5", "h6", "hr"}  # fmt: skip


@given(st.lists(st.one_of(DANGEROUS, st.text(max_size=8)), max_size=25).map("".join))
@example('[a](<script>javascript:"<img src=x onerror=alert(1)>)')  # a relative href
@example("[a](java\tscript:alert(1))")
@example("[x](JAVASCRIPT:alert(1))")
@settings(max_examples=300)
def test_sanitised_markdown_never_carries_a_script_an_event_or_a_javascript_link(
    source: str,
) -> None:
    parser = Tags()
    parser.feed(markdown_html(source))
    for tag, attrs in parser.found:
        assert tag in ALLOWED, tag
        for name, value in attrs:
            assert name in ("href", "title", "rel"), name
            if name == "href":
                # As a browser reads a URL (WHATWG): leading and trailing controls and spaces
                # out, tabs and newlines out anywhere; then a scheme is letters, digits,
                # + - . before the first colon; anything else is a relative path.
                url = re.sub(r"[\t\n\r]", "", (value or "").strip("".join(map(chr, range(33)))))
                scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
                assert scheme is None or scheme[1].lower() in ("http", "https", "mailto"), value


def test_plain_prose_and_markdown_both_come_out_as_paragraphs() -> None:
    assert markdown_html("We shipped.\n\nOn time.") == "<p>We shipped.</p><p>On time.</p>"
    assert markdown_html("**On time** & <b>on budget</b>") == (
        "<p><strong>On time</strong> &amp; &lt;b&gt;on budget&lt;/b&gt;</p>"
    )
