"""`vouch site build` beside a plain mkdocs build of the same number of pages.

    python bench/bench_site.py --partners 1000 [--partners 10000]

For each size: the demo data set into a fresh SQLite file, then the site build (pages,
data files, mkdocs), then plain mkdocs-material with the same theme and navigation on the
same number of generated pages of about 330 words, none of them in the nav. Prints time,
site size and search index size of each.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from api import migrations
from api.db import create_db_engine, session_factory
from api.demo_data import load_demo_data
from api.services.figures_rebuild import rebuild
from api.settings import parse_database_url
from bench.common import machine
from directory_site.build import CONFIG, build_site

WORDS = [
    "partner",
    "customer",
    "project",
    "delivery",
    "verified",
    "survey",
    "answer",
    "quarter",
    "industry",
]


def sizes(site: Path) -> tuple[float, float]:
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    # mkdocs' lunr index (plain mkdocs) or the box's static index, all its files
    index = site / "search" / "search_index.json"
    chunks = sum(p.stat().st_size for p in (site / "vouch-search").rglob("*") if p.is_file())
    return total / 1e6, ((index.stat().st_size if index.exists() else 0) + chunks) / 1e6


def plain_build(pages: int, folder: Path) -> float:
    docs = folder / "docs"
    (docs / "p").mkdir(parents=True)
    rng = random.Random(1)
    nav = ["index.md", "industries/index.md", "products/index.md", "countries/index.md",
           "market.md", "compare.md", "methodology.md", "open-data.md"]  # fmt: skip
    for name in nav:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(f"# {name}\n\nA page of the navigation.\n")
    for number in range(pages - len(nav)):
        body = " ".join(rng.choice(WORDS) for _ in range(330))
        (docs / "p" / f"page-{number}.md").write_text(f"# Page {number}\n\n{body}\n")
    config = yaml.safe_load(CONFIG.read_text())
    config.pop("hooks", None)
    config.pop("extra_javascript", None)
    config.pop("extra_css", None)
    config["not_in_nav"] = "/p/*"
    plain = folder / "mkdocs.yml"
    plain.write_text(yaml.safe_dump(config))
    started = time.perf_counter()
    mkdocs_build(load_config(str(plain), docs_dir=str(docs), site_dir=str(folder / "site")))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, action="append")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for partners in args.partners or [1000]:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            url = parse_database_url(f"sqlite:///{root / 'vouch.db'}")
            migrations.upgrade(url)
            engine = create_db_engine(url)
            load_demo_data(engine, partners=partners, seed=1, progress=False)
            with session_factory(engine)() as session, session.begin():
                rebuild(session=session, publish_all=True)
            with session_factory(engine)() as session:
                summary = build_site(session, root / "site", lock_dir=root / "locks")
            total, index = sizes(root / "site")
            print(
                f"{partners} partners: vouch site build {summary.seconds:.1f} s, "
                f"{summary.pages} pages, {total:.0f} MB, search index {index:.2f} MB "
                f"({index * 1e6 / partners:.0f} bytes a partner)"
            )
            seconds = plain_build(summary.pages, root / "plain")
            total, index = sizes(root / "plain" / "site")
            print(
                f"{partners} partners: plain mkdocs, {summary.pages} pages of 330 words: "
                f"{seconds:.1f} s, {total:.0f} MB, search index {index:.2f} MB; "
                f"ratio {summary.seconds / seconds:.2f}"
            )
            engine.dispose()


if __name__ == "__main__":
    main()
