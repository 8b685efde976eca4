"""A whoosh query narrowed, segment by segment, to the documents that can match it.

Whoosh matches "every word, in any field" by stepping unions of per-field postings in
step, in Python, one document at a time: most of a search's time. Here the documents
that hold every word (and pass the filters) are worked out first with set operations,
which run in C; whoosh then scores only those, by skipping straight to them.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import IntersectionMatcher, ListMatcher, NullMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from search_index.engine import Filters

# A word with this many times more documents than are left is probed, not read whole.
PROBE_RATIO = 8
FacetSets = dict[str, dict[str, frozenset[int]]]  # field -> value -> local doc numbers


class Narrowed(Q.WrappingQuery):  # type: ignore[misc]
    """`child`'s matches that pass `filters`; scored by `child` alone."""

    def __init__(
        self, child: Any, filters: Filters, facet_sets: Callable[[Any], FacetSets]
    ) -> None:
        super().__init__(child)
        self.filters = filters
        self.facet_sets = facet_sets

    def _rewrap(self, child: Any) -> Narrowed:
        return Narrowed(child, self.filters, self.facet_sets)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        tables = self.facet_sets(reader)
        candidates: set[int] | frozenset[int] | None = None
        for name, values in self.filters.items():
            allowed = frozenset().union(*(tables[name].get(value, ()) for value in values))
            candidates = allowed if candidates is None else candidates & allowed
        # The rarest words first; a word far more common than the documents left is
        # looked up for those documents only, skipping through its postings.
        parts = self.child.subqueries if isinstance(self.child, Q.And) else [self.child]
        for part in sorted(parts, key=lambda part: _estimate(part, reader)):
            if candidates is not None and not candidates:
                break
            if candidates is not None and _estimate(part, reader) > PROBE_RATIO * len(candidates):
                candidates = _probe(part, reader, sorted(candidates))
                continue
            found = _candidates(part, reader)
            if found is not None:
                candidates = found if candidates is None else found.intersection(candidates)
        if candidates is None:
            return self.child.matcher(searcher, context)
        if not candidates:
            return NullMatcher
        among = _Unscored(array("I", sorted(candidates)))
        if isinstance(self.child, Q.Every):
            return among
        return IntersectionMatcher(among, self.child.matcher(searcher, context))


class _Unscored(ListMatcher):  # type: ignore[misc]
    """Documents that add nothing to the score (ListMatcher reads a weight of 0 as 1)."""

    def score(self) -> float:
        return 0.0

    def weight(self) -> float:
        return 0.0

    def supports_block_quality(self) -> bool:
        return False

    def copy(self) -> _Unscored:
        return _Unscored(self._ids)


def _candidates(query: Any, reader: Any) -> set[int] | frozenset[int] | None:
    """A superset of the segment's documents `query` matches; None when it cannot tell
    (every document, or a kind of query not worked out here)."""
    if isinstance(query, Q.Term):
        try:
            return _ids(reader.postings(query.fieldname, query.text))
        except TermNotFound:
            return set()
    if isinstance(query, Q.Phrase):  # documents with every word of it, in that field
        return _candidates(Q.And([Q.Term(query.fieldname, word) for word in query.words]), reader)
    if query is Q.NullQuery:
        return set()
    if isinstance(query, Q.And):
        found_all = [_candidates(sub, reader) for sub in query.subqueries]
        parts = sorted((found for found in found_all if found is not None), key=len)
        return set(parts[0]).intersection(*parts[1:]) if parts else None
    if isinstance(query, Q.Or):
        found: set[int] = set()
        for sub in query.subqueries:
            part = _candidates(sub, reader)
            if part is None:
                return None
            found |= part
        return found
    return None


def _ids(postings: Any) -> set[int]:
    """A term's documents, read a block at a time: whoosh's all_ids() steps through
    them one by one in Python. Documents deleted since are kept (the word's matcher
    leaves them out when it scores)."""
    if isinstance(postings, FilterMatcher):
        postings = postings.child
    if not isinstance(postings, W3LeafMatcher):
        return set(postings.all_ids())
    found: set[int] = set()
    while postings.is_active():
        if postings._ids is None:
            postings._read_ids()
        found.update(postings._ids[postings._i :])
        postings._next_block()
    return found


def _estimate(query: Any, reader: Any) -> float:
    """About how many documents `query` matches, from the term statistics."""
    if isinstance(query, Q.Term):
        return float(reader.doc_frequency(query.fieldname, query.text))
    if isinstance(query, Q.Phrase):
        return min((_estimate(Q.Term(query.fieldname, w), reader) for w in query.words), default=0)
    if isinstance(query, Q.Or):
        return sum(_estimate(sub, reader) for sub in query.subqueries)
    if isinstance(query, Q.And):
        return min((_estimate(sub, reader) for sub in query.subqueries), default=0)
    return float("inf")


def _probe(query: Any, reader: Any, candidates: list[int]) -> set[int]:
    """Those of the (sorted) candidates `query` may match; all of them when it cannot tell."""
    if isinstance(query, Q.Term):
        try:
            postings = reader.postings(query.fieldname, query.text)
        except TermNotFound:
            return set()
        kept = set()
        for docnum in candidates:
            postings.skip_to(docnum)
            if not postings.is_active():
                break
            if postings.id() == docnum:
                kept.add(docnum)
        return kept
    if isinstance(query, Q.Phrase):
        words = Q.And([Q.Term(query.fieldname, word) for word in query.words])
        return _probe(words, reader, candidates)
    if isinstance(query, Q.Or):
        kept = set()
        for sub in query.subqueries:
            left = [docnum for docnum in candidates if docnum not in kept]
            if left:
                kept |= _probe(sub, reader, left)
        return kept
    if isinstance(query, Q.And):
        for sub in query.subqueries:
            candidates = sorted(_probe(sub, reader, candidates))
        return set(candidates)
    return set(candidates)
