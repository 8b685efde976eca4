"""The site's search box in Chromium: served by `vouch serve` it asks the API's search and
shows what the API finds, in the API's order (every word must match, typos forgiven,
"quoted phrases"); on a plain static file server it reads the site's own static index
(search_index/static_index.py), by the same rules. The site searched is an incremental
build made after an edit (issue 24).

The browser is driven as in tests/test_site_browser.py (Debian's Chromium, no network but
loopback).
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import URL
from whoosh.lang.porter import stem

from api import migrations
from api.db import create_db_engine, session_factory
from api.demo_data import load_demo_data
from api.models import Partner
from api.services.apikeys import Caller
from api.services.figures_rebuild import rebuild
from api.services.profile import update_profile
from api.settings import parse_database_url
from directory_site import listed, search_box
from directory_site.build import build_site
from directory_site.search_box import SearchRecord, write_static_index
from search_index import index_for, static_index
from tests.cli_runner import serving
from tests.server import free_port
from tests.test_site_browser import CHROMIUM, CHROMIUM_ARGS, browsing

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - playwright comes with the dev extras
    from tests.outside_parts import unavailable

    unavailable("playwright is not installed: pip install -e '.[dev]'", whole_module=True)

pytestmark = pytest.mark.slow

SEARCH_NAMES = """query ($words: String!) {
  search(query: $words, first: 10) { totalCount edges { node { name } } }
}"""
LARGEST_SEARCH_FILE = 150_000
JAVASCRIPTS = Path(search_box.__file__).parent / "static" / "javascripts"

EDITED_SUMMARY = "Known for the zephyrquill method of phased rollouts."


@dataclass(frozen=True)
class Directory:
    url: URL
    data: Path  # VOUCH_DATA_DIR: the built site in site/, the search index in index/
    names: list[str]
    texts: list[str]  # each partner's name, summary and description, lower-cased
    edited: str  # the partner whose summary became EDITED_SUMMARY after the first build

    @property
    def site(self) -> Path:
        return self.data / "site"


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Directory:
    """60 demo partners, their site built, one partner's summary edited, the site built
    again (incrementally), and their search index."""
    data = tmp_path_factory.mktemp("search-box")
    url = parse_database_url(f"sqlite:///{data / 'vouch.db'}")
    migrations.upgrade(url)
    engine = create_db_engine(url)
    try:
        load_demo_data(engine, partners=60, seed=5, progress=False)
        with session_factory(engine)() as session, session.begin():
            rebuild(session=session, publish_all=True)
        with session_factory(engine)() as session:
            assert build_site(session, data / "site", lock_dir=data / "locks").how == "full"
        # an edit after the first build: the box reads what the next, incremental, build made
        with session_factory(engine)() as session, session.begin():
            partner = session.scalars(select(Partner).order_by(Partner.id)).first()
            assert partner is not None
            edited = partner.name
            update_profile(
                session=session,
                caller=Caller(role="admin", source="test"),
                slug=partner.slug,
                expected_version=partner.version,
                changes={"summary": EDITED_SUMMARY},
            )
        with session_factory(engine)() as session:
            again = build_site(session, data / "site", lock_dir=data / "locks")
            assert again.how.startswith("incremental, 1 partner pages redone"), again.how
            index_for(data / "index").build(session)
            rows = session.scalars(select(Partner).order_by(Partner.id)).all()
            names = [row.name for row in rows]
            texts = [
                " ".join((row.name, row.summary or "", row.description or "")).lower()
                for row in rows
            ]
    finally:
        engine.dispose()
    return Directory(url=url, data=data, names=names, texts=texts, edited=edited)


@pytest.fixture(scope="module")
def served(directory: Directory) -> Iterator[str]:
    """`vouch serve`: the site at /, the API at /graphql."""
    with serving(url=directory.url, data_dir=directory.data) as address:
        yield f"{address}/"


@pytest.fixture(scope="module")
def static(directory: Directory) -> Iterator[str]:
    """The same site on a plain static file server: no API beside it."""
    with static_server(directory.site) as address:
        yield address


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """`folder` on Python's static file server, on loopback."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(address, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        from tests.outside_parts import unavailable

        unavailable(f"no {CHROMIUM}: `make browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass(frozen=True)
class TwoWordName:
    name: str
    own: str  # a word of the name no other partner uses (name, summary or description)
    shared: str  # a word of the name other partners' names have too


@pytest.fixture(scope="module")
def two_word(directory: Directory) -> TwoWordName:
    """A partner named like "Atlaslight Digital": one word its own, one shared."""
    for name in directory.names:
        words = name.split()
        if len(words) != 2:
            continue
        own, shared = words

        def using(word: str) -> int:
            pattern = re.compile(rf"\b{re.escape(word.lower())}\b")
            return sum(1 for text in directory.texts if pattern.search(text))

        if using(own) == 1 and sum(1 for n in directory.names if shared in n.split()) >= 3:
            return TwoWordName(name, own, shared)
    raise AssertionError("the demo data has no partner named like 'Atlaslight Digital'")


def api_names(served: str, words: str) -> tuple[int, list[str]]:
    """What the API's search finds for `words`: its count and the first ten names."""
    body = httpx.post(
        f"{served}graphql", json={"query": SEARCH_NAMES, "variables": {"words": words}}
    ).json()
    found = body["data"]["search"]
    return found["totalCount"], [edge["node"]["name"] for edge in found["edges"]]


def search(page: Page, words: str) -> None:
    field = page.locator("input.vouch-search__input")
    field.fill(words)


def shown(page: Page) -> list[str]:
    return page.locator(".vouch-search__hit a").all_inner_texts()


def expect_shown(page: Page, names: list[str], total: int) -> None:
    expect(page.locator(".vouch-search__status")).to_have_text(
        re.compile(rf"^{total} partners?\b") if total else "No partner matches every word."
    )
    expect(page.locator(".vouch-search__hit a")).to_have_text(names)


@pytest.fixture
def on_served(browser: Browser, served: str) -> Iterator[Page]:
    with browsing(browser, served) as page:
        page.goto("index.html")
        yield page


def test_an_exact_name_finds_that_partner_only_as_the_api_does(
    on_served: Page, served: str, two_word: TwoWordName
) -> None:
    # given: the shared word alone names several partners
    total, _ = api_names(served, two_word.shared)
    assert total >= 3
    # when: the whole name is typed
    search(on_served, two_word.name)
    # then: every word must match, so the partner is the only one, as in the API
    expect_shown(on_served, [two_word.name], 1)
    assert api_names(served, two_word.name) == (1, [two_word.name])
    # and its link leads to its page
    on_served.locator(".vouch-search__hit a").first.click()
    expect(on_served.locator("h1")).to_have_text(two_word.name)


def test_the_shared_word_alone_shows_the_api_s_hits_in_its_order(
    on_served: Page, served: str, two_word: TwoWordName
) -> None:
    total, names = api_names(served, two_word.shared)
    search(on_served, two_word.shared)
    expect_shown(on_served, names, total)


def test_a_typo_in_a_name_is_forgiven(on_served: Page, two_word: TwoWordName) -> None:
    # two letters of the partner's own word swapped: one edit, forgiven in longer words
    own = two_word.own
    typo = own[:2] + own[3] + own[2] + own[4:]
    assert typo != own
    search(on_served, f"{typo} {two_word.shared}")
    expect_shown(on_served, [two_word.name], 1)


def test_a_misspelled_industry_finds_what_the_right_spelling_finds(
    on_served: Page, served: str
) -> None:
    total, names = api_names(served, "healthcare")
    assert total >= 2
    search(on_served, "helthcare")
    expect_shown(on_served, names, total)


def test_a_quoted_phrase_must_match_as_written(
    on_served: Page, directory: Directory, two_word: TwoWordName
) -> None:
    # given: a word of the partner's own text that never follows its own word
    text = directory.texts[directory.names.index(two_word.name)]
    words = re.findall(r"[a-z]+", text)
    own = two_word.own.lower()
    following = {stem(after) for before, after in itertools.pairwise(words) if before == own}
    apart = next(w for w in words if len(w) >= 6 and stem(w) not in following | {stem(own)})
    # when/then: the two words anywhere find the partner; as a phrase, nothing
    search(on_served, f"{two_word.own} {apart}")
    expect_shown(on_served, [two_word.name], 1)
    search(on_served, f'"{two_word.own} {apart}"')
    expect_shown(on_served, [], 0)
    # and the name as a phrase finds it
    search(on_served, f'"{two_word.name}"')
    expect_shown(on_served, [two_word.name], 1)


def test_a_partner_s_words_reach_the_page_as_text_never_as_markup(
    on_served: Page, two_word: TwoWordName
) -> None:
    search(on_served, two_word.name)
    expect_shown(on_served, [two_word.name], 1)
    hit = on_served.locator(".vouch-search__hit").first
    # a link and a line of text: the summary, with no element made from the API's words
    assert hit.evaluate("(item) => item.querySelectorAll('*').length") == 2
    assert hit.locator(".vouch-search__summary").inner_text().strip()


def test_without_the_api_the_static_index_finds_a_partner_by_name(
    browser: Browser, static: str, two_word: TwoWordName
) -> None:
    fetched: list[str] = []
    with browsing(browser, static) as page:
        page.on("request", lambda request: fetched.append(request.url))
        page.goto("index.html")
        search(page, two_word.name)
        expect_shown(page, [two_word.name], 1)  # every word must match here too
        page.locator(".vouch-search__hit a").first.click()
        expect(page.locator("h1")).to_have_text(two_word.name)
    # it asked for the API once, then read the static index, never mkdocs' lunr index
    assert any("/graphql?" in url for url in fetched)
    assert any("/vouch-search/terms/" in url for url in fetched)
    assert not any("search_index.json" in url for url in fetched)


@pytest.mark.parametrize("server", ["served", "static"])
def test_an_edit_after_the_first_build_is_found_by_its_new_words(
    request: pytest.FixtureRequest, browser: Browser, directory: Directory, server: str
) -> None:
    # given: a summary edited after the first build, then an incremental build (the
    # fixture), the site served with the API beside it or on a plain static server
    with browsing(browser, request.getfixturevalue(server)) as page:
        page.goto("index.html")
        # when: a word only the new summary has is searched, then with a typo in it
        search(page, "zephyrquill")
        # then: the edited partner is found, through the API or through the static index
        expect_shown(page, [directory.edited], 1)
        search(page, "zephyrqiull rollouts")
        expect_shown(page, [directory.edited], 1)


def test_no_search_file_is_over_150_kb_at_three_thousand_partners(tmp_path: Path) -> None:
    # given: 3,000 partners with names, summaries and places of many different words
    rng = random.Random(3)
    syllables = ["ka", "lo", "mi", "ren", "tu", "vas", "dor", "qui", "bel", "ox", "syn", "pra"]

    def word() -> str:
        return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))

    records = [
        SearchRecord(
            number,
            f"partners/p{number}.html",
            f"{word().title()} {word().title()}",
            " ".join(word() for _ in range(14)),
            " ".join(word() for _ in range(6)),
            " ".join(word() for _ in range(2)),
            " ".join(word() for _ in range(60)),
            rng.uniform(-100, 100),
        )
        for number in range(3000)
    ]
    # when: the static index is written
    found = write_static_index(records, tmp_path)
    # then: many files, none over 150 KB, none empty
    sizes = {
        str(path.relative_to(tmp_path)): path.stat().st_size
        for path in (tmp_path / search_box.FOLDER).rglob("*")
        if path.is_file()
    }
    assert len(sizes) > 50  # the words in shards, the hits in chunks
    assert max(sizes.values()) <= LARGEST_SEARCH_FILE, max(sizes.items(), key=lambda i: i[1])
    assert min(sizes.values()) > 0
    assert found.largest == max(sizes.values())
    assert found.bytes == sum(sizes.values())
    index = json.loads((tmp_path / search_box.FOLDER / "index.json").read_text())
    assert index["documents"] == 3000


