"""Partner pages without mkdocs, in worker processes: one page template, filled per partner.

Every partner page has the same layout, so mkdocs builds one template page (a partner
whose name, summary and body are placeholders) and the workers fill it in for every
partner, reading and rendering their share of the partners from the database. mkdocs'
theme templates cost about 7 ms a page; filling the template costs well under one, and two
workers use both cores (a handful of partners, as an incremental build redoes, are written
in the build's own process). The search box's records are made from the lists' entries
(directory_site/search_box.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from pathlib import Path

from sqlalchemy.engine import make_url

from api.db import create_db_engine, session_factory
from directory_site import content, pages, workers
from directory_site.bodies import PLACEHOLDER
from directory_site.carry import put
from directory_site.sanitize import text, title

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
        .replace(f'href="#{HEADING.lower()}"', 'href="#partner"', 1)
        .replace(HEADING, text(partner.name))
        .replace(NAME, title(partner.name))
    )


def write(
    database_url: str,
    site: Path,
    template: str,
    ids: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """The pages and compare files of the partners of `ids` into the built `site`; how many
    were written. A few partners are written here: spawning the workers costs more."""
    if len(ids) <= CHUNK:
        done = _write_chunk(database_url, str(site), template, ids)
        if progress:
            progress(done, len(ids))
        return done
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]
    done = 0
    with workers.pool(WORKERS) as pool:
        futures = [
            pool.submit(_write_chunk, database_url, str(site), template, chunk) for chunk in chunks
        ]
        for future in as_completed(futures):
            done += future.result()
            if progress:
                progress(done, len(ids))
    return done


def _write_chunk(database_url: str, site: str, template: str, ids: Sequence[int]) -> int:
    engine = create_db_engine(make_url(database_url))
    done = 0
    try:
        with session_factory(engine)() as session:
            where = content.directory(session)
            for entry in content.partners(session, where, ids):
                location = f"partners/{entry.slug}.html"
                put(Path(site) / location, fill(template, entry, where))
                compare = pages.compare_rows(entry)
                put(
                    Path(site) / "data" / "compare" / f"{entry.slug}.json",
                    json.dumps(compare, separators=(",", ":")),
                )
                done += 1
    finally:
        engine.dispose()
    return done
