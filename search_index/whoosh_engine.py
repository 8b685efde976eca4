"""The whoosh engine: its schema, a build, updates, and faceted search with snippets."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import collectors, highlight, scoring, sorting
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from search_index.documents import PartnerDocument
from search_index.engine import (
    FACET_FIELDS,
    DamagedIndex,
    Hit,
    Progress,
    SearchPage,
    SearchRequest,
)
from search_index.fields import (
    EXCERPT_CHARS,
    SNIPPET_CHARS,
    TEXT_FIELDS,
    blended,
    plain_markdown,
    ranking,
)
from search_index.whoosh_narrowing import Narrowed
from search_index.whoosh_query import QueryReader, analyzer

INDEX_NAME = "MAIN"  # whoosh's default


def schema() -> Schema:
    words = analyzer()
    texts = {
        name: TEXT(analyzer=words, field_boost=boost, stored=name == "summary")
        for name, boost in TEXT_FIELDS.items()
    }
    facets = {name: KEYWORD(commas=True) for name in FACET_FIELDS if name != "evidence_tiers"}
    return Schema(
        pid=ID(stored=True, unique=True),
        slug=ID(stored=True, sortable=True),
        # Snippets are cut from the summary and the description's opening: highlighting
        # a 20,000-character description for every hit would cost more than the search.
        excerpt=STORED(),
        evidence_tiers=ID(),
        # whoosh fails on a sortable NUMERIC without a default (struct.error).
        nps_n=NUMERIC(int, sortable=True, default=0),
        nps=NUMERIC(float, sortable=True, default=0),
        **texts,
        **facets,
    )


def _fields(doc: PartnerDocument) -> dict[str, Any]:
    description = plain_markdown(doc.description)
    return {
        "pid": str(doc.partner_id),
        "slug": doc.slug,
        "name": doc.name,
        "summary": doc.summary,
        "description": description,
        "excerpt": description[:EXCERPT_CHARS],
        "tags": doc.tags,
        "places": doc.places,
        "industries": ",".join(doc.industries),
        "products": ",".join(doc.products),
        "countries": ",".join(doc.countries),
        "partner_types": ",".join(doc.partner_types),
        "evidence_tiers": doc.evidence_tier,
        "nps_n": doc.nps_n,
        "nps": doc.nps,
    }


class WhooshEngine:
    name = "whoosh"

    def create(
        self,
        folder: Path,
        documents: Iterable[PartnerDocument],
        progress: Progress,
    ) -> int:
        index = whoosh_index.create_in(str(folder), schema())
        # One process: whoosh's procs=N forks writers that inherit the database connection
        # and outlive a killed build, holding its transaction open.
        writer = index.writer(limitmb=256)
        count = 0
        try:
            for doc in documents:
                writer.add_document(**_fields(doc))
                count += 1
                if count % 250 == 0:
                    progress(count)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        progress(count)
        index.close()
        return count

    def open(self, folder: Path) -> WhooshIndex:
        return WhooshIndex(folder)


@dataclass
class _Segment:
    """What one segment's documents hold for ranking and facets, by local doc number.

    Worked out once per segment: a sync adds a small segment and the large ones keep
    their tables, so the first search after a change stays fast.
    """

    nps_n: list[int]
    nps: list[float]
    postings: dict[str, dict[str, frozenset[int]]]
    vocabulary: frozenset[str]

    @classmethod
    def of(cls, reader: Any) -> _Segment:
        return cls(
            nps_n=list(reader.column_reader("nps_n")),
            nps=list(reader.column_reader("nps")),
            postings={
                name: {
                    value: frozenset(reader.postings(name, value).all_ids())
                    for value in reader.field_terms(name)
                }
                for name in FACET_FIELDS
            },
            vocabulary=frozenset(term for name in TEXT_FIELDS for term in reader.field_terms(name)),
        )


def _tables(reader: Any, known: dict[str, _Segment]) -> _Segment:
    """A segment reader's tables, worked out the first time the segment is read."""
    key = reader.segment().segment_id() if reader.segment() else str(id(reader))
    if key not in known:
        known[key] = _Segment.of(reader)
    return known[key]


@dataclass
class _Reading:
    """A searcher and its segments' tables, with their offsets in global doc numbers."""

    searcher: Searcher
    offsets: list[int]
    segments: list[_Segment]

    @classmethod
    def of(cls, searcher: Searcher, known: dict[str, _Segment]) -> _Reading:
        offsets, segments = [], []
        for reader, offset in searcher.reader().leaf_readers():
            offsets.append(offset)
            segments.append(_tables(reader, known))
        return cls(searcher=searcher, offsets=offsets, segments=segments)

    def _locate(self, docnum: int) -> tuple[_Segment, int]:
        index = bisect_right(self.offsets, docnum) - 1
        return self.segments[index], docnum - self.offsets[index]

    def ranking(self, docnum: int, market: float) -> float:
        segment, local = self._locate(docnum)
        return ranking(segment.nps_n[local], segment.nps[local], market)

    def facet_counts(self, doc_ids: set[int]) -> dict[str, Counter[str]]:
        counts: dict[str, Counter[str]] = {name: Counter() for name in FACET_FIELDS}
        bounds = [*self.offsets[1:], None]
        for segment, offset, bound in zip(self.segments, self.offsets, bounds, strict=True):
            local = {d - offset for d in doc_ids if d >= offset and (bound is None or d < bound)}
            if not local:
                continue
            for name, values in segment.postings.items():
                for value, postings in values.items():
                    counts[name][value] += len(local & postings)
        return counts

    def known_word(self, word: str) -> bool:
        return any(word in segment.vocabulary for segment in self.segments)