def test_without_the_api_a_word_no_partner_has_finds_no_one(
    browser: Browser, static: str, served: str, two_word: TwoWordName
) -> None:
    # given: a word no partner has, beside a word many partners share
    words = f"qqqzzzx {two_word.shared}"
    assert api_names(served, words) == (0, [])
    # when: both are searched on the static site
    with browsing(browser, static) as page:
        page.goto("index.html")
        search(page, words)
        # then: no partner has every word, as the API says
        expect_shown(page, [], 0)
        # and the shared word alone still finds its partners
        search(page, two_word.shared)
        expect(page.locator(".vouch-search__hit").first).to_be_visible()


def test_a_record_s_words_reach_the_static_index_as_written(tmp_path: Path) -> None:
    # given: a name and a summary with what HTML and JSON treat specially
    awkward = SearchRecord(
        1,
        "partners/acme.html",
        'Acme, "Inc" & <Co>: one \\ two',
        "Summary, with: commas & <b>tags</b>",
        "Retail ; Health",
        "Oslo ; Norway",
        "",
        12.5,
    )
    plain = SearchRecord(2, "partners/beta.html", "Beta", "", "", "Oslo", "", 0.0)
    # when: the static index is written
    write_static_index([plain, awkward], tmp_path)
    # then: what a hit shows of each is its own, character for character, in the order
    # of the partners' numbers
    chunk = json.loads(
        gzip.decompress((tmp_path / search_box.FOLDER / "docs/0.json.gz").read_bytes())
    )
    assert chunk == [
        ["partners/acme.html", awkward.name, awkward.summary],
        ["partners/beta.html", "Beta", ""],
    ]


