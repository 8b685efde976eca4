"""The search index a browser reads from a static host: the API's search rules, in files
fetched only as a query needs them.

The site's search box (directory_site/static/javascripts/static-search.js) falls back to
these files when the API is away. They hold what the engines index of a partner
(documents.document: name, summary, tags, places, description), cut into words and stemmed
as whoosh does (whoosh_query.analyzer), so the box follows the API's rules: every word must
match, a correctable word no partner uses matches the words one edit away that partners
use (query_text), and hits are ranked by whoosh's BM25F with the fields' boosts, blended
with the ranking score (fields.py).

The files, under one folder:
- `index.json`: the counts and averages scoring needs, the stop words, the shards' number
  and a token naming this build's files (a browser asks for `file?v=token`).
- `terms/<shard>.bin`: the postings of the words whose hash falls in that shard, gzip: a
  JSON line {word: [offset, count]}, then per posting (varints) the document's number
  from the previous one, its ranking score + 100 (in BLEND_STEPS), a byte of the
  fields that hold the word, then per such field the word's count, per such field its
  length as whoosh keeps it (one byte, whoosh.util.numeric.length_to_byte), and per such
  field the word's places there (each from the one before: a phrase's words must follow
  one another).
- `words/<name>-<part>.bin` and `.at.bin`: a common word's postings (one in more than OWN
  documents), PART documents a file, in columns: the documents (each from the one
  before), their bytes of fields, the counts, the lengths (but for a word in half the
  documents or more: those are in `lengths/`, once for every such word, shared_lengths:
  they were most of a common word's bytes, and a search of four such words read each
  document's lengths four times); its places apart, in the `.at.bin` file, fetched only
  for a phrase. Its shard names it as [null, count, name,
  parts, best, first, frequency]: `best` what a search of it alone shows ([document,
  score], BEST of them), `first` each file's first document and `frequency` its documents
  per field (its idf), so that a search whose other words leave a few partners fetches
  only the files that hold them.
  Its postings hold no ranking score: most of a common word's bytes would be that, and
  one partner's score would be repeated in every common word it uses.
- `pairs/<name>-<follower>-<part>.bin` and `.at.bin`: the documents where a common word
  is followed by another common word (a phrase of two such words), PART a file, in
  columns: the documents, their bytes of the fields where one follows the other, per such
  field the two words' counts, and per such field its length (but for a pair in half the
  documents or more: in `lengths/`); where the pair starts in
  each such field (how many times, then each place from the one before) apart, in the
  `.at.bin` file. The first word's entry lists its followers as an eighth element,
  [[word, documents, first], ...]: a phrase of common words is found and scored from its
  pairs, not from the words' files and places (a phrase of 94% of the demo partners read
  750 KB of those at 100,000), and its pairs' places are read only where a word inside
  it is more than once in a field.
- `lengths/<field>-<chunk>.bin`: each document's length in that field as whoosh keeps it
  (one byte), LENGTHS_CHUNK documents a file by number, gzip: read for the documents of
  the files of a common word or a pair in half the documents or more that a search
  scores, in the fields they are in.
- `order/<page>.bin`: every document's ranking score (as above), best first (ties by
  number), ORDER_PAGE a file: the documents' numbers, then the scores (the first, then
  each from the one before). A search of common words only reads these pages from the
  first until no document it has not placed can reach its first hits;
- `blends/<chunk>.bin`: the same scores by document number, BLEND_CHUNK a file, for the
  few documents the pages have not reached that still could.
- `known/<letters>.bin`: a Bloom filter of the words of that many letters (20: 20 or
  more), read only to correct a typo: the box tries every word one edit away and fetches
  the shards of those the filter may know.
- `docs/<chunk>.json.gz`: what a hit shows (page, name, summary), DOCS_A_CHUNK documents
  a file, gzip.

Nothing grows into one file with the directory; a search of common words fetches their
postings without the ranking scores, and the scores of the few documents that could be
among its first hits (BENCHMARKS.md says how much at 100,000 partners).
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import NamedTuple

from whoosh.analysis import STOP_WORDS
from whoosh.util.numeric import byte_to_length, length_to_byte

from search_index.documents import PartnerDocument
from search_index.fields import RANKING_BLEND, TEXT_FIELDS, plain_markdown, ranking
from search_index.query_text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    TYPO_MAX_LETTERS,
    TYPO_MIN_LETTERS,
)
from search_index.whoosh_query import indexed_form

VERSION = 4
FIELDS = tuple(TEXT_FIELDS)
DOCS_A_CHUNK = 32
POSTINGS_A_SHARD = 750
"""About how many postings a shard holds: the number of shards is the power of two that
keeps them near this (a search fetches one shard a word)."""
OWN = 3000
"""A word in more documents than this has files of its own, so that the shard the rarer
words share stays small: its entry there names them."""
PART = 12_000
"""The most documents one file of a word holds (about 7 bytes each before gzip, so no
file comes near 150 KB); a word in more has several."""
MAX_SHARDS = 8192
ORDER_PAGE = 2048
"""The documents an order page holds (about 5 KB with gzip)."""
LENGTHS_CHUNK = 8192
"""The documents a lengths file holds (up to about 5 KB with gzip)."""
BLEND_CHUNK = 512
"""The documents a blend chunk holds (about 1.2 KB): four of them cost about a page."""
BEST = 10  # the box shows ten hits
KNOWN_LETTERS = 20  # words of this many letters or more share one filter
KNOWN_BITS_A_WORD = 10  # with KNOWN_HASHES, about 1% of unknown words pass
KNOWN_HASHES = 7
# whoosh's tokenizer (RegexTokenizer's default expression) and its minimum word size.
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
_MIN_LETTERS = 2
# A posting's ranking score + 100, in these steps of a point (2 or 3 bytes): the blend
# factor then differs from the API's by under 3e-7 of itself.
BLEND_STEPS = 10_000
# BM25F's parameters, whoosh's defaults.
B = 0.75
K1 = 1.2


Shape = tuple[tuple[int, int, int], ...]
"""What scoring reads of a word in a document: (field, count, the field's length as stored)
for each field that holds it."""


@dataclass
class _Postings:
    """A word's postings, in the documents' order: each document's number, its encoded
    fields (a byte of which, then per field its count, length and places) and shape."""

    docs: list[int]
    payloads: list[bytes]
    shapes: list[Shape]


CANDIDATES = 5 * BEST
"""The documents a common word's state keeps, its best: with a bound on every other
one's score, the next build ranks its ten best from them alone (static_update.py)."""

Candidate = tuple[int, int, Shape]  # a document's number, its blend step, its shape


@dataclass
class OwnWord:
    """A common word as the next build needs it: the first document of each of its files,
    its documents per field, its CANDIDATES best documents, and a bound on the score of
    every other one (at the index's averages, with those documents per field)."""

    first: list[int]
    frequency: list[int]
    best: list[Candidate]
    bound: float


@dataclass
class State:
    """What a build of the index keeps for the next to update it from
    (search_index/static_update.py): the index's token, its shards, the postings the
    shards hold (common words aside), the fields' total lengths, every word, and the
    common words' state."""

    token: str
    documents: int
    shards: int
    plain: int
    totals: list[int]
    forms: list[str]
    own: dict[str, OwnWord]

    def dumps(self) -> str:
        own = {
            form: [word.first, word.frequency, word.best, repr(word.bound)]
            for form, word in self.own.items()
        }
        kept = [
            VERSION,
            self.token,
            self.documents,
            self.shards,
            self.plain,
            self.totals,
            self.forms,
            own,
        ]
        return _json(kept)

    @classmethod
    def loads(cls, text: str) -> State | None:
        """The state `dumps` wrote; None when it is not one this code wrote."""
        try:
            version, token, documents, shards, plain, totals, forms, own = json.loads(text)
            if version != VERSION:
                return None
            words = {
                form: OwnWord(
                    first,
                    frequency,
                    [(doc, step, tuple(map(tuple, shape))) for doc, step, shape in best],
                    float(bound),
                )
                for form, (first, frequency, best, bound) in own.items()
            }
            return cls(token, documents, shards, plain, totals, forms, words)
        except (ValueError, TypeError):
            return None


class StaticRecord(NamedTuple):
    """A partner as the static index finds and shows it (plain text, never HTML); a tuple,
    so that the site's kept rows write it as a JSON list as it is."""

    partner_id: int  # records are numbered in this order, as a fresh engine's index is
    location: str  # its page, from the site's root: partners/<slug>.html
    name: str
    summary: str
    tags: str
    places: str
    description: str
    ranking: float  # fields.ranking at the build's market NPS


def static_record(location: str, document: PartnerDocument, market: float) -> StaticRecord:
    return StaticRecord(
        document.partner_id,
        location,
        document.name,
        document.summary,
        document.tags,
        document.places,
        plain_markdown(document.description),  # as the engines index it
        ranking(document.nps_n, document.nps, market),
    )


def words(text: str) -> list[str]:
    """The words of `text` as the engines index them (whoosh's StemmingAnalyzer): lower
    case, one letter and stop words dropped, stemmed."""
    found = []
    for token in _TOKEN.findall(text):
        word = token.lower()
        if len(word) >= _MIN_LETTERS and (form := indexed_form(word)):
            found.append(form)
    return found


def index_files(records: Sequence[StaticRecord]) -> dict[str, bytes]:
    """The static index of `records` (in their order: a record's number is its place, and
    equal scores rank by it, as whoosh's document numbers do), as file contents by path
    under the index's folder."""
    return built(records)[0]


def built(
    records: Sequence[StaticRecord], shards: int | None = None
) -> tuple[dict[str, bytes], State]:
    """The static index of `records` (index_files), with the state the next build updates
    it from (search_index/static_update.py); in `shards` shards where shard_count keeps
    them (the published index's, for an update to be compared with)."""
    postings: dict[str, _Postings] = {}
    shapes: dict[Shape, Shape] = {}  # one tuple for each shape: a few hundred in all
    totals = [0] * len(FIELDS)
    stored = [bytearray() for _ in FIELDS]  # each document's length as whoosh keeps it
    texts: list[list[list[str]]] = []  # each record's words, field by field
    for number, found in enumerate(records):
        lengths, mine, in_fields = analysed(found)
        texts.append(in_fields)
        for field, length in enumerate(lengths):
            totals[field] += length
            stored[field].append(length_to_byte(length))
        for form, (payload, shape) in mine.items():
            held = postings.get(form)
            if held is None:
                held = postings[form] = _Postings([], [], [])
            held.docs.append(number)
            held.payloads.append(payload)
            held.shapes.append(shapes.setdefault(shape, shape))
    steps = [blend_step(found) for found in records]
    blends = [varbytes(step) for step in steps]
    count = len(records)
    averages = averages_of(totals, count)
    files: dict[str, bytes] = {}
    own = {form for form, held in postings.items() if is_own(len(held.docs))}
    pairs = pair_postings(texts, own)
    del texts
    plain = sum(len(postings[form].docs) for form in postings.keys() - own)
    shards = shard_count(plain, shards)
    by_shard: dict[int, list[str]] = {shard: [] for shard in range(shards)}
    for form in postings:
        by_shard[shard_of(form, shards)].append(form)
    words_kept: dict[str, OwnWord] = {}
    for shard, forms in by_shard.items():
        head: dict[str, list[object]] = {}
        body = bytearray()
        for form in sorted(forms):
            held = postings[form]
            if form not in own:
                head[form] = [len(body), len(held.docs)]
                body += _rows(held, blends)
                continue
            name = f"{shard}-{len(head)}"
            word = words_kept[form] = _own_word(held, steps, count, averages)
            top = best_of(word, count, averages)
            starts = range(0, len(held.docs), PART)
            followers = []
            for follower, (docs, payloads) in sorted(pairs.get(form, {}).items()):
                followers.append([follower, len(docs), docs[::PART]])
                for number, start in enumerate(range(0, len(docs), PART)):
                    part = docs[start : start + PART]
                    main, places = pair_part(
                        part, payloads[start : start + PART], shared_lengths(len(docs), count)
                    )
                    path = pair_file(name, len(followers) - 1, number)
                    files[path] = word_bytes(pair_form(form, follower), len(part), main)
                    files[pair_places_file(path)] = places_bytes(places)
            head[form] = [
                None,
                len(held.docs),
                name,
                len(starts),
                top,
                word.first,
                word.frequency,
                followers,
            ]
            for number, start in enumerate(starts):
                docs = held.docs[start : start + PART]
                main, places = own_part(
                    docs,
                    held.payloads[start : start + PART],
                    held.shapes[start : start + PART],
                    shared_lengths(len(held.docs), count),
                )
                files[word_file(name, number)] = word_bytes(form, len(docs), main)
                files[places_file(name, number)] = places_bytes(places)
        files[shard_file(shard)] = shard_bytes(head, body)
    files.update(blend_files(steps))
    for field, column in enumerate(stored):
        for start in range(0, count, LENGTHS_CHUNK):
            chunk = start // LENGTHS_CHUNK
            files[lengths_file(field, chunk)] = lengths_bytes(column[start : start + LENGTHS_CHUNK])
    known = by_letters(postings)
    for letters, forms in known.items():
        files[known_file(letters)] = bloom(forms)
    for start in range(0, len(records), DOCS_A_CHUNK):
        files[docs_file(start // DOCS_A_CHUNK)] = docs_bytes(records, start // DOCS_A_CHUNK)
    files[INDEX] = index_json(records, averages, shards, sorted(known), files)
    state = State(
        token=json.loads(files[INDEX])["token"],
        documents=count,
        shards=shards,
        plain=plain,
        totals=totals,
        forms=sorted(postings),
        own=words_kept,
    )
    return files, state


INDEX = "index.json"


def index_json(
    records: Sequence[StaticRecord],
    averages: list[float],
    shards: int,
    have: list[int],
    files: dict[str, bytes],
) -> bytes:
    """index.json for the index of `records` made of `files` (index.json aside): its token
    is a hash of every file's path and bytes."""
    token = hashlib.sha256()
    for path, content in sorted(files.items()):
        if path == INDEX:
            continue
        token.update(f"{path}\0{len(content)}\0".encode())
        token.update(content)
    count = len(records)
    # With no searchable words the API shows every partner by its ranking score.
    best = heapq.nsmallest(
        BEST, range(count), key=lambda n: (-records[n].ranking, records[n].location)
    )
    return _json(
        {
            "version": VERSION,
            "token": token.hexdigest()[:16],
            "documents": count,
            "chunk": DOCS_A_CHUNK,
            "shards": shards,
            "fields": list(FIELDS),
            "boosts": [TEXT_FIELDS[name] for name in FIELDS],
            "average": averages,
            "b": B,
            "k1": K1,
            "lengths": [byte_to_length(value) for value in range(256)],
            "known": {"letters": KNOWN_LETTERS, "hashes": KNOWN_HASHES, "have": have},
            "blend": RANKING_BLEND,
            "steps": BLEND_STEPS,
            "order": ORDER_PAGE,
            "lengthsChunk": LENGTHS_CHUNK,
            "blendChunk": BLEND_CHUNK,
            "best": best,
            "stop": sorted(STOP_WORDS),
            "typo": [TYPO_MIN_LETTERS, TYPO_MAX_LETTERS],
            "limits": [MAX_QUERY_CHARS, MAX_QUERY_WORDS],
        }
    ).encode()


def analysed(
    found: StaticRecord,
) -> tuple[list[int], dict[str, tuple[bytes, Shape]], list[list[str]]]:
    """A record as the index holds it: each field's length in words, per word its
    posting's fields (a byte of which, then per field its count, length and places) and
    shape, and each field's words."""
    lengths = []
    every = []
    mine: dict[str, tuple[bytearray, list[tuple[int, int, int]]]] = {}
    for field, text in enumerate(_texts(found)):
        forms = words(text)
        every.append(forms)
        lengths.append(len(forms))
        stored = length_to_byte(len(forms))
        places: dict[str, list[int]] = {}
        for place, form in enumerate(forms):
            places.setdefault(form, []).append(place)
        for form, at in places.items():
            entry = mine.get(form)
            if entry is None:
                entry = mine[form] = (bytearray(), [])
            entry[0].extend(_places_bytes(at))
            entry[1].append((field, len(at), stored))
    found_words = {}
    for form, (held, fields) in mine.items():
        shape = tuple(fields)
        found_words[form] = (_head(shape) + held, shape)
    return lengths, found_words, every


def pairs_in(fields: Sequence[Sequence[str]], own: Collection[str]) -> dict[tuple[str, str], bytes]:
    """The pairs of common words (`own`) one after the other in a record whose fields hold
    these words, each with its posting: the byte of the fields where it is, then per such
    field the two words' counts there, then per such field its length as stored, then
    per such field how many times the pair starts there and where (each place from the
    one before)."""
    where: dict[tuple[str, str], tuple[tuple[tuple[int, int, int, int], ...], bytes]] = {}
    for field, forms in enumerate(fields):
        starts: dict[tuple[str, str], list[int]] = {}
        for place, pair in enumerate(pairwise(forms)):
            if pair[0] in own and pair[1] in own:
                held = starts.get(pair)
                if held is None:
                    starts[pair] = [place]
                else:
                    held.append(place)
        if not starts:
            continue
        counts = Counter(forms)
        stored = length_to_byte(len(forms))
        for pair, places in starts.items():
            item = (field, counts[pair[0]], counts[pair[1]], stored)
            if len(places) == 1 and places[0] < len(_ONCE):
                at = _ONCE[places[0]]  # as nearly all are
            else:
                at = varbytes(len(places)) + _places_bytes(places)
            found = where.get(pair)
            where[pair] = ((item,), at) if found is None else ((*found[0], item), found[1] + at)
    return {pair: _pair_head(shape) + at for pair, (shape, at) in where.items()}


@cache
def _pair_head(shape: tuple[tuple[int, int, int, int], ...]) -> bytes:
    """A pair's posting before its places, by its fields: (field, the first word's count,
    the second's, the field's length as stored) each."""
    mask = 0
    counts = bytearray()
    for field, first, second, _stored in shape:
        mask |= 1 << field
        counts += varbytes(first)
        counts += varbytes(second)
    return bytes((mask,)) + counts + bytes(stored for *_counts, stored in shape)


def pair_postings(
    texts: Sequence[Sequence[Sequence[str]]], own: Collection[str]
) -> dict[str, dict[str, tuple[list[int], list[bytes]]]]:
    """Every pair of common words one after the other somewhere: by the first word and
    the second, the documents where it is and their postings (pairs_in)."""
    every: dict[tuple[str, str], tuple[list[int], list[bytes]]] = {}
    for number, fields in enumerate(texts):
        for pair, payload in pairs_in(fields, own).items():
            held = every.get(pair)
            if held is None:
                held = every[pair] = ([], [])
            held[0].append(number)
            held[1].append(payload)
    found: dict[str, dict[str, tuple[list[int], list[bytes]]]] = {}
    for (first, second), held in every.items():
        found.setdefault(first, {})[second] = held
    return found


def pair_form(first: str, second: str) -> str:
    """The name a pair's files give it (no word holds a space)."""
    return f"{first} {second}"


def pair_part(docs: Sequence[int], payloads: Sequence[bytes], shared: bool) -> tuple[bytes, bytes]:
    """A file of a pair's postings in columns (the documents, each from the one before and
    the first from 0, their bytes of fields, the counts, and the lengths unless they are
    `shared`: shared_lengths) and its places apart."""
    deltas, masks, counts, lengths, places = (bytearray() for _ in range(5))
    previous = 0
    for doc, payload in zip(docs, payloads, strict=True):
        deltas += varbytes(doc - previous)
        previous = doc
        counted, stored, at = _pair_columns(payload)
        masks.append(payload[0])
        counts += counted
        lengths += stored
        places += at
    return bytes(deltas + masks + counts + (b"" if shared else lengths)), bytes(places)


@lru_cache(maxsize=1 << 17)
def _pair_columns(payload: bytes) -> tuple[bytes, bytes, bytes]:
    """A pair's posting's counts, lengths and places (most postings repeat others)."""
    cut = pair_head_length(payload)
    fields = payload[0].bit_count()
    return payload[1 : cut - fields], payload[cut - fields : cut], payload[cut:]


def pair_head_length(payload: bytes) -> int:
    """Where a pair's posting's places start: after its byte of fields, its two counts a
    field and its lengths."""
    fields = payload[0].bit_count()
    if payload[1 : 1 + 2 * fields].isascii():  # counts of one byte each, as nearly all are
        return 1 + 3 * fields
    at = 1
    for _ in range(2 * fields):
        while payload[at] & 0x80:
            at += 1
        at += 1
    return at + fields


def blend_step(found: StaticRecord) -> int:
    """A record's ranking score + 100, in BLEND_STEPS, as its postings hold it."""
    return round((found.ranking + 100) * BLEND_STEPS)


def blend_order(steps: Sequence[int]) -> list[int]:
    """The documents by their ranking score, best first (ties by number: the sort is
    stable)."""
    return sorted(range(len(steps)), key=steps.__getitem__, reverse=True)


def blend_files(steps: Sequence[int]) -> dict[str, bytes]:
    """The order pages and blend chunks of documents with these blend steps."""
    files = order_files(steps)
    for chunk, start in enumerate(range(0, len(steps), BLEND_CHUNK)):
        files[blend_file(chunk)] = blend_bytes(steps[start : start + BLEND_CHUNK])
    return files


def order_files(steps: Sequence[int]) -> dict[str, bytes]:
    """The order pages of documents with these blend steps."""
    order = blend_order(steps)
    return {
        order_file(page): order_bytes(order[start : start + ORDER_PAGE], steps)
        for page, start in enumerate(range(0, len(order), ORDER_PAGE))
    }


def order_bytes(docs: Sequence[int], steps: Sequence[int]) -> bytes:
    """An order page: its documents' numbers, then their blend steps (the first, then each
    from the one before: they only fall)."""
    out = bytearray()
    for doc in docs:
        out += varbytes(doc)
    previous = steps[docs[0]] if docs else 0
    out += varbytes(previous)
    for doc in docs[1:]:
        out += varbytes(previous - steps[doc])
        previous = steps[doc]
    return _gzip(bytes(out))


def blend_bytes(steps: Sequence[int]) -> bytes:
    return _gzip(b"".join(varbytes(step) for step in steps))


def averages_of(totals: list[int], count: int) -> list[float]:
    return [total / count if count else 1.0 for total in totals]


def is_own(documents: int) -> bool:
    """Whether a word in this many documents has files of its own (more than OWN: every
    word in more than PART documents is one)."""
    return documents > OWN


def shard_file(shard: int) -> str:
    return f"terms/{shard}.bin"


def word_file(name: str, part: int) -> str:
    return f"words/{name}-{part}.bin"


def pair_file(name: str, follower: int, part: int) -> str:
    return f"pairs/{name}-{follower}-{part}.bin"


def pair_places_file(path: str) -> str:
    """The file of the places of the pair's file at `path`."""
    return path.removesuffix(".bin") + ".at.bin"


def lengths_file(field: int, chunk: int) -> str:
    return f"lengths/{field}-{chunk}.bin"


def lengths_bytes(column: bytes | bytearray) -> bytes:
    """A lengths file: its documents' lengths in one field, a byte each, gzip."""
    return _gzip(bytes(column))


def known_file(letters: int) -> str:
    return f"known/{letters}.bin"


def places_file(name: str, part: int) -> str:
    return f"words/{name}-{part}.at.bin"


def order_file(page: int) -> str:
    return f"order/{page}.bin"


def blend_file(chunk: int) -> str:
    return f"blends/{chunk}.bin"


def docs_file(chunk: int) -> str:
    return f"docs/{chunk}.json.gz"


def shard_bytes(head: dict[str, list[object]], body: bytes | bytearray) -> bytes:
    return _gzip(_json(head).encode() + b"\n" + bytes(body))


def word_bytes(form: str, documents: int, content: bytes) -> bytes:
    return _gzip(_json({form: [0, documents]}).encode() + b"\n" + content)


def places_bytes(places: bytes) -> bytes:
    return _gzip(places)


def docs_bytes(records: Sequence[StaticRecord], chunk: int) -> bytes:
    start = chunk * DOCS_A_CHUNK
    found = [[r.location, r.name, r.summary] for r in records[start : start + DOCS_A_CHUNK]]
    return _gzip(_json(found).encode())


def _texts(found: StaticRecord) -> tuple[str, ...]:
    return (found.name, found.summary, found.tags, found.places, found.description)


def shard_count(postings: int, kept: int | None = None) -> int:
    """The shards for `postings` postings of plain words: the power of two that keeps them
    near POSTINGS_A_SHARD a shard; or `kept`, the shards an index has, while it is within
    a factor of two of that (an index whose postings sit near a power of two would
    otherwise move every word to another shard, a whole build, at every other edit)."""
    wanted = max(1, postings // POSTINGS_A_SHARD)
    best = min(MAX_SHARDS, 1 << (wanted - 1).bit_length())
    return kept if kept is not None and best // 2 <= kept <= best * 2 else best


def fnv1a(text: str, basis: int = 0x811C9DC5) -> int:
    """FNV-1a, 32 bits, of `text`'s UTF-8 bytes (the box hashes as this does)."""
    value = basis
    for byte in text.encode():
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


@lru_cache(maxsize=100_000)
def shard_of(form: str, shards: int) -> int:
    return fnv1a(form) % shards


SECOND_BASIS = 0x01000193  # the Bloom filter's second hash: FNV-1a from another start


def bloom_bits(form: str, size: int) -> list[int]:
    """The bits of a filter of `size` bits that hold `form` (double hashing)."""
    first, second = fnv1a(form), fnv1a(form, SECOND_BASIS) | 1
    return [((first + i * second) & 0xFFFFFFFF) % size for i in range(KNOWN_HASHES)]


def by_letters(postings: Iterable[str]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for form in postings:
        found.setdefault(min(len(form), KNOWN_LETTERS), []).append(form)
    return found


def bloom(forms: list[str]) -> bytes:
    size = max(64, math.ceil(len(forms) * KNOWN_BITS_A_WORD / 8) * 8)
    bits = bytearray(size // 8)
    for form in forms:
        for bit in bloom_bits(form, size):
            bits[bit >> 3] |= 1 << (bit & 7)
    return bytes(bits)


def _own_word(held: _Postings, steps: list[int], count: int, averages: list[float]) -> OwnWord:
    """A common word's state: where its files start, its documents per field, its best."""
    frequency = [0] * len(FIELDS)
    for shape, times in Counter(held.shapes).items():
        for field, _count, _stored in shape:
            frequency[field] += times
    relevance = relevance_of(frequency, count, averages)
    scored = heapq.nlargest(
        CANDIDATES + 1,
        (
            (score(relevance(shape), steps[doc]), -doc)
            for doc, shape in zip(held.docs, held.shapes, strict=True)
        ),
    )
    return OwnWord(
        first=held.docs[::PART],
        frequency=frequency,
        best=[
            (-doc, steps[-doc], held.shapes[bisect_left(held.docs, -doc)])
            for _score, doc in scored[:CANDIDATES]
        ],
        bound=scored[CANDIDATES][0] if len(scored) > CANDIDATES else 0.0,
    )


def relevance_of(
    frequency: list[int], count: int, averages: list[float]
) -> Callable[[Shape], float]:
    """A word's BM25F relevance in a document by its shape (static-search.js's scoring,
    step for step), given its documents per field, the documents' number and the fields'
    average lengths as index.json holds them."""
    idf = [inverse_frequency(count, df) for df in frequency]
    boosts = [TEXT_FIELDS[name] for name in FIELDS]

    @cache
    def relevance(shape: Shape) -> float:
        found = 0.0
        for field, times, stored in shape:
            weight = times * boosts[field]
            length = byte_to_length(stored)
            found += (
                idf[field]
                * (weight * (K1 + 1))
                / (weight + K1 * ((1 - B) + B * length / (averages[field] or 1)))
            )
        return found

    return relevance


def inverse_frequency(count: int, documents: int) -> float:
    """whoosh's BM25F idf of a word in `documents` of `count` documents."""
    return math.log(count / (documents + 1)) + 1


def score(relevance: float, step: int) -> float:
    """A hit's score: its relevance blended with its ranking score (in blend steps)."""
    return relevance * (1 + RANKING_BLEND * step / (200 * BLEND_STEPS))


def best_of(word: OwnWord, count: int, averages: list[float]) -> list[list[float]]:
    """The BEST documents a search of a common word alone shows, with their scores: [doc,
    score], from its candidates (so a search of one common word fetches none of its
    files)."""
    relevance = relevance_of(word.frequency, count, averages)
    scored = ((score(relevance(shape), step), -doc) for doc, step, shape in word.best)
    return [[-doc, found] for found, doc in heapq.nlargest(BEST, scored)]


def _rows(held: _Postings, blends: list[bytes]) -> bytes:
    """A word's postings as a shard holds them: per posting the document's number from the
    previous one (the first from 0), its blend and its fields."""
    body = bytearray()
    previous = 0
    for doc, payload in zip(held.docs, held.payloads, strict=True):
        body += varbytes(doc - previous)
        body += blends[doc]
        body += payload
        previous = doc
    return bytes(body)


def own_part(
    docs: Sequence[int], payloads: Sequence[bytes], shapes: Sequence[Shape], shared: bool
) -> tuple[bytes, bytes]:
    """A file of a common word's postings in columns (the documents, each from the one
    before and the first from 0, their bytes of fields, the counts, and the lengths
    unless they are `shared`: shared_lengths) and its places apart."""
    deltas, masks, counts, lengths, places = (bytearray() for _ in range(5))
    previous = 0
    for doc, payload, shape in zip(docs, payloads, shapes, strict=True):
        deltas += varbytes(doc - previous)
        previous = doc
        mask, counted, stored = _columns(shape)
        masks.append(mask)
        counts += counted
        lengths += stored
        places += payload[1 + len(counted) + len(stored) :]
    return bytes(deltas + masks + counts + (b"" if shared else lengths)), bytes(places)


def shared_lengths(documents: int, count: int) -> bool:
    """Whether a common word or a pair in `documents` of the index's `count` leaves its
    lengths to the lengths files (in half the documents or more: a search of two such
    reads those once), or keeps them in its own files (fewer: its own are fewer bytes
    than every document's)."""
    return 2 * documents >= count


@cache
def _columns(shape: Shape) -> tuple[int, bytes, bytes]:
    """A posting's byte of fields, its counts and its lengths, by its shape."""
    mask = 0
    for field, _count, _stored in shape:
        mask |= 1 << field
    counts = b"".join(varbytes(count) for _field, count, _stored in shape)
    return mask, counts, bytes(stored for _field, _count, stored in shape)


def _head(shape: Shape) -> bytes:
    """A posting's fields before their places: the byte of fields, the counts, the
    lengths."""
    mask, counts, lengths = _columns(shape)
    return bytes((mask,)) + counts + lengths


def _gzip(content: bytes) -> bytes:
    return gzip.compress(content, compresslevel=6, mtime=0)


def _places_bytes(places: list[int]) -> bytes:
    """A word's places in a field, each from the one before."""
    out = bytearray()
    before = 0
    for place in places:
        out += varbytes(place - before)
        before = place
    return bytes(out)


def varbytes(value: int) -> bytes:
    return _SMALL[value] if value < len(_SMALL) else _encoded(value)


def _encoded(value: int) -> bytes:
    out = bytearray()
    _varint(out, value)
    return bytes(out)


def _varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


_SMALL = [_encoded(value) for value in range(1 << 14)]  # every value of one or two bytes
_ONCE = [b"\x01" + place for place in _SMALL]  # one place, as a pair's places say it


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