class _Blended(scoring.BM25F):  # type: ignore[misc]
    use_final = True

    def __init__(self, reading: _Reading, market: float) -> None:
        super().__init__()
        self.reading = reading
        self.market = market

    def final(self, searcher: Searcher, docnum: int, score: float) -> float:
        return blended(score, self.reading.ranking(docnum, self.market))


class _TopAndEvery(collectors.TopCollector):  # type: ignore[misc]
    """The top hits, and every match's number for the total and the facets.

    A weighting with a final() step turns whoosh's block skipping off, so every match
    passes through _collect: one pass over the postings gives the page and the counts.
    Replacing the matcher is off too: once the page was full, whoosh dropped the words'
    matchers whose best raw score fell below the page's lowest blended score (up to twice
    a raw one) and stopped early, so the total, the facets and the pages of a query of
    two words or more depended on the page size.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(limit=limit, replace=0)

    def prepare(self, top_searcher: Searcher, q: Any, context: Any) -> None:
        super().prepare(top_searcher, q, context)
        self.every: set[int] = set()

    def _collect(self, global_docnum: int, score: float) -> Any:
        self.every.add(global_docnum)
        return super()._collect(global_docnum, score)


class _CheckedStorage(FileStorage):  # type: ignore[misc]
    """A folder whose files opened while the index opens are closed if opening fails:
    whoosh leaves the table of contents it could not read open."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.opening: list[Any] | None = []

    def open_file(self, name: str, **kwargs: Any) -> Any:
        opened = super().open_file(name, **kwargs)
        if self.opening is not None:
            self.opening.append(opened)
        return opened

    def opening_done(self) -> None:
        for opened in self.opening or ():
            if not opened.is_closed:
                opened.close()
        self.opening = None


class WhooshIndex:
    def __init__(self, folder: Path) -> None:
        storage = _CheckedStorage(str(folder))
        try:
            self.index = whoosh_index.FileIndex(storage, indexname=INDEX_NAME)
            self.index.doc_count()
        except Exception as error:
            raise DamagedIndex(f"no readable whoosh index in {folder}: {error!r}") from None
        finally:
            storage.opening_done()
        self.local = threading.local()
        self.reader = QueryReader(self.index.schema, TEXT_FIELDS)
        self.opened: list[Searcher] = []
        self.segments: dict[str, _Segment] = {}
        self.lock = threading.Lock()

    def document_count(self) -> int:
        return int(self.index.doc_count())

    def update(self, documents: Sequence[PartnerDocument], removed: Sequence[int]) -> None:
        writer = self.index.writer(timeout=10.0)
        try:
            for doc in documents:
                writer.update_document(**_fields(doc))
            for partner_id in removed:
                writer.delete_by_term("pid", str(partner_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def close(self) -> None:
        with self.lock:
            for searcher in self.opened:
                searcher.close()
            self.opened.clear()
        self.index.close()

    def _reading(self) -> _Reading:
        """This thread's searcher, refreshed when another writer committed since."""
        reading: _Reading | None = getattr(self.local, "reading", None)
        if reading is not None and reading.searcher.up_to_date():
            return reading
        searcher = self.index.searcher()
        with self.lock:
            if reading is not None:
                self.opened.remove(reading.searcher)
                reading.searcher.close()
            self.opened.append(searcher)
        self.local.reading = _Reading.of(searcher, self.segments)
        return self.local.reading  # type: ignore[no-any-return]

    def search(self, request: SearchRequest) -> SearchPage:
        reading = self._reading()
        searcher = reading.searcher
        words, notes = self.reader.read(request.text, reading.known_word)
        query = Narrowed(
            words, request.filters, lambda reader: _tables(reader, self.segments).postings
        )
        window = request.offset + request.limit
        by_ranking_score = request.order == "ranking_score" or isinstance(words, Q.Every)
        every: set[int] | None = None
        if by_ranking_score:
            by_ranking = sorting.FunctionFacet(
                lambda _s, docnum: -reading.ranking(docnum, request.market_nps)
            )
            results = searcher.search(
                query,
                limit=window,
                sortedby=sorting.MultiFacet([by_ranking, sorting.FieldFacet("slug")]),
            )
        else:
            scored = Searcher(searcher.reader(), weighting=_Blended(reading, request.market_nps))
            top = _TopAndEvery(limit=window)
            scored.search_with_collector(query, top)
            results = top.results()
            every = top.every
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        results.fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=50)
        doc_ids = every if every is not None else set(results.docs())
        hits = [
            Hit(
                partner_id=int(hit["pid"]),
                slug=hit["slug"],
                score=(
                    reading.ranking(hit.docnum, request.market_nps)
                    if by_ranking_score
                    else float(hit.score or 0.0)
                ),
                snippet=_snippet(hit),
            )
            for hit in results[request.offset : window]
        ]
        return SearchPage(
            hits=hits, total=len(doc_ids), facets=_facets(reading, doc_ids), notes=notes
        )


def _facets(reading: _Reading, doc_ids: set[int]) -> dict[str, list[tuple[str, int]]]:
    return {
        name: sorted(
            ((value, count) for value, count in counts.items() if count),
            key=lambda value_count: (-value_count[1], value_count[0]),
        )
        for name, counts in reading.facet_counts(doc_ids).items()
    }


def _snippet(hit: Any) -> str | None:
    for name, stored in (("description", "excerpt"), ("summary", "summary")):
        text = hit.highlights(name, text=hit.get(stored) or "", top=2)
        if text:
            return str(text)
    summary = hit.get("summary") or ""
    return highlight.htmlescape(summary[:SNIPPET_CHARS], quote=False) or None