STATIC_SEARCH = """async ([module, words]) => {
  const found = await import(module);
  const results = [];
  for (const text of words) {
    const page = await found.search(new URL("vouch-search/", location.href).href, text, 10);
    results.push([page.total, page.hits.map((hit) => [hit.name, hit.score])]);
  }
  return results;
}"""


def static_search(page: Page, queries: list[str]) -> list[tuple[int, list[tuple[str, float]]]]:
    """What the static index answers for each of `queries` (the page's site's index),
    read by the box's own module in the browser."""
    module = page.evaluate("new URL('javascripts/static-search.js', location.href).href")
    found = page.evaluate(STATIC_SEARCH, [module, queries])
    return [(total, [(name, score) for name, score in hits]) for total, hits in found]


def test_the_static_index_answers_as_the_api_does_on_many_queries(
    browser: Browser, static: str, served: str, directory: Directory
) -> None:
    # given: 200 queries drawn from the partners' own words: one to three words, a typo in
    # a third of them, runs of their text (hyphens, stop words and all), half of those
    # quoted as phrases, and words in an order the text never has them
    queries = drawn_queries(directory, random.Random(24), 200)
    queries += ["helthcare", "digital", "the and of", "qqqzzzx digital", directory.edited]
    queries += ['"data platform"', '"platform data"', "go-live", '"go live"', '"digital"']
    # when: the static index (in Chromium, on the static server) and the API search them
    with browsing(browser, static) as page:
        page.goto("index.html")
        found = static_search(page, queries)
    # then: the same count and the same first ten, in the same order, for every query
    for text, (total, hits) in zip(queries, found, strict=True):
        assert (total, [name for name, _score in hits]) == api_names(served, text), text


