"""Partner pages without mkdocs, in worker processes: one page template, filled per partner.

Every partner page has the same layout, so mkdocs builds one template page (a partner
whose name, summary and body are placeholders) and the workers fill it in for every
partner, reading and rendering their share of the partners from the database. mkdocs'
theme templates cost about 7 ms a page; filling the template costs well under one, and two
workers use both cores. Each partner's search record (directory_site/search_box.py) is
made on the way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from pathlib import Path

from sqlalchemy.engine import make_url

from api.db import create_db_engine, session_factory
from api.readers import published
from directory_site import content, pages, search_box, workers
from directory_site.bodies import PLACEHOLDER
from directory_site.sanitize import text, title
from directory_site.search_box import SearchRecord

TEMPLATE = "partners/_vouch-partner-template"
HEADING, NAME, DESCRIPTION, LEDE = "VOUCHHEADING", "VOUCHNAME", "VOUCHDESCRIPTION", "VOUCHLEDE"
WORKERS = 2
CHUNK = 250


def template_markdown() -> str:
    """The Markdown of the template page mkdocs builds (placeholders only)."""
    return (
        pages.front(NAME, description=DESCRIPTION)
        + f"# {HEADING}\n\n"
        + f'<p class="vouch-lede">{LEDE}</p>\n\n{PLACEHOLDER}\n'
    )


def fill(template: str, entry: content.PartnerEntry, where: content.Directory) -> str:
    partner = entry.partner
    lede, body = pages.partner_parts(entry, where)
    return (
        template.replace(PLACEHOLDER, body, 1)
        .replace(DESCRIPTION, text(partner.summary or ""))
        .replace(LEDE, text(lede))
        .replace(f'id="{HEADING.lower()}"', 'id="partner"', 1)
        .replace(HEADING, text(partner.name))
        .replace(NAME, title(partner.name))
    )


def write_all(
    database_url: str,
    site: Path,
    progress: Callable[[int, int], None] | None = None,
) -> list[SearchRecord]:
    """Every partner page and compare file into the built `site`; their search records."""
    template_path = site / f"{TEMPLATE}.html"
    template = template_path.read_text()
    template_path.unlink()
    (site / "data" / "compare").mkdir(parents=True, exist_ok=True)
    with session_factory(create_db_engine(make_url(database_url)))() as session:
        ids = published.partner_ids(session)
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    records: list[SearchRecord] = []
    done = 0
    with workers.pool(WORKERS) as pool:
        futures = [
            pool.submit(_write_chunk, database_url, str(site), template, chunk) for chunk in chunks
        ]
        for future in as_completed(futures):
            found = future.result()
            records += found
            done += len(found)
            if progress:
                progress(done, len(ids))
    return sorted(records)


def _write_chunk(
    database_url: str, site: str, template: str, ids: Sequence[int]
) -> list[SearchRecord]:
    engine = create_db_engine(make_url(database_url))
    records = []
    try:
        with session_factory(engine)() as session:
            where = content.directory(session)
            for entry in content.partners(session, where, ids):
                location = f"partners/{entry.slug}.html"
                (Path(site) / location).write_text(fill(template, entry, where))
                compare = pages.compare_rows(entry)
                (Path(site) / "data" / "compare" / f"{entry.slug}.json").write_text(
                    json.dumps(compare, separators=(",", ":"))
                )
                records.append(search_box.record(entry))
    finally:
        engine.dispose()
    return records
