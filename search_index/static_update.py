"""The static index updated in place: an edit re-encodes only the files that hold it.

A build of the static index (static_index.built) keeps a State beside it: the documents'
number, the shards', the fields' total lengths, every word, and for each common word (one
with files of its own) where its files start, its documents per field, its CANDIDATES best
documents and a bound on every other one's score. The next build, given the records the
published index was made from and the records now, reads only the files they touch:

- a word's postings in its shard, decoded, the changed documents' postings put in, and
  the shard encoded again;
- a common word's file that holds a changed document (and those after it, when the word
  came into or left a document: its files hold PART documents each, in order), and so
  for a pair of common words whose posting in a changed document changed (its files
  and followers' list in the first word's entry);
- each common word's ten best (its shard's entry), ranked again: the fields' average
  lengths move with nearly every edit, and so do the scores. Its candidates are scored
  afresh; a document that did not change scores at most its old bound times the most a
  field's idf and average length moved (_Fit.loosened), so while the tenth candidate
  scores above that, the ten are the ten best of all; else the word's postings are read
  whole and its candidates chosen again;
- the lengths files of the changed documents, where a length moved (or a partner came);
- the order pages and blend chunks that differ when a ranking score moved (or a
  partner came), the chunk of hits a changed document is in, a Bloom filter when a word
  came or went, and index.json.

The files are byte for byte what a whole build makes of the same records in as many
shards (tests/test_static_update.py checks it on random edits), so the box cannot tell.
The update gives up (None: build the index whole) when a partner went (every later number
moves), when many changed, when a word crosses OWN or the shards would be more than twice
as many or half as many as the postings want (static_index.shard_count).
"""

from __future__ import annotations

import gzip
import heapq
import json
from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

from whoosh.util.numeric import length_to_byte

from search_index import static_index as layout
from search_index.static_index import (
    DOCS_A_CHUNK,
    FIELDS,
    INDEX,
    KNOWN_LETTERS,
    LENGTHS_CHUNK,
    OwnWord,
    Shape,
    State,
    StaticRecord,
    analysed,
    averages_of,
    best_of,
    blend_bytes,
    blend_file,
    blend_step,
    bloom,
    by_letters,
    docs_bytes,
    docs_file,
    index_json,
    inverse_frequency,
    is_own,
    known_file,
    lengths_bytes,
    lengths_file,
    order_files,
    own_part,
    pair_file,
    pair_form,
    pair_part,
    pair_places_file,
    pairs_in,
    places_bytes,
    places_file,
    relevance_of,
    score,
    shard_bytes,
    shard_count,
    shard_file,
    shard_of,
    shared_lengths,
    varbytes,
    word_bytes,
    word_file,
)

MOST_CHANGED = 1000
"""The most changed records updated in place (more, or more than a tenth of them: a whole
build is as quick)."""

Posting = tuple[int, bytes]
"""A document's number, then its blend (a shard's words only) and fields as encoded."""
Read = Callable[[str], bytes]  # a file of the published index, by its path there


@dataclass(frozen=True)
class Change:
    """A word's posting in one document, before and now (None: not there)."""

    old: bytes | None
    new: bytes | None
    old_shape: Shape | None
    new_shape: Shape | None
    old_step: int
    new_step: int


@dataclass(frozen=True)
class Updated:
    files: dict[str, bytes]  # every file written again or new, index.json included
    gone: set[str]  # files the index no longer has
    state: State
    changed: int  # records that changed


def differences(
    before: Sequence[StaticRecord], records: Sequence[StaticRecord]
) -> dict[int, StaticRecord | None] | None:
    """The records (by number) that are not what the published index holds: their
    published record, None for a new one; None when the numbers no longer name the same
    partners (one went: every number after it moves)."""
    if len(records) < len(before):
        return None
    if any(old.partner_id != now.partner_id for old, now in zip(before, records, strict=False)):
        return None
    changed: dict[int, StaticRecord | None] = {
        number: old
        for number, (old, now) in enumerate(zip(before, records, strict=False))
        if old != now
    }
    changed.update(dict.fromkeys(range(len(before), len(records))))
    return changed