def drawn_queries(directory: Directory, rng: random.Random, count: int) -> list[str]:
    words = sorted({w for text in directory.texts for w in re.findall(r"[a-z]+", text)})
    queries = []
    for _ in range(count):
        chosen = [rng.choice(words) for _ in range(rng.choice([1, 1, 2, 3]))]
        if rng.random() < 0.33 and len(chosen[0]) >= 6:
            at = rng.randrange(1, len(chosen[0]) - 1)
            chosen[0] = chosen[0][:at] + chosen[0][at + 1] + chosen[0][at] + chosen[0][at + 2 :]
        if rng.random() < 0.3:
            text = rng.choice(directory.texts).split()
            start = rng.randrange(len(text))
            chosen = text[start : start + rng.choice([1, 2, 3, 4])]
            if rng.random() < 0.5:
                chosen = ['"' + " ".join(chosen) + '"']
        queries.append(" ".join(chosen))
    return queries


def shared_and_split(
    records: list[SearchRecord], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: int
) -> tuple[Path, Path]:
    """`records` as one static index where every word shares a shard (each posting with its
    ranking score), and as one where a word in more than 5 partners has files of its own,
    `part` partners a file (its postings without ranking scores: those are read from order
    pages of 8 partners and blend chunks of 4; nor the fields' lengths: those are in
    lengths files of 16 partners); each with the box's scripts beside it."""
    shared, split = tmp_path / "shared", tmp_path / "split"
    write_static_index(records, shared)
    monkeypatch.setattr(static_index, "OWN", 5)
    monkeypatch.setattr(static_index, "PART", part)
    monkeypatch.setattr(static_index, "ORDER_PAGE", 8)
    monkeypatch.setattr(static_index, "BLEND_CHUNK", 4)
    monkeypatch.setattr(static_index, "LENGTHS_CHUNK", 16)
    write_static_index(records, split)
    for folder in (shared, split):
        shutil.copytree(JAVASCRIPTS, folder / "javascripts")
    return shared, split


