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
  from the previous one, its blend (ranking score + 100, in hundredths), a byte of the
  fields that hold the word, and per such field the word's count and the field's length
  as whoosh keeps it (one byte, whoosh.util.numeric.length_to_byte).
- `known/<letters>.bin`: a Bloom filter of the words of that many letters (20: 20 or
  more), read only to correct a typo: the box tries every word one edit away and fetches
  the shards of those the filter may know.
- `docs/<chunk>.json.gz`: what a hit shows (page, name, summary), DOCS_A_CHUNK documents
  a file, gzip.

Nothing grows into one file with the directory but the postings of a very common word
(BENCHMARKS.md says how large at 100,000 partners).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

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

VERSION = 1
FIELDS = tuple(TEXT_FIELDS)
DOCS_A_CHUNK = 32
POSTINGS_A_SHARD = 3000
"""About how many postings a shard holds: the number of shards is the power of two that
keeps them near this (a search fetches one shard a word)."""
MAX_SHARDS = 8192
BEST = 10  # the box shows ten hits
KNOWN_LETTERS = 20  # words of this many letters or more share one filter
KNOWN_BITS_A_WORD = 10  # with KNOWN_HASHES, about 1% of unknown words pass
KNOWN_HASHES = 7
# whoosh's tokenizer (RegexTokenizer's default expression) and its minimum word size.
_TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
_MIN_LETTERS = 2
# BM25F's parameters, whoosh's defaults.
B = 0.75
K1 = 1.2


@dataclass(frozen=True, order=True)
class StaticRecord:
    """A partner as the static index finds and shows it (plain text, never HTML)."""

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
        round(ranking(document.nps_n, document.nps, market), 4),
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
    postings: dict[str, list[tuple[int, int, int, int]]] = {}  # (doc, field, count, length)
    totals = [0] * len(FIELDS)
    for number, found in enumerate(records):
        for field, text in enumerate(_texts(found)):
            forms = words(text)
            totals[field] += len(forms)
            stored = length_to_byte(len(forms))
            for form, count in Counter(forms).items():
                postings.setdefault(form, []).append((number, field, count, stored))
    blends = [round((found.ranking + 100) * 100) for found in records]
    shards = _shards(sum(len(entries) for entries in postings.values()))
    files: dict[str, bytes] = {}
    by_shard: dict[int, list[str]] = {}
    for form in postings:
        by_shard.setdefault(shard_of(form, shards), []).append(form)
    for shard, forms in sorted(by_shard.items()):
        files[f"terms/{shard}.bin"] = _shard_file(sorted(forms), postings, blends)
    known = _by_letters(postings)
    for letters, forms in known.items():
        files[f"known/{letters}.bin"] = _bloom(forms)
    for start in range(0, len(records), DOCS_A_CHUNK):
        chunk = [[r.location, r.name, r.summary] for r in records[start : start + DOCS_A_CHUNK]]
        files[f"docs/{start // DOCS_A_CHUNK}.json.gz"] = _gzip(_json(chunk).encode())
    token = hashlib.sha256()
    for path, content in sorted(files.items()):
        token.update(f"{path}\0{len(content)}\0".encode())
        token.update(content)
    count = len(records)
    files["index.json"] = _json(
        {
            "version": VERSION,
            "token": token.hexdigest()[:16],
            "documents": count,
            "chunk": DOCS_A_CHUNK,
            "shards": shards,
            "fields": list(FIELDS),
            "boosts": [TEXT_FIELDS[name] for name in FIELDS],
            "average": [total / count if count else 1.0 for total in totals],
            "b": B,
            "k1": K1,
            "lengths": [byte_to_length(value) for value in range(256)],
            "known": {"letters": KNOWN_LETTERS, "hashes": KNOWN_HASHES, "have": sorted(known)},
            "blend": RANKING_BLEND,
            # With no searchable words the API shows every partner by its ranking score.
            "best": sorted(range(count), key=lambda n: (-records[n].ranking, records[n].location))[
                :BEST
            ],
            "stop": sorted(STOP_WORDS),
            "typo": [TYPO_MIN_LETTERS, TYPO_MAX_LETTERS],
            "limits": [MAX_QUERY_CHARS, MAX_QUERY_WORDS],
        }
    ).encode()
    return files


def _texts(found: StaticRecord) -> tuple[str, ...]:
    return (found.name, found.summary, found.tags, found.places, found.description)


def _shards(postings: int) -> int:
    wanted = max(1, postings // POSTINGS_A_SHARD)
    return min(MAX_SHARDS, 1 << (wanted - 1).bit_length())


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


def _by_letters(postings: Iterable[str]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for form in postings:
        found.setdefault(min(len(form), KNOWN_LETTERS), []).append(form)
    return found


def _bloom(forms: list[str]) -> bytes:
    size = max(64, math.ceil(len(forms) * KNOWN_BITS_A_WORD / 8) * 8)
    bits = bytearray(size // 8)
    for form in forms:
        for bit in bloom_bits(form, size):
            bits[bit >> 3] |= 1 << (bit & 7)
    return bytes(bits)


def _shard_file(
    forms: list[str], postings: dict[str, list[tuple[int, int, int, int]]], blends: list[int]
) -> bytes:
    body = bytearray()
    head: dict[str, list[int]] = {}
    for form in forms:
        entries = postings[form]
        head[form] = [len(body), 0]
        previous = 0
        at = 0
        while at < len(entries):
            doc = entries[at][0]
            fields = []
            while at < len(entries) and entries[at][0] == doc:
                fields.append(entries[at][1:])
                at += 1
            _varint(body, doc - previous)
            _varint(body, blends[doc])
            body.append(sum(1 << field for field, _c, _l in fields))
            for _field, count, stored in fields:
                _varint(body, count)
                body.append(stored)
            previous = doc
            head[form][1] += 1
    return _gzip(_json(head).encode() + b"\n" + bytes(body))


def _gzip(content: bytes) -> bytes:
    return gzip.compress(content, compresslevel=6, mtime=0)


def _varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
