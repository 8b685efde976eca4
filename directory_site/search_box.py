"""The search box's static index: the API's search rules in small files a browser fetches
only as a query needs them (search_index/static_index.py writes them;
static/javascripts/static-search.js reads them).

Served by `vouch serve`, the box asks the API's search and never opens this index; it is
the fallback for a site on any static host, or with the API away. Each partner is the
document the API's engines index (search_index/documents.py), ranked at the build's
market NPS.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from directory_site.carry import drop, file_sizes, put
from directory_site.content import PartnerEntry
from search_index.documents import document
from search_index.static_index import StaticRecord, index_files, static_record

FOLDER = "vouch-search"
SearchRecord = StaticRecord


def record(entry: PartnerEntry, market: float) -> SearchRecord:
    """A partner's record, from what the lists read of it (content.LISTED) or more."""
    return static_record(f"partners/{entry.slug}.html", document(entry), market)


@dataclass(frozen=True)
class StaticIndex:
    files: int
    bytes: int
    largest: int
    seconds: float


def write_static_index(records: Sequence[SearchRecord], site: Path) -> StaticIndex:
    """The static index of `records` into `site`/vouch-search, replacing what was there: a
    file whose bytes did not change stays as it was (a carried file stays the published
    one's link), so an edit writes the few files it changed; files no longer made go."""
    started = time.perf_counter()
    folder = site / FOLDER
    before = file_sizes(folder)
    files = index_files(sorted(records))
    for name, content in files.items():
        put(folder / name, content)
    for name in before.keys() - files.keys():
        drop(folder / name)
    sizes = [len(content) for content in files.values()]
    return StaticIndex(
        files=len(sizes),
        bytes=sum(sizes),
        largest=max(sizes, default=0),
        seconds=time.perf_counter() - started,
    )
