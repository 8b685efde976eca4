"""The search box's static index (search_index/static_index.py): its build time, its
largest file, and the bytes a browser fetches for a search.

    python bench/bench_search_box.py --partners 2000 [--partners 10000] [--db 100000=PATH]

For each size: the demo data set into a fresh SQLite file (or, with --db SIZE=PATH, that
size's existing database, read only), a record per partner (as the site build makes them),
the static index written (median of --rounds), then updated in place after 1 and after
100 partners' summaries are edited (search_index/static_update.py: median of --rounds,
each from the index of the unedited records), then Chromium (Debian's, headless) on a
blank page of a loopback static server imports the box's module (static-search.js, as the
box does without the API) and runs each query in a fresh browser context (a cold cache: the
worst case), counting the bytes of every response under /vouch-search/ and the largest one
(their sizes on disk: the server sends them as they are), and the milliseconds the search
took. The box's own scripts (static-search.js and porter.js, 18 KB, fetched once) are
counted apart.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, Request, sync_playwright

from api.db import create_db_engine, session_factory
from api.settings import parse_database_url
from bench.bench_scale import demo_data
from bench.common import machine
from directory_site import content, search_box
from tests.server import free_port

JAVASCRIPTS = Path(search_box.__file__).parent / "static" / "javascripts"
QUERIES = (
    "Indigolight Digital",
    "digital",
    "healthcare Lisbon",
    "helthcare",
    "Indigolight implementation partner",
    "cloud migration",
    "platform",
    "data platform",
    '"data migration"',
    "implement data platform",
    '"implementation partner"',
    '"implementation partner founded"',
    "implementation partner data platform",
)
"""A name, a word of 7% of names, a word and a place, a typo, a word of 17 names with two
words of nearly every partner (their files read only where those 17 are), two words; then
searches whose every word is common (the searches that read the most): a word of every
partner, two words of most partners, a phrase of two such words, three such words,
phrases of two and three words of nearly every partner (94%, next to each other in most),
and four common words (not a phrase: each word's postings are read whole)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEARCH = """async (words) => {
  const module = await import("/javascripts/static-search.js");
  const started = performance.now();
  const found = await module.search(new URL("/vouch-search/", location.href).href, words, 10);
  return [found.total, performance.now() - started];
}"""


def fetched(
    browser: Browser, address: str, site: Path, words: str
) -> tuple[int, float, list[tuple[str, int]]]:
    """(hits, milliseconds, (path, bytes) of every file fetched under /vouch-search/)."""
    context = browser.new_context()
    sizes: list[tuple[str, int]] = []
    page = context.new_page()

    def finished(request: Request) -> None:
        path = urlsplit(request.url).path
        if path.startswith(f"/{search_box.FOLDER}/"):
            sizes.append((path, (site / path.lstrip("/")).stat().st_size))

    page.on("requestfinished", finished)
    page.goto(address + "blank.html")
    hits, milliseconds = page.evaluate(SEARCH, words)
    page.wait_for_load_state("networkidle")
    context.close()
    return hits, milliseconds, sizes


class StaticSite:
    """`site` on a loopback static server, with a blank page and the box's scripts."""

    def __init__(self, site: Path) -> None:
        self.site = site

    def __enter__(self) -> str:
        (self.site / "blank.html").write_text("<!doctype html><title>bench</title>")
        if not (self.site / "javascripts" / "static-search.js").exists():
            shutil.copytree(JAVASCRIPTS, self.site / "javascripts", dirs_exist_ok=True)
        port = free_port()
        self.server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=self.site,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1)
        return f"http://127.0.0.1:{port}/"

    def __exit__(self, *_exc: object) -> None:
        self.server.terminate()
        self.server.wait()
        (self.site / "blank.html").unlink()


def fetched_for_search(site: Path, words: str) -> tuple[int, int]:
    """Bytes a cold browser fetches under /vouch-search/ for `words` on a built `site`,
    and the largest file among them (for bench/bench_scale.py)."""
    with StaticSite(site) as address, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        _hits, _ms, sizes = fetched(browser, address, site, words)
        browser.close()
    return sum(size for _, size in sizes), max(size for _, size in sizes)


def records_of(database: Path) -> list[search_box.SearchRecord]:
    engine = create_db_engine(parse_database_url(f"sqlite:///{database}"))
    with session_factory(engine)() as session:
        where = content.directory(session)
        records = [
            search_box.record(entry, where.market_nps)
            for entry in content.listed_partners(session, where)
        ]
    engine.dispose()
    return records


def updated_seconds(
    records: list[search_box.SearchRecord], site: Path, edits: int, rounds: int
) -> str:
    """The median time to update the index of `records` at `site` after `edits` summaries
    changed (a round each from the unedited index, put back untimed after it)."""
    rng = random.Random(edits)
    seconds, how = [], ""
    for number in range(rounds):
        edited = list(records)
        for at in rng.sample(range(len(records)), edits):
            edited[at] = edited[at]._replace(summary=f"Edited by the benchmark, round {number}.")
        changed = search_box.changed_since(edited, records)
        found = search_box.write_static_index(edited, site, changed)
        seconds.append(found.seconds)
        how = found.how
        search_box.write_static_index(records, site, search_box.changed_since(records, edited))
    return f"{statistics.median(seconds):.2f} s (median of {rounds}; {how})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, action="append", default=[])
    parser.add_argument("--db", action="append", default=[], help="SIZE=PATH of a demo db")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    given = {int(size): Path(path) for size, path in (item.split("=", 1) for item in args.db)}
    print(f"machine: {machine()}")
    for partners in sorted(set(args.partners) | set(given)) or [2000]:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            database = given.get(partners) or root / "vouch.db"
            if partners not in given:
                demo_data(root, partners, None)  # writes root / "vouch.db"
            records = records_of(database)
            site = root / "site"
            site.mkdir()
            seconds = []
            for _ in range(args.rounds):
                shutil.rmtree(site / search_box.FOLDER, ignore_errors=True)
                found = search_box.write_static_index(records, site)
                seconds.append(found.seconds)
            print(
                f"{len(records)} partners: static index {statistics.median(seconds):.2f} s "
                f"(median of {args.rounds}), {found.files} files, {found.bytes / 1e6:.1f} MB, "
                f"largest {found.largest / 1e3:.0f} KB"
            )
            for edits in (1, 100):
                took = updated_seconds(records, site, edits, args.rounds)
                print(f"  updated after {edits} edits: {took}")
            with StaticSite(site) as address, sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                for words in QUERIES:
                    hits, milliseconds, sizes = fetched(browser, address, site, words)
                    parts: dict[str, list[int]] = {}
                    for path, size in sizes:
                        parts.setdefault(path.split("/")[2], []).append(size)
                    each = ", ".join(
                        f"{name} {len(got)}x {sum(got) / 1e3:.1f} KB (max {max(got) / 1e3:.1f})"
                        for name, got in sorted(parts.items())
                    )
                    total = sum(size for _, size in sizes)
                    largest = max(size for _, size in sizes)
                    print(
                        f"  {words!r}: {hits} hits in {milliseconds:.0f} ms (cold), "
                        f"{total / 1e3:.0f} KB fetched in {len(sizes)} files, largest "
                        f"{largest / 1e3:.0f} KB: {each}"
                    )
                browser.close()


if __name__ == "__main__":
    main()