def worth_updating(changed: int, records: int) -> bool:
    """Whether an index of `records` with `changed` of them changed is quicker updated
    than built whole."""
    return changed <= MOST_CHANGED and changed * 10 <= records


def updated(
    records: Sequence[StaticRecord],
    changed: dict[int, StaticRecord | None],
    state: State,
    read: Read,
    paths: Collection[str],
) -> Updated | None:
    """The files that change when the index of `state` (made of the published records,
    its files read by `read`, all of them `paths`) becomes the index of `records`, of
    which `changed` (differences) differ; None when it must be built whole."""
    if not worth_updating(len(changed), len(records)):
        return None
    totals = list(state.totals)
    changes: dict[str, dict[int, Change]] = {}
    pair_changes: dict[str, dict[str, dict[int, Change]]] = {}  # by the first word, the second
    steps = [blend_step(found) for found in records]
    stored: dict[int, list[int]] = {}  # a changed document's lengths as whoosh keeps them
    for number, old in sorted(changed.items()):
        old_lengths, old_words, old_texts = analysed(old) if old else ([0] * len(FIELDS), {}, [])
        new_lengths, new_words, new_texts = analysed(records[number])
        stored[number] = [length_to_byte(length) for length in new_lengths]
        _pairs_changed(number, old_texts, new_texts, state.own, pair_changes)
        for field, (was, now) in enumerate(zip(old_lengths, new_lengths, strict=True)):
            totals[field] += now - was
        old_step, new_step = (blend_step(old) if old else 0), steps[number]
        old_blend, new_blend = varbytes(old_step), varbytes(new_step)
        for form in old_words.keys() | new_words.keys():
            was_there, there = old_words.get(form), new_words.get(form)
            common = form in state.own  # its postings hold no blend; its best do
            change = Change(
                (b"" if common else old_blend) + was_there[0] if was_there else None,
                (b"" if common else new_blend) + there[0] if there else None,
                was_there[1] if was_there else None,
                there[1] if there else None,
                old_step,
                new_step,
            )
            if change.old != change.new or (common and old_step != new_step):
                changes.setdefault(form, {})[number] = change
    shards = state.shards
    heads: dict[int, _Shard] = {}

    def shard(number: int) -> _Shard:
        if number not in heads:
            heads[number] = _Shard.read(read(shard_file(number)))
        return heads[number]

    plain = state.plain
    for form, found in changes.items():
        entry = shard(shard_of(form, shards)).head.get(form)
        before_count = 0 if entry is None else int(entry[1])  # type: ignore[call-overload]
        after = before_count + sum(
            (c.new is not None) - (c.old is not None) for c in found.values()
        )
        if is_own(before_count) != is_own(after):
            return None  # the word moves into files of its own, or out of them
        if not is_own(after):
            plain += after - before_count
    if shard_count(plain, shards) != shards:
        return None
    count = len(records)
    averages = averages_of(totals, count)
    fit = _Fit(state.documents, averages_of(state.totals, state.documents), count, averages)
    lengths = Lengths(read, state.documents)
    files: dict[str, bytes] = _lengths_moved(stored, count, lengths)
    forms = set(state.forms)
    own: dict[str, OwnWord] = {}
    old_files: set[str] = set()  # the common words' files before
    new_files: set[str] = set()  # and now
    touched = {shard_of(form, shards) for form in changes}
    touched |= {shard_of(form, shards) for form in state.own}
    for number in sorted(touched):
        held = shard(number)
        head: dict[str, list[object]] = {}
        body = bytearray()
        names = held.head.keys() | {f for f in changes if shard_of(f, shards) == number}
        for form in sorted(names):
            found = changes.get(form, {})
            entry = held.head.get(form)
            if form in state.own:
                assert entry is not None
                name = f"{number}-{len(head)}"
                word, total, parts = _common_word(
                    form, entry, name, state.own[form], found, (read, lengths), files, fit, steps
                )
                own[form] = word
                for each in (word_file, places_file):
                    old_files.update(each(str(entry[2]), p) for p in range(int(entry[3])))  # type: ignore[call-overload]
                    new_files.update(each(name, p) for p in range(parts))
                followers = _pairs(
                    form,
                    entry,
                    name,
                    pair_changes.get(form, {}),
                    (read, lengths),
                    count,
                    files,
                    old_files,
                    new_files,
                )
                top = best_of(word, count, averages)
                head[form] = [None, total, name, parts, top, word.first, word.frequency, followers]
                continue
            postings = held.postings(form) if found else None
            if postings is not None:
                postings = _apply(postings, found)
                if not postings:
                    forms.discard(form)
                    continue
                forms.add(form)
                head[form] = [len(body), len(postings)]
                body += encode(postings)
            else:
                head[form] = [len(body), entry[1]]  # type: ignore[index]
                body += held.raw(form)
        files[shard_file(number)] = shard_bytes(head, body)
    gone = old_files - new_files
    letters = by_letters(forms)
    for size in {min(len(form), KNOWN_LETTERS) for form in forms ^ set(state.forms)}:
        if size in letters:
            files[known_file(size)] = bloom(letters[size])
        else:
            gone.add(known_file(size))
    for chunk in {number // DOCS_A_CHUNK for number in changed}:
        files[docs_file(chunk)] = docs_bytes(records, chunk)
    files.update(_blends_moved(steps, changed, state.documents))
    kept = (set(paths) | files.keys()) - gone - {INDEX}
    every = {path: files[path] if path in files else read(path) for path in kept}
    files[INDEX] = index_json(records, averages, shards, sorted(letters), every)
    token = json.loads(files[INDEX])["token"]
    new_state = State(token, count, shards, plain, totals, sorted(forms), own)
    return Updated(files, gone, new_state, len(changed))


@dataclass(frozen=True)
class _Fit:
    """The documents' number and the fields' average lengths the state's bounds hold at
    (before) and those of the index now."""

    documents: int
    averages: list[float]
    count: int
    now: list[float]

    def loosened(self, bound: float, before: list[int], frequency: list[int]) -> float:
        """A bound on a document's score now, from `bound` on it before (when the word
        was in `before` documents per field, and is in `frequency` now), for a document
        whose own postings did not change: a field's part of the score grows at most as
        its idf does and as its average length does (its length's weight shrinks)."""
        ratio = 0.0
        for field, (was, now) in enumerate(zip(before, frequency, strict=True)):
            if now:
                idf_before = inverse_frequency(self.documents, was)
                idf_now = inverse_frequency(self.count, now)
                longer = max(1.0, self.now[field] / (self.averages[field] or 1))
                ratio = max(ratio, idf_now / idf_before * longer)
        return bound * ratio * (1 + 1e-9)  # and a margin for the floating point


def _common_word(
    form: str,
    entry: list[object],
    name: str,
    word: OwnWord,
    found: dict[int, Change],
    published: tuple[Read, Lengths],
    files: dict[str, bytes],
    fit: _Fit,
    steps: Sequence[int],
) -> tuple[OwnWord, int, int]:
    """A common word's files written again where they changed (or moved: its name is its
    place in its shard's head), its state now, its documents and files."""
    old_name, total, old_parts = str(entry[2]), int(entry[1]), int(entry[3])  # type: ignore[call-overload]
    read, lengths = published
    was_shared = shared_lengths(total, lengths.documents)

    def part(number: int) -> list[Posting]:
        main, places = read(word_file(old_name, number)), read(places_file(old_name, number))
        return decode_own(main, places, lengths if was_shared else None)

    first, parts, total = _parts_changed(word.first, total, found, part)
    count = len(first)
    shared = shared_lengths(total, len(steps))
    if shared != was_shared:  # its lengths move into its files, or out of them: all change
        parts = {
            number: parts[number] if number in parts else part(number) for number in range(count)
        }
    for number in range(count):
        path, at = word_file(name, number), places_file(name, number)
        if number in parts:
            main, places = encode_own(parts[number], shared)
            written = {path: word_bytes(form, len(parts[number]), main), at: places_bytes(places)}
            for each, content in written.items():
                if name != old_name or number >= old_parts or content != read(each):
                    files[each] = content
        elif name != old_name:
            files[path] = read(word_file(old_name, number))
            files[at] = read(places_file(old_name, number))
    frequency = list(word.frequency)
    for change in found.values():
        for field, _times, _stored in change.old_shape or ():
            frequency[field] -= 1
        for field, _times, _stored in change.new_shape or ():
            frequency[field] += 1
    bound = fit.loosened(word.bound, word.frequency, frequency)
    candidates = {doc: (step, shape) for doc, step, shape in word.best if doc not in found}
    for doc, change in found.items():
        if change.new_shape is not None:
            candidates[doc] = (change.new_step, change.new_shape)
    kept = _ranked(candidates, frequency, fit, bound, total)
    if kept is None:  # the bound no longer parts the best from the others
        every: list[Posting] = []
        for number in range(count):
            every += parts[number] if number in parts else part(number)
        candidates = {doc: (steps[doc], shape_of(rest)) for doc, rest in every}
        kept = _ranked(candidates, frequency, fit, 0.0, total)
        assert kept is not None
    best, bound = kept
    return OwnWord(first, frequency, best, bound), total, count


def _parts_changed(
    first: list[int], total: int, found: dict[int, Change], part: Callable[[int], list[Posting]]
) -> tuple[list[int], dict[int, list[Posting]], int]:
    """The files of a common word's (or a pair's) postings that `found` changes, PART
    documents each, read by `part`: each file's first document now, the files made again
    by number, and the documents now."""
    parts: dict[int, list[Posting]] = {}
    if any((c.old is None) != (c.new is None) for c in found.values()):
        # It came into or left a document: the files from that one's on hold other ones.
        start = max(0, min(bisect_right(first, doc) - 1 for doc in found))
        postings: list[Posting] = []
        for number in range(start, len(first)):
            postings += part(number)
        postings = _apply(postings, found)
        pieces = [postings[at : at + layout.PART] for at in range(0, len(postings), layout.PART)]
        parts = {start + n: piece for n, piece in enumerate(pieces)}
        first = first[:start] + [piece[0][0] for piece in pieces]
        total += sum((c.new is not None) - (c.old is not None) for c in found.values())
    else:
        for number in sorted({bisect_right(first, doc) - 1 for doc in found}):
            parts[number] = [
                (doc, found[doc].new or rest) if doc in found else (doc, rest)
                for doc, rest in part(number)
            ]
    return first, parts, total


def _pairs_changed(
    number: int,
    before: list[list[str]],
    now: list[list[str]],
    own: Collection[str],
    into: dict[str, dict[str, dict[int, Change]]],
) -> None:
    """The pairs of common words whose posting in document `number` changed when its
    fields' words went from `before` to `now`, put `into` their changes by the first word
    and the second."""
    old_pairs, new_pairs = pairs_in(before, own), pairs_in(now, own)
    for pair in old_pairs.keys() | new_pairs.keys():
        was, there = old_pairs.get(pair), new_pairs.get(pair)
        if was != there:
            first, second = pair
            changes = into.setdefault(first, {}).setdefault(second, {})
            changes[number] = Change(was, there, None, None, 0, 0)


def _pairs(
    form: str,
    entry: list[object],
    name: str,
    changes: dict[str, dict[int, Change]],
    published: tuple[Read, Lengths],
    count: int,
    files: dict[str, bytes],
    old_files: set[str],
    new_files: set[str],
) -> list[list[object]]:
    """A common word's followers (its entry's eighth element) now, their files written
    again where they changed or moved (a pair's name is its word's and its place among
    the followers), and the pairs' files before and now added to `old_files` and
    `new_files`."""
    old_name = str(entry[2])
    read, lengths = published
    followers: list[list[object]] = entry[7]  # type: ignore[assignment]
    before = {
        str(second): (int(count), list(first), j)  # type: ignore[call-overload]
        for j, (second, count, first) in enumerate(followers)
    }
    now: list[list[object]] = []
    for second in sorted(before.keys() | changes.keys()):
        total, first, old_j = before.get(second, (0, [], -1))
        old_parts = len(first)
        for number in range(old_parts):
            path = pair_file(old_name, old_j, number)
            old_files.update((path, pair_places_file(path)))

        was_shared = shared_lengths(total, lengths.documents)

        def part(number: int, old_j: int = old_j, was_shared: bool = was_shared) -> list[Posting]:
            path = pair_file(old_name, old_j, number)
            return decode_pair(
                read(path), read(pair_places_file(path)), lengths if was_shared else None
            )

        parts: dict[int, list[Posting]] = {}
        if second in changes:
            first, parts, total = _parts_changed(first, total, changes[second], part)
        if not total:
            continue
        shared = shared_lengths(total, count)
        if shared != was_shared:  # its lengths move into its files, or out of them
            parts = {n: parts[n] if n in parts else part(n) for n in range(len(first))}
        moved = (name, len(now)) != (old_name, old_j)
        for number in range(len(first)):
            path = pair_file(name, len(now), number)
            at = pair_places_file(path)
            new_files.update((path, at))
            if number in parts:
                postings = parts[number]
                main, places = encode_pair(postings, shared)
                written = {
                    path: word_bytes(pair_form(form, second), len(postings), main),
                    at: places_bytes(places),
                }
                for each, content in written.items():
                    if moved or number >= old_parts or content != read(each):
                        files[each] = content
            elif moved:
                was = pair_file(old_name, old_j, number)
                files[path] = read(was)
                files[at] = read(pair_places_file(was))
        now.append([second, total, first])
    return now


def _ranked(
    candidates: dict[int, tuple[int, Shape]],
    frequency: list[int],
    fit: _Fit,
    bound: float,
    total: int,
) -> tuple[list[tuple[int, int, Shape]], float] | None:
    """The CANDIDATES best of `candidates` and a bound on the score of every other of the
    word's `total` documents; None when the best BEST cannot be told from those others
    (`bound`: on the scores of those not among the candidates)."""
    relevance = relevance_of(frequency, fit.count, fit.now)
    scored = heapq.nlargest(
        layout.CANDIDATES + 1,
        (
            (score(relevance(shape), step), -doc, step, shape)
            for doc, (step, shape) in candidates.items()
        ),
        key=lambda found: found[:2],
    )
    if len(candidates) < total and (
        len(scored) < layout.BEST or scored[layout.BEST - 1][0] <= bound
    ):
        return None
    if len(scored) > layout.CANDIDATES:
        bound = max(bound, scored[layout.CANDIDATES][0])
    return [(-doc, step, shape) for _score, doc, step, shape in scored[: layout.CANDIDATES]], bound


def _apply(postings: list[Posting], found: dict[int, Change]) -> list[Posting]:
    kept = [(doc, rest) for doc, rest in postings if doc not in found]
    kept += [(doc, change.new) for doc, change in found.items() if change.new is not None]
    kept.sort(key=lambda posting: posting[0])
    return kept


class _Shard:
    """A shard file of the published index: its head and its postings' bytes."""

    def __init__(self, head: dict[str, list[object]], body: bytes) -> None:
        self.head = head
        self.body = body
        starts = sorted(
            (int(entry[0]), form)  # type: ignore[call-overload]
            for form, entry in head.items()
            if entry[0] is not None
        )
        ends = [start for start, _form in starts[1:]] + [len(body)] if starts else []
        self.spans = {form: (start, end) for (start, form), end in zip(starts, ends, strict=True)}

    @classmethod
    def read(cls, content: bytes) -> _Shard:
        line, _newline, body = gzip.decompress(content).partition(b"\n")
        return cls(json.loads(line), body)

    def raw(self, form: str) -> bytes:
        start, end = self.spans[form]
        return self.body[start:end]

    def postings(self, form: str) -> list[Posting]:
        return decode(self.raw(form)) if form in self.spans else []


def _opened(main: bytes) -> tuple[bytes, list[int], bytes, int, int]:
    """A common word's or a pair's file: its body, its documents (each from the one
    before), their bytes of fields, where those end, and how many fields they name."""
    line, _newline, body = gzip.decompress(main).partition(b"\n")
    documents = int(next(iter(json.loads(line).values()))[1])
    deltas, at = _varints(body, 0, documents)
    masks = body[at : at + documents]
    return body, deltas, masks, at + documents, sum(mask.bit_count() for mask in masks)


def decode_own(main: bytes, places: bytes, lengths: Lengths | None) -> list[Posting]:
    """A common word's file and its places, with the lengths of the index it is in (None:
    its file holds them): its postings (their fields as a shard holds them, without the
    blend)."""
    body, deltas, masks, at, fields = _opened(main)
    at_places = gzip.decompress(places)
    counts, end = _varints(body, at, fields)
    counted = body[at:end] if end - at == fields else None  # each count a byte: as they are
    inline = _Inline(body[end : end + fields]) if lengths is None else lengths
    each_place = _varint_ends(at_places)
    found = []
    doc = field = place = 0
    for number, delta in enumerate(deltas):
        doc += delta
        mask = masks[number]
        mine = mask.bit_count()
        end = field + mine
        if counted is not None:
            head = bytes((mask,)) + counted[field:end] + inline.of(mask, doc)
        else:
            head = bytes((mask,))
            for times in counts[field:end]:
                head += varbytes(times)
            head += inline.of(mask, doc)
        start = each_place[place]
        place += sum(counts[field:end])
        field = end
        found.append((doc, head + at_places[start : each_place[place]]))
    return found


def decode_pair(main: bytes, places: bytes, lengths: Lengths | None) -> list[Posting]:
    """A pair's file and its places, with the lengths of the index it is in (None: its
    file holds them): its postings (pairs_in's)."""
    body, deltas, masks, at, fields = _opened(main)
    at_places = gzip.decompress(places)
    _counts, end = _varints(body, at, 2 * fields)
    ends = _varint_ends(body[at:end])
    inline = _Inline(body[end : end + fields]) if lengths is None else lengths
    starts = _varint_ends(at_places)
    values, _end = _varints(at_places, 0, len(starts) - 1)
    found = []
    doc = field = place = 0
    for number, delta in enumerate(deltas):
        doc += delta
        mine = masks[number].bit_count()
        counted = body[at + ends[2 * field] : at + ends[2 * (field + mine)]]
        first = place
        for _ in range(mine):
            place += 1 + values[place]
        head = masks[number : number + 1] + counted + inline.of(masks[number], doc)
        found.append((doc, head + at_places[starts[first] : starts[place]]))
        field += mine
    return found


def encode_pair(postings: list[Posting], shared: bool) -> tuple[bytes, bytes]:
    """A pair's postings (as decode_pair gives them) as its file's columns (the lengths
    among them unless `shared`) and places."""
    docs = [doc for doc, _rest in postings]
    return pair_part(docs, [rest for _doc, rest in postings], shared)


def encode_own(postings: list[Posting], shared: bool) -> tuple[bytes, bytes]:
    """A common word's postings (as decode_own gives them) as its file (the lengths among
    its columns unless `shared`) and its places."""
    docs = [doc for doc, _rest in postings]
    payloads = [rest for _doc, rest in postings]
    return own_part(docs, payloads, [shape_of(rest) for rest in payloads], shared)


def _varints(body: bytes, at: int, count: int) -> tuple[list[int], int]:
    """`count` varints from `at`, and where they end."""
    if body[at : at + count].isascii():  # each of one byte, as nearly all are
        return list(body[at : at + count]), at + count
    found = []
    for _ in range(count):
        value, at = _read_varint(body, at)
        found.append(value)
    return found, at


def _varint_ends(body: bytes) -> list[int]:
    """Where each varint of `body` starts, and its end."""
    if body.isascii():
        return list(range(len(body) + 1))
    return [0] + [at + 1 for at, byte in enumerate(body) if byte < 0x80]


def decode(body: bytes) -> list[Posting]:
    """A shard's postings of a word (each document from the one before, the first from 0):
    the blend, the byte of fields, the counts, the lengths, the places."""
    found = []
    at = doc = 0
    size = len(body)
    while at < size:
        delta, at = _read_varint(body, at)
        doc += delta
        start = at
        _step, at = _read_varint(body, at)
        fields = body[at].bit_count()
        at += 1
        places = 0
        for _ in range(fields):
            times, at = _read_varint(body, at)
            places += times
        at += fields  # the lengths
        for _ in range(places):
            while body[at] & 0x80:
                at += 1
            at += 1
        found.append((doc, body[start:at]))
    return found


def encode(postings: list[Posting]) -> bytes:
    out = bytearray()
    previous = 0
    for doc, rest in postings:
        out += varbytes(doc - previous)
        out += rest
        previous = doc
    return bytes(out)


def shape_of(payload: bytes) -> Shape:
    """A posting's shape from its fields as encoded (no blend before them)."""
    fields = payload[0].bit_count()
    if payload[1 : 1 + fields].isascii():  # counts of one byte: the head is that long
        return _shape_of_head(payload[: 1 + 2 * fields])
    at = 1
    for _ in range(fields):
        _times, at = _read_varint(payload, at)
    return _shape_of_head(payload[: at + fields])


_FIELDS_OF = [[f for f in range(len(FIELDS)) if mask >> f & 1] for mask in range(1 << len(FIELDS))]
"""The fields a byte of fields names, by its value."""


@lru_cache(maxsize=4096)
def _shape_of_head(head: bytes) -> Shape:
    at = 1
    fields = _FIELDS_OF[head[0]]
    counts = []
    for _field in fields:
        times, at = _read_varint(head, at)
        counts.append(times)
    pairs = zip(fields, counts, strict=True)
    return tuple((field, times, head[at + n]) for n, (field, times) in enumerate(pairs))


class Lengths:
    """The fields' lengths as the lengths files of an index of `documents` documents hold
    them (read as asked, by `read`): a posting's, by its byte of fields and its
    document."""

    def __init__(self, read: Read, documents: int) -> None:
        self.read = read
        self.documents = documents
        self.columns: dict[tuple[int, int], bytes] = {}

    def column(self, field: int, chunk: int) -> bytes:
        key = (field, chunk)
        if key not in self.columns:
            self.columns[key] = gzip.decompress(self.read(lengths_file(field, chunk)))
        return self.columns[key]

    def of(self, mask: int, doc: int) -> bytes:
        chunk, at = divmod(doc, LENGTHS_CHUNK)
        return bytes(self.column(field, chunk)[at] for field in _FIELDS_OF[mask])


class _Inline:
    """The lengths column of a file that holds its postings' lengths (one per field of
    each, in the postings' order), read posting after posting as `Lengths.of` is."""

    def __init__(self, column: bytes) -> None:
        self.column = column
        self.at = 0

    def of(self, mask: int, _doc: int) -> bytes:
        start = self.at
        self.at += mask.bit_count()
        return self.column[start : self.at]


def _lengths_moved(stored: dict[int, list[int]], count: int, lengths: Lengths) -> dict[str, bytes]:
    """The lengths files that differ from the published ones (`lengths`) when the
    documents `stored` holds have those lengths now, of `count` documents."""
    files = {}
    for chunk in sorted({doc // LENGTHS_CHUNK for doc in stored}):
        start = chunk * LENGTHS_CHUNK
        size = min(LENGTHS_CHUNK, count - start)
        mine = [doc for doc in stored if start <= doc < start + size]
        for field in range(len(FIELDS)):
            was = lengths.column(field, chunk) if start < lengths.documents else b""
            column = bytearray(was)
            column.extend(bytes(size - len(column)))
            for doc in mine:
                column[doc - start] = stored[doc][field]
            if column != was:
                files[lengths_file(field, chunk)] = lengths_bytes(column)
    return files


def _blends_moved(
    steps: list[int], changed: dict[int, StaticRecord | None], documents: int
) -> dict[str, bytes]:
    """The order pages and blend chunks that differ from the published ones, made when the
    documents' steps were these but for the changed ones (and those from `documents` on,
    new)."""
    before = steps[:documents]
    for number, old in changed.items():
        if old is not None:
            before[number] = blend_step(old)
    moved = {
        number // layout.BLEND_CHUNK
        for number in changed
        if number >= documents or before[number] != steps[number]
    }
    if not moved:
        return {}
    files = {
        blend_file(chunk): blend_bytes(steps[chunk * layout.BLEND_CHUNK :][: layout.BLEND_CHUNK])
        for chunk in moved
    }
    published = order_files(before)
    files.update(
        {path: page for path, page in order_files(steps).items() if published.get(path) != page}
    )
    return files


def _read_varint(body: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = body[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