Answer = tuple[int, list[tuple[str, float]]]


def searched_fresh(
    browser: Browser, folder: Path, queries: list[str]
) -> list[tuple[Answer, set[str]]]:
    """Each of `queries` searched in `folder`'s static index, each in a fresh browser
    context (nothing fetched before): its answer and the index's files it fetched."""
    found = []
    with static_server(folder) as address:
        for text in queries:
            seen: list[str] = []
            with browsing(browser, address) as page:
                page.on("request", lambda request, into=seen: into.append(request.url))
                page.goto(address)
                [answer] = static_search(page, [text])
            paths = {url.split(f"/{search_box.FOLDER}/")[-1].split("?")[0] for url in seen}
            found.append((answer, paths))
    return found


def test_a_common_word_s_own_files_give_the_answers_one_shard_gives(
    browser: Browser, directory: Directory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the directory's records as one static index where every word shares a shard,
    # and as one where a word in more than 5 partners has files of its own, 7 a file (its
    # postings without ranking scores: those are read from order pages of 8 partners and
    # blend chunks of 4)
    rows = listed.load(directory.site)
    assert rows is not None
    records = [row.search for row in rows.values()]
    shared, split = shared_and_split(records, tmp_path, monkeypatch, part=7)
    assert len(list((split / search_box.FOLDER / "words").iterdir())) > 20
    assert not (shared / search_box.FOLDER / "words").exists()
    # when: the same queries are searched in each, in Chromium
    words = Counter(w for text in directory.texts for w in set(re.findall(r"[a-z]{6,}", text)))
    common = words.most_common(1)[0][0]  # a word of every description: files of its own
    queries = [*drawn_queries(directory, random.Random(5), 80), common, "helthcare"]
    answers = []
    for folder in (shared, split):
        fetched: list[str] = []
        with static_server(folder) as address, browsing(browser, address) as page:
            page.on("request", lambda request, seen=fetched: seen.append(request.url))
            page.goto(address)
            static_search(page, [common])
            # a common word alone fetches none of its own files: its best hits are kept
            assert any("/terms/" in url for url in fetched)
            assert not any("/words/" in url for url in fetched)
            answers.append(static_search(page, queries))
    # then: the same counts, hits and scores (a common word's best are scored in Python)
    for text, one, other in zip(queries, *answers, strict=True):
        assert (one[0], [name for name, _s in one[1]]) == (other[0], [n for n, _s in other[1]])
        mine, theirs = ([score for _name, score in found[1]] for found in (one, other))
        if None in mine + theirs:  # no searchable word: hits by the ranking score, unscored
            assert mine == theirs, text
        else:
            assert mine == pytest.approx(theirs, rel=1e-12), text


def test_common_words_read_the_ranking_scores_only_of_partners_that_could_lead(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: 64 partners whose descriptions all say "We move cloud data.", their ranking
    # scores falling two by two with their number (equal pairs: ties go by number), but
    # partner 50, ranked low, is named "Cloud Data Cloud": its words in its name (boost 3)
    # put its text score far above the others'. As one index where every word shares a
    # shard (each posting with its ranking score), and as one where "cloud" and "data"
    # have files of their own (postings without ranking scores), 8 partners an order page
    # and 4 a blend chunk
    records = [
        SearchRecord(
            n + 1,
            f"partners/p{n}.html",
            "Cloud Data Cloud" if n == 50 else f"Partner {n}",
            "",
            "",
            "",
            "We move cloud data.",
            90.0 - 2.5 * (n // 2),
        )
        for n in range(64)
    ]
    shared, split = shared_and_split(records, tmp_path, monkeypatch, part=16)
    assert (split / search_box.FOLDER / "order" / "7.bin").exists()
    # when: "cloud data" is searched in each, in Chromium
    [((total, hits), _files)] = searched_fresh(browser, shared, ["cloud data"])
    [((split_total, split_hits), fetched)] = searched_fresh(browser, split, ["cloud data"])
    # then: the same count, hits, order and scores: partner 50 first, then the nine
    # best-ranked (8 and 9 tie: 8 goes first)
    names = [name for name, _score in hits]
    assert total == split_total == 64
    assert names == ["Cloud Data Cloud", *(f"Partner {n}" for n in range(9))]
    assert [name for name, _s in split_hits] == names
    assert [s for _n, s in split_hits] == pytest.approx([s for _n, s in hits], rel=1e-12)
    # and the split index read two order pages of eight (partners 0-15: the ten best
    # placed, partner 15 the lowest), not the other six, and partner 50's blend chunk only
    pages = {path for path in fetched if path.startswith("order/")}
    assert pages == {"order/0.bin", "order/1.bin"}
    assert {path for path in fetched if path.startswith("blends/")} == {"blends/12.bin"}
    assert not any(path.endswith(".at.bin") for path in fetched)  # no phrase: no places


def test_a_common_word_s_files_are_read_only_where_the_other_words_leave_partners(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: 64 partners whose descriptions all say "We move cloud data."; two of them,
    # 3 and 50, have the rare word "zephyrquill" in their summaries (50's "Zephyrquill
    # cloud rollouts"). As one index where every word shares a shard, and as one where
    # "cloud" and "data" have files of their own, 16 partners a file (0-15, 16-31, 32-47,
    # 48-63)
    summaries = {3: "Zephyrquill audits.", 50: "Zephyrquill cloud rollouts."}
    records = [
        SearchRecord(
            n + 1,
            f"partners/p{n}.html",
            f"Partner {n}",
            summaries.get(n, ""),
            "",
            "",
            "We move cloud data.",
            90.0 - n,
        )
        for n in range(64)
    ]
    shared, split = shared_and_split(records, tmp_path, monkeypatch, part=16)
    queries = [
        "zephyrquill cloud",
        '"zephyrquill cloud"',
        '"cloud data" zephyrquill',
        "qqqqqq cloud",
    ]
    # when: each is searched in each index, in a fresh page (nothing fetched before)
    answers = {folder: searched_fresh(browser, folder, queries) for folder in (shared, split)}
    fetched = [files for _answer, files in answers[split]]
    # then: the same answers from both indexes, as written by hand: 3 and 50 have both
    # words; only 50 has "zephyrquill cloud" as a phrase; nobody has "qqqqqq"
    for text, (one, _one), (other, _other) in zip(queries, *answers.values(), strict=True):
        assert one[0] == other[0], text
        assert [n for n, _s in one[1]] == [n for n, _s in other[1]], text
        assert [s for _n, s in other[1]] == pytest.approx([s for _n, s in one[1]], rel=1e-12)
    totals = [(total, sorted(name for name, _s in hits)) for (total, hits), _ in answers[split]]
    assert totals == [
        (2, ["Partner 3", "Partner 50"]),
        (1, ["Partner 50"]),
        (2, ["Partner 3", "Partner 50"]),
        (0, []),
    ]
    # and the split index read only the files of "cloud" and "data" that hold 3 and 50
    # (the first and the last), their places only for a phrase, and none for a word
    # nobody has; the phrase of the two common words read the files of the pair "cloud
    # data" that hold them, not the words' own
    words = [sorted(path for path in paths if path.startswith("words/")) for paths in fetched]
    pairs = [sorted(path for path in paths if path.startswith("pairs/")) for paths in fetched]
    assert words[3] == []
    assert len(words[0]) == 2
    assert not any(path.endswith(".at.bin") for path in words[0])
    assert len(words[1]) == 4
    assert sum(path.endswith(".at.bin") for path in words[1]) == 2
    assert words[2] == []
    assert len(pairs[2]) == 2
    assert pairs[:2] == [[], []]
    for paths in [*words[:2], pairs[2]]:
        assert {path.split("-")[-1].split(".")[0] for path in paths} == {"0", "3"}
    # and the fields' lengths of 3 and 50 only (16 partners a file: 0-15 and 48-63) in
    # the fields where the common words are: the description (field 4) of both, and
    # 50's summary (field 1) for "cloud"; no file of "cloud" or of a pair holds them
    lengths = [sorted(path for path in paths if path.startswith("lengths/")) for paths in fetched]
    assert lengths[0] == lengths[1] == ["lengths/1-3.bin", "lengths/4-0.bin", "lengths/4-3.bin"]
    assert lengths[2] == ["lengths/4-0.bin", "lengths/4-3.bin"]
    assert lengths[3] == []


def test_a_phrase_of_common_words_reads_the_pair_s_files_not_the_words(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: 64 partners whose descriptions say "We move cloud data." but for three:
    # partner 10's says "We move data cloud.", 30's "We move cloud later, then cloud
    # data." (both pairs of "move cloud data", not the phrase) and 40's "We host cloud
    # data, and move cloud data." (the phrase, "cloud" twice); partner 20 is named "Cloud
    # Data Labs". As one index where every word shares a shard, and as one where "move",
    # "cloud" and "data" have files of their own, 16 partners a file
    names = {20: "Cloud Data Labs"}
    descriptions = {
        10: "We move data cloud.",
        30: "We move cloud later, then cloud data.",
        40: "We host cloud data, and move cloud data.",
    }
    records = [
        SearchRecord(
            n + 1,
            f"partners/p{n}.html",
            names.get(n, f"Partner {n}"),
            "",
            "",
            "",
            descriptions.get(n, "We move cloud data."),
            90.0 - n,
        )
        for n in range(64)
    ]
    shared, split = shared_and_split(records, tmp_path, monkeypatch, part=16)
    queries = ['"cloud data"', '"data cloud"', '"move cloud data"', '"cloud move"']
    # when: each is searched in each index, in a fresh page
    answers = {folder: searched_fresh(browser, folder, queries) for folder in (shared, split)}
    # then: the same answers from both, and as counted by hand: every partner but 10 has
    # "cloud data" (20 first: the words in its name too), only 10 "data cloud", every
    # partner but 10 and 30 "move cloud data", nobody "cloud move"
    for text, (one, _one), (other, _other) in zip(queries, *answers.values(), strict=True):
        assert (one[0], [n for n, _s in one[1]]) == (other[0], [n for n, _s in other[1]]), text
        assert [s for _n, s in other[1]] == pytest.approx([s for _n, s in one[1]], rel=1e-12)
    found = [(total, [name for name, _s in hits]) for (total, hits), _ in answers[split]]
    assert (found[0][0], found[0][1][0]) == (63, "Cloud Data Labs")
    assert found[1] == (1, ["Partner 10"])
    assert found[2][0] == 62
    assert found[3] == (0, [])
    # and no search read a word's own files: a phrase of two common words read the pair's
    # files only (all four of "cloud data", the one of "data cloud"), not their places;
    # the phrase of three read its two pairs' files, and their places only where "cloud"
    # is twice (30 and 40: the second and third files); a pair no partner has, nothing
    fetched = [files for _answer, files in answers[split]]
    assert not any(path.startswith("words/") for paths in fetched for path in paths)
    pairs = [sorted(path for path in paths if path.startswith("pairs/")) for paths in fetched]
    places = [[path for path in paths if path.endswith(".at.bin")] for paths in pairs]
    assert (len(pairs[0]), places[0]) == (4, [])
    assert (len(pairs[1]), places[1]) == (1, [])
    assert len(pairs[2]) == 12  # "move cloud" and "cloud data": four files each, two places
    assert {path.split("-")[-1].split(".")[0] for path in places[2]} == {"1", "2"}
    assert len(places[2]) == 4
    assert pairs[3] == []
    # and the pair "cloud data", in half the partners or more, read the fields' lengths
    # from the lengths files (16 partners a file): the descriptions' four, and the names'
    # second for partner 20; "data cloud", in one partner, holds its own
    lengths = [sorted(path for path in paths if path.startswith("lengths/")) for paths in fetched]
    assert lengths[0] == ["lengths/0-1.bin", *(f"lengths/4-{chunk}.bin" for chunk in range(4))]
    assert lengths[1] == []


def test_a_hit_s_score_is_whoosh_s_bm25f_blended_with_the_ranking_score(
    browser: Browser, tmp_path: Path
) -> None:
    # given: two partners whose names hold "cloud": Alpha Cloud (two words, ranking score
    # 0) and Cloud (one word, ranking score -100); nothing else
    records = [
        SearchRecord(1, "partners/alpha.html", "Alpha Cloud", "", "", "", "", 0.0),
        SearchRecord(2, "partners/cloud.html", "Cloud", "", "", "", "", -100.0),
    ]
    write_static_index(records, tmp_path)
    shutil.copytree(JAVASCRIPTS, tmp_path / "javascripts")
    # when: "cloud" is searched
    with static_server(tmp_path) as address, browsing(browser, address) as page:
        page.goto(address)
        [(total, hits)] = static_search(page, ["cloud"])
    # then: by hand: the name's idf is ln(2 / (2 + 1)) + 1, its average length 1.5, its
    # boost 3, so a count of 1 weighs 3; BM25F with b 0.75 and k1 1.2; then the blend
    # 1 + (ranking score + 100) / 200
    idf = math.log(2 / 3) + 1

    def bm25(length: int) -> float:
        return idf * (3 * 2.2) / (3 + 1.2 * (0.25 + 0.75 * length / 1.5))

    assert total == 2
    assert [name for name, _score in hits] == ["Alpha Cloud", "Cloud"]
    assert hits[0][1] == pytest.approx(bm25(2) * 1.5, rel=1e-12)
    assert hits[1][1] == pytest.approx(bm25(1) * 1.0, rel=1e-12)
