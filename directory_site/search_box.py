"""The search box's static index: one Pagefind record per partner, in chunks a browser
fetches only as a query needs them (static/javascripts/search-box.js reads it).

Served by `vouch serve`, the box asks the API's search and never opens this index; it is
the fallback for a site on any static host, or with the API away. Each partner is one
custom record (its name, summary, industries, products and cities, as its page's lede
shows them), so nothing parses the partner pages' HTML; nothing grows into one file but
Pagefind's page list (BENCHMARKS.md, 2026-12-05).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from pagefind.service import PagefindService

from directory_site import pages
from directory_site.carry import drop, file_sizes, put
from directory_site.content import PartnerEntry

FOLDER = "pagefind"
LANGUAGE = "en"
# Pagefind's own search pages and UI bundles, and the other languages' engines: the box is
# ours and English, so none is ever fetched; removed, no one ships them by mistake.
UNUSED = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)


@dataclass(frozen=True, order=True)
class SearchRecord:
    """A partner as the box finds and shows it (plain text, never HTML)."""

    location: str  # its page, from the site's root: partners/<slug>.html
    name: str
    summary: str
    lede: str  # the summary, industries, products and cities (pages.partner_lede)


def record(entry: PartnerEntry) -> SearchRecord:
    """A partner's record, from what the lists read of it (content.LISTED) or more."""
    partner = entry.partner
    return SearchRecord(
        f"partners/{entry.slug}.html",
        partner.name,
        partner.summary or "",
        pages.partner_lede(entry),
    )


@dataclass(frozen=True)
class StaticIndex:
    files: int
    bytes: int
    largest: int
    seconds: float


ADDRESSED = re.compile(r"(fragment|index|filter)/[\w-]+\.pf_\w+|pagefind\.[\w-]+\.pf_meta")
"""Pagefind's files named by a hash of their bytes."""


def write_static_index(records: Sequence[SearchRecord], site: Path) -> StaticIndex:
    """The Pagefind index of `records` into `site`/pagefind, replacing what was there.

    Most of Pagefind's files are named by their bytes' hash (ADDRESSED): one already there
    (carried from the published site) is kept, so an edit writes a few files, not one a
    partner; the others are written where their bytes changed, and files no longer made
    are removed.

    Pagefind hands over its files and they are written here: when it writes them itself it
    answers before its writes are done (tokio's files are written by a background thread,
    never flushed), and stopping it then left a file empty now and then (seen under load:
    an empty pagefind-entry.json, a search box that finds nothing)."""
    started = time.perf_counter()
    folder = site / FOLDER
    before = file_sizes(folder)
    # A thread of its own: the caller may be running an event loop (asyncio.run refuses).
    with ThreadPoolExecutor(1) as thread:
        files = thread.submit(asyncio.run, _files(sorted(records))).result()
    sizes = []
    for name, content in sorted(files.items()):
        if name in UNUSED:
            continue
        path = folder / name
        if folder not in path.parents:
            raise ValueError(f"pagefind: a file outside its folder: {name!r}")
        if not (name in before and ADDRESSED.fullmatch(name) and before[name] == len(content)):
            put(path, content)
        sizes.append(len(content))
    for name in before.keys() - files.keys():
        drop(folder / name)
    if "pagefind-entry.json" not in files:
        raise RuntimeError("pagefind: no pagefind-entry.json among its files")
    return StaticIndex(
        files=len(sizes),
        bytes=sum(sizes),
        largest=max(sizes, default=0),
        seconds=time.perf_counter() - started,
    )


async def _files(records: Sequence[SearchRecord]) -> dict[str, bytes]:
    """Pagefind's files for `records`, by path under its folder.

    Each record is written as a small HTML page (its text in one paragraph, its title and
    summary as Pagefind metadata) into a scratch folder that Pagefind indexes as a site:
    its own parallel indexer, 4.5 times quicker than one custom record a message at 100,000
    partners (22 s against 101 s; the message path grows faster than the records do)."""
    with tempfile.TemporaryDirectory(prefix="vouch-pagefind-", dir=_scratch()) as scratch:
        for record in records:
            page = Path(scratch, record.location)
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(_page(record))
        service = await _PromptService().launch()
        try:
            index = await service.create_index({"force_language": LANGUAGE})
            indexed = await index.add_directory(scratch)
            if indexed["page_count"] != len(records):
                raise RuntimeError(
                    f"pagefind: {indexed['page_count']} pages indexed of {len(records)}"
                )
            return {str(file["path"]): file["content"] for file in await index.get_files()}
        finally:
            await service.close()


def _scratch() -> str | None:
    """Where the pages Pagefind reads are written: memory (/dev/shm, 4 KB a page) where
    there is such a folder, for they are read once and removed; else the temporary folder."""
    shm = Path("/dev/shm")  # noqa: S108 - mkdtemp makes its own folder there (mode 0700)
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _page(record: SearchRecord) -> str:
    """A record as the page Pagefind indexes: the paragraph is its text; its title and
    summary are metadata only (data-pagefind-ignore keeps them out of the text)."""
    return (
        f'<!doctype html><html lang="{LANGUAGE}"><head><meta charset="utf-8"></head><body>'
        f'<div data-pagefind-ignore><span data-pagefind-meta="title">{escape(record.name)}'
        f'</span><span data-pagefind-meta="summary">{escape(record.summary)}</span></div>'
        f"<p>{escape(record.name)}. {escape(record.lede)}</p></body></html>"
    )


class _PromptService(PagefindService):
    """Pagefind's service, read as soon as it answers.

    The stock client sleeps 0.1 s before reading each answer, so a record costs 0.1 s:
    200 s at 2,000 partners. Pagefind answers each request in order, one comma-ended
    base64 JSON message each, as the stock reader expects too.
    """

    async def _wait_for_responses(self) -> None:
        assert self._backend.stdout is not None
        while True:
            message: dict[str, Any] = json.loads(
                base64.b64decode(await _message(self._backend.stdout))
            )
            payload = message["payload"]
            # An answer without an id is an error about a request it could not read: every
            # request still waiting fails, rather than waiting for ever.
            wanted = message.get("message_id")
            futures = self._responses.values() if wanted is None else [self._responses[wanted]]
            for future in futures:
                if future.done():
                    continue
                if payload.get("type") == "Error" or wanted is None:
                    future.set_exception(RuntimeError(f"pagefind: {payload.get('message')}"))
                else:
                    future.set_result(payload)


async def _message(stdout: asyncio.StreamReader) -> bytes:
    """One comma-ended message, however long: the index's files come as one message (tens
    of megabytes at 100,000 partners), longer than the reader's buffer."""
    parts = []
    while True:
        try:
            parts.append(await stdout.readuntil(b","))
            return b"".join(parts)[:-1]
        except asyncio.LimitOverrunError as error:
            parts.append(await stdout.readexactly(error.consumed))
