"""The search box's static index (Pagefind): its build time, its largest file, and the bytes
a browser fetches for a search.

    python bench/bench_search_box.py --partners 2000 [--partners 10000]

For each size: the demo data set into a fresh SQLite file, a record per partner (as the
site build makes them), the static index written (median of --rounds), then Chromium
(Debian's, headless) on a blank page of a loopback static server loads pagefind.js, as
the box does without the API, and runs each query in a fresh browser context (a cold
cache: the worst case), counting the bytes of every response under /pagefind/ and the
largest one (their sizes on disk: the server sends them as they are). The box's own
search-box.js (6 KB) is a page asset and is not counted.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Browser, Request, sync_playwright

from api import migrations
from api.db import create_db_engine, session_factory
from api.demo_data import load_demo_data
from api.services.figures_rebuild import rebuild
from api.settings import parse_database_url
from bench.common import machine
from directory_site import content, search_box

QUERIES = ("Indigolight Digital", "digital", "healthcare Lisbon", "Tidemark CRM")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEARCH = """async (words) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.options({ basePath: "/pagefind/" });
  const found = await pagefind.search(words);
  const shown = await Promise.all(found.results.slice(0, 10).map((r) => r.data()));
  return [found.results.length, shown.map((d) => d.meta.title)];
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def kind(url: str) -> str:
    """A fetched file's part of the index: its suffix (pf_meta, pf_index, ...)."""
    name = url.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1] if name.startswith(("en_", "pagefind.en_")) else name


def fetched(
    browser: Browser, address: str, site: Path, words: str
) -> tuple[int, list[tuple[str, int]]]:
    """(hits, (url, bytes) of every file fetched under /pagefind/).

    The bytes are the file's size in `site`: the server sends files as they are, and
    Chromium reports no body size for a worker's script.
    """
    context = browser.new_context()
    sizes: list[tuple[str, int]] = []
    page = context.new_page()

    def finished(request: Request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/pagefind/"):
            sizes.append((path, (site / path.lstrip("/")).stat().st_size))

    page.on("requestfinished", finished)
    page.goto(address + "blank.html")
    hits, _names = page.evaluate(SEARCH, words)
    page.wait_for_load_state("networkidle")
    context.close()
    return hits, sizes


def fetched_for_search(site: Path, words: str) -> tuple[int, int]:
    """Bytes a cold browser fetches under /pagefind/ for `words` on a built `site`, and the
    largest file among them (for bench/bench_scale.py)."""
    (site / "blank.html").write_text("<!doctype html><title>bench</title>")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
            )
            _hits, sizes = fetched(browser, f"http://127.0.0.1:{port}/", site, words)
            browser.close()
    finally:
        server.terminate()
        server.wait()
        (site / "blank.html").unlink()
    return sum(size for _, size in sizes), max(size for _, size in sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, action="append")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for partners in args.partners or [2000]:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            url = parse_database_url(f"sqlite:///{root / 'vouch.db'}")
            migrations.upgrade(url)
            engine = create_db_engine(url)
            load_demo_data(engine, partners=partners, seed=1, progress=False)
            with session_factory(engine)() as session, session.begin():
                rebuild(session=session, publish_all=True)
            with session_factory(engine)() as session:
                where = content.directory(session)
                records = [search_box.record(e) for e in content.listed_partners(session, where)]
            engine.dispose()
            site = root / "site"
            site.mkdir()
            (site / "blank.html").write_text("<!doctype html><title>bench</title>")
            seconds = []
            for _ in range(args.rounds):
                found = search_box.write_static_index(records, site)
                seconds.append(found.seconds)
            meta = max((site / "pagefind").glob("*.pf_meta"), key=lambda p: p.stat().st_size)
            print(
                f"{partners} partners: static index {statistics.median(seconds):.2f} s "
                f"(median of {args.rounds}), {found.files} files, {found.bytes / 1e6:.1f} MB, "
                f"largest {found.largest / 1e3:.0f} KB, page list (pf_meta) "
                f"{meta.stat().st_size / 1e3:.0f} KB"
            )
            port = free_port()
            server = subprocess.Popen(
                [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                cwd=site,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                time.sleep(1)
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                    )
                    for words in QUERIES:
                        hits, sizes = fetched(browser, f"http://127.0.0.1:{port}/", site, words)
                        parts: dict[str, list[int]] = {}
                        for address, size in sizes:
                            parts.setdefault(kind(address), []).append(size)
                        each = ", ".join(
                            f"{name} {len(got)}x {sum(got) / 1e3:.1f} KB (max {max(got) / 1e3:.1f})"
                            for name, got in sorted(parts.items())
                        )
                        total = sum(size for _, size in sizes)
                        largest = max(size for _, size in sizes)
                        print(
                            f"  {words!r}: {hits} hits, {total / 1e3:.0f} KB fetched in "
                            f"{len(sizes)} files, largest {largest / 1e3:.0f} KB: {each}"
                        )
                    browser.close()
            finally:
                server.terminate()
                server.wait()


if __name__ == "__main__":
    main()
