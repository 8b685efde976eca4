"""The tantivy engine: its schema, a build, updates, and faceted search with snippets.

The same documents, query reading, blend, facets and snippets as `whoosh_engine`; what
tantivy does in Rust (postings, scoring, counting, facet counts) is not done in Python.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy

from search_index.documents import PartnerDocument
from search_index.engine import (
    FACET_FIELDS,
    DamagedIndex,
    Filters,
    Hit,
    Progress,
    SearchPage,
    SearchRequest,
)
from search_index.fields import (
    EXCERPT_CHARS,
    MAX_BLEND,
    SNIPPET_CHARS,
    TEXT_FIELDS,
    blended,
    plain_markdown,
    ranking,
)
from search_index.tantivy_query import ANALYZER, QueryReader, analyzer

BUILD_HEAP = 200_000_000  # bytes the build's writer buffers before it writes a segment
UPDATE_HEAP = 20_000_000  # tantivy's least is 15 MB a thread
FACET_SIZE = 10_000  # more values than any facet has: the counts are exact
FIRST_FETCH = 64  # hits read by relevance before the blend; grown until the page is exact
META = "meta.json"  # tantivy rewrites it on every commit


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("pid", stored=True, indexed=True, fast=True)
    builder.add_text_field("slug", stored=True, fast=True, tokenizer_name="raw")
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=name == "summary", tokenizer_name=ANALYZER)
    builder.add_bytes_field("excerpt", stored=True, indexed=False)
    for name in FACET_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("nps_n", fast=True)
    builder.add_float_field("nps", fast=True)
    return builder.build()


def _document(doc: PartnerDocument) -> tantivy.Document:
    description = plain_markdown(doc.description)
    made = tantivy.Document()
    made.add_unsigned("pid", doc.partner_id)
    made.add_text("slug", doc.slug)
    for name, text in (
        ("name", doc.name),
        ("summary", doc.summary),
        ("description", description),
        ("tags", doc.tags),
        ("places", doc.places),
    ):
        made.add_text(name, text)
    made.add_bytes("excerpt", description[:EXCERPT_CHARS].encode())
    for name, values in (
        ("industries", doc.industries),
        ("products", doc.products),
        ("countries", doc.countries),
        ("partner_types", doc.partner_types),
        ("evidence_tiers", (doc.evidence_tier,)),
    ):
        for value in values:
            made.add_text(name, value)
    made.add_integer("nps_n", doc.nps_n)
    made.add_float("nps", doc.nps)
    return made


class TantivyEngine:
    name = "tantivy"

    def create(
        self,
        folder: Path,
        documents: Iterable[PartnerDocument],
        progress: Progress,
    ) -> int:
        index = tantivy.Index(schema(), path=str(folder), reuse=False)
        index.register_tokenizer(ANALYZER, analyzer())
        # Indexing threads run beside this one, which reads the database and makes documents.
        writer = index.writer(heap_size=BUILD_HEAP, num_threads=1)
        count = 0
        try:
            for doc in documents:
                writer.add_document(_document(doc))
                count += 1
                if count % 250 == 0:
                    progress(count)
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        writer.wait_merging_threads()
        progress(count)
        return count

    def open(self, folder: Path) -> TantivyIndex:
        return TantivyIndex(folder)


@dataclass
class _Reading:
    """One committed state of the index, and the words found to be in it or not."""

    searcher: tantivy.Searcher
    stamp: tuple[int, int, int]
    known: dict[str, bool] = field(default_factory=dict)

    def knows(self, form: str) -> bool:
        if form not in self.known:
            self.known[form] = any(self.searcher.doc_freq(name, form) for name in TEXT_FIELDS)
        return self.known[form]


class TantivyIndex:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        try:
            self.index = tantivy.Index.open(str(folder))
            self.index.register_tokenizer(ANALYZER, analyzer())
            self.schema = self.index.schema
            self.reader = QueryReader(self.schema)
            self._reading: _Reading | None = None
            self._current()
        except (OSError, ValueError) as error:
            raise DamagedIndex(f"no readable tantivy index in {folder}: {error!r}") from None

    def document_count(self) -> int:
        return int(self._current().searcher.num_docs)

    def update(self, documents: Sequence[PartnerDocument], removed: Sequence[int]) -> None:
        writer = self.index.writer(heap_size=UPDATE_HEAP, num_threads=1)
        try:
            for partner_id in [*(doc.partner_id for doc in documents), *removed]:
                writer.delete_documents_by_query(
                    tantivy.Query.term_query(self.schema, "pid", partner_id)
                )
            for doc in documents:
                writer.add_document(_document(doc))
        except BaseException:
            writer.rollback()
            raise
        writer.commit()
        writer.wait_merging_threads()

    def close(self) -> None:
        self._reading = None

    def _stamp(self) -> tuple[int, int, int]:
        meta = os.stat(self.folder / META)
        return (meta.st_ino, meta.st_mtime_ns, meta.st_size)

    def _current(self) -> _Reading:
        """The newest commit's searcher: any process's commit rewrites meta.json."""
        stamp = self._stamp()
        reading = self._reading
        if reading is not None and reading.stamp == stamp:
            return reading
        self.index.reload()
        reading = _Reading(self.index.searcher(), stamp)
        self._reading = reading
        return reading

    def search(self, request: SearchRequest) -> SearchPage:
        reading = self._current()
        searcher = reading.searcher
        words, notes = self.reader.read(request.text, reading.knows)
        query = self._filtered(words, request.filters)
        if words is None or request.order == "ranking_score":
            total, page = self._by_ranking(searcher, query, request)
        else:
            total, page = self._by_relevance(searcher, query, request)
        stored = [searcher.doc(address) for _, address in page]
        snippets = _Snippets(searcher, words, self.schema)
        hits = [
            Hit(
                partner_id=int(doc.get_first("pid") or 0),
                slug=str(doc.get_first("slug")),
                score=score,
                snippet=snippets.of(doc),
            )
            for (score, _), doc in zip(page, stored, strict=True)
        ]
        return SearchPage(hits=hits, total=total, facets=_facets(searcher, query), notes=notes)

    def _filtered(self, words: tantivy.Query | None, filters: Filters) -> tantivy.Query:
        clauses = [
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, name, list(values)))
            for name, values in filters.items()
        ]
        if words is not None:
            clauses.append((tantivy.Occur.Must, words))
        if not clauses:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(clauses)

    def _by_ranking(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> tuple[int, list[tuple[float, Any]]]:
        """Every match by slug, then (a stable sort) by ranking score: equal scores keep
        the slug order, as in whoosh."""
        found = searcher.search(
            query,
            limit=max(1, searcher.num_docs),
            order_by_field="slug",
            order=tantivy.Order.Asc,
        )
        addresses = [address for _, address in found.hits]
        scores = _rankings(searcher, addresses, request.market_nps)
        ranked = sorted(zip(scores, addresses, strict=True), key=lambda pair: -pair[0])
        return _count(found), ranked[request.offset : request.offset + request.limit]

    def _by_relevance(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> tuple[int, list[tuple[float, Any]]]:
        """The page by blended score, exactly: the blend at most doubles a relevance, so
        once the page's last blended score beats twice the lowest relevance read, no hit
        not read can enter the page; until then, read more."""
        window = request.offset + request.limit
        fetch = max(FIRST_FETCH, 2 * window)
        total = None
        while True:
            found = searcher.search(query, limit=fetch, count=total is None)
            if total is None:
                total = _count(found)
            addresses = [address for _, address in found.hits]
            rankings = _rankings(searcher, addresses, request.market_nps)
            pids = searcher.fast_field_values("pid", addresses)
            scored = sorted(
                (
                    (blended(relevance, rank), pid, address)
                    for (relevance, address), rank, pid in zip(
                        found.hits, rankings, pids, strict=True
                    )
                ),
                key=lambda row: (-row[0], row[1]),
            )
            everything = len(found.hits) >= total or len(found.hits) < fetch
            if everything or (
                len(scored) >= window and scored[window - 1][0] > MAX_BLEND * found.hits[-1][0]
            ):
                return total, [
                    (score, address) for score, _, address in scored[request.offset : window]
                ]
            fetch *= 4


def _rankings(searcher: tantivy.Searcher, addresses: list[Any], market: float) -> list[float]:
    counts = searcher.fast_field_values("nps_n", addresses)
    values = searcher.fast_field_values("nps", addresses)
    return [
        ranking(int(n or 0), float(value or 0.0), market)
        for n, value in zip(counts, values, strict=True)
    ]


def _count(found: tantivy.SearchResult) -> int:
    return int(found.count)  # type: ignore[attr-defined]  # the stub leaves count out


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, list[tuple[str, int]]]:
    wanted = {name: {"terms": {"field": name, "size": FACET_SIZE}} for name in FACET_FIELDS}
    found = searcher.aggregate(query, wanted)
    return {
        name: sorted(
            ((bucket["key"], int(bucket["doc_count"])) for bucket in found[name]["buckets"]),
            key=lambda value_count: (-value_count[1], value_count[0]),
        )
        for name in FACET_FIELDS
    }


class _Snippets:
    """The description's opening, else the summary, with the matched words marked."""

    def __init__(
        self, searcher: tantivy.Searcher, words: tantivy.Query | None, schema: tantivy.Schema
    ) -> None:
        self.makers: list[tuple[str, Any]] = []
        if words is None:
            return
        for name in ("description", "summary"):
            maker = tantivy.SnippetGenerator.create(searcher, words, schema, name)
            maker.set_max_num_chars(SNIPPET_CHARS)
            self.makers.append((name, maker))

    def of(self, doc: tantivy.Document) -> str | None:
        summary = str(doc.get_first("summary") or "")
        texts = {"description": bytes(doc.get_first("excerpt") or b"").decode(), "summary": summary}
        for name, maker in self.makers:
            holder = tantivy.Document()
            holder.add_text(name, texts[name])
            marked = _marked(maker.snippet_from_doc(holder))
            if marked:
                return marked
        return html.escape(summary[:SNIPPET_CHARS], quote=False) or None


def _marked(snippet: Any) -> str:
    """The fragment escaped, its highlighted ranges (byte offsets) in <mark>, numbered by
    word as whoosh's formatter numbers them."""
    ranges = sorted((part.start, part.end) for part in snippet.highlighted())
    if not ranges:
        return ""
    text = snippet.fragment().encode()
    out: list[str] = []
    terms: dict[str, int] = {}
    at = 0
    for start, end in ranges:
        word = text[start:end].decode()
        number = terms.setdefault(word.lower(), len(terms))
        out.append(html.escape(text[at:start].decode(), quote=False))
        out.append(f'<mark class="match term{number}">{html.escape(word, quote=False)}</mark>')
        at = end
    out.append(html.escape(text[at:].decode(), quote=False))
    return "".join(out)
