"""The search box's static index: the API's search rules in small files a browser fetches
only as a query needs them (search_index/static_index.py writes them;
static/javascripts/static-search.js reads them).

Served by `vouch serve`, the box asks the API's search and never opens this index; it is
the fallback for a site on any static host, or with the API away. Each partner is the
document the API's engines index (search_index/documents.py), ranked at the build's
market NPS.

A build keeps the index's state beside the manifest (STATE), and the next one, given the
records the published index was made from, updates the index in place
(search_index/static_update.py: the files an edit touches, the same bytes a whole build
makes); it builds the index whole when it cannot (no state, a partner gone, many changed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from directory_site.carry import drop, file_sizes, put
from directory_site.content import PartnerEntry
from directory_site.manifest import FOLDER as KEPT_FOLDER
from search_index.documents import document
from search_index.static_index import INDEX, State, StaticRecord, built, static_record
from search_index.static_update import Updated, differences, updated, worth_updating

FOLDER = "vouch-search"
STATE = f"{KEPT_FOLDER}/search-state.json"
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
    how: str  # "whole", or "updated: N changed"


def write_static_index(
    records: Sequence[SearchRecord],
    site: Path,
    changed: dict[int, SearchRecord | None] | None = None,
) -> StaticIndex:
    """The static index of `records` into `site`/vouch-search, replacing what was there:
    updated in place where `changed` (changed_since the records the index there was made
    from) allows, else built whole; a file whose bytes did not change stays as it was (a
    carried file stays the published one's link), so an edit writes the few files it
    changed; files no longer made go."""
    started = time.perf_counter()
    folder = site / FOLDER
    records = sorted(records)
    done = _updated(records, changed, site) if changed is not None else None
    if done is not None:
        files, gone, state = done.files, done.gone, done.state
        how = f"updated: {done.changed} changed"
    else:
        files, state = built(records)
        gone = file_sizes(folder).keys() - files.keys()
        how = "whole"
    for name, content in files.items():
        put(folder / name, content)
    for name in gone:
        drop(folder / name)
    put(site / STATE, state.dumps())
    sizes = file_sizes(folder).values()
    return StaticIndex(
        files=len(sizes),
        bytes=sum(sizes),
        largest=max(sizes, default=0),
        seconds=time.perf_counter() - started,
        how=how,
    )


def changed_since(
    records: Sequence[SearchRecord], before: Sequence[SearchRecord]
) -> dict[int, SearchRecord | None] | None:
    """The records (by number) that differ from `before`, those the index there was made
    from ({}: none); None when it must be built whole (a partner went)."""
    return differences(sorted(before), sorted(records))


def updatable(changed: dict[int, SearchRecord | None] | None, records: int, site: Path) -> bool:
    """Whether the index at `site` may be updated with `changed` into that of `records`
    records (quick work, for a thread) rather than built whole: it has its state, and few
    changed."""
    return (
        changed is not None and (site / STATE).is_file() and worth_updating(len(changed), records)
    )


def _updated(
    records: list[SearchRecord], changed: dict[int, SearchRecord | None], site: Path
) -> Updated | None:
    """The update of the index at `site` to that of `records`, `changed` of them; None
    when it must be built whole: nothing to update from, or a file of it unreadable."""
    folder = site / FOLDER
    try:
        state = State.loads((site / STATE).read_text())
        published = json.loads((folder / INDEX).read_bytes())["token"]
        if state is None or state.token != published:
            return None
        return updated(
            records,
            changed,
            state,
            lambda path: (folder / path).read_bytes(),
            file_sizes(folder).keys(),
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError):
        return None  # a damaged file: built whole again
