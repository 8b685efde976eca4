"""The static index updated in place (search_index/static_update.py) is, file for file and
byte for byte, the index a whole build makes of the same records: the search box cannot
tell an updated index from a fresh one.

The layout's sizes are made small here (a word in more than 4 documents has files of its
own, 6 documents a file, 12 candidates kept, 3 documents an order page and 2 a blend
chunk) so that a few dozen records exercise what a
directory of 100,000 does: common words, words moving between files, candidates running
out.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from directory_site import manifest
from search_index import static_index
from search_index.static_index import State, StaticRecord, built
from search_index.static_update import (
    Lengths,
    decode_own,
    decode_pair,
    differences,
    encode_own,
    encode_pair,
    shape_of,
    updated,
)

WORDS = ["cloud", "data", "retail", "health", "migration", "salesforce", "erp", "lisbon"]


@pytest.fixture(autouse=True)
def small_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(static_index, "OWN", 4)
    monkeypatch.setattr(static_index, "PART", 6)
    monkeypatch.setattr(static_index, "CANDIDATES", 12)
    monkeypatch.setattr(static_index, "ORDER_PAGE", 3)
    monkeypatch.setattr(static_index, "BLEND_CHUNK", 2)


def record(number: int, summary: str, ranking: float = 10.0, name: str = "") -> StaticRecord:
    return StaticRecord(
        partner_id=number + 1,
        location=f"partners/p{number}.html",
        name=name or f"Partner {number}",
        summary=summary,
        tags="",
        places="Lisbon, PT",
        description=f"We do {summary} and more {summary}.",
        ranking=ranking,
    )


def apply(
    files: dict[str, bytes], state: State, before: list[StaticRecord], now: list[StaticRecord]
) -> tuple[dict[str, bytes], State] | None:
    """The published files and state updated from `before` to `now` (None: built whole)."""
    changed = differences(before, now)
    assert changed is not None
    done = updated(now, changed, State.loads(state.dumps()) or state, files.__getitem__, files)
    if done is None:
        return None
    after = {path: content for path, content in files.items() if path not in done.gone}
    after.update(done.files)
    return after, done.state


def assert_same(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    assert sorted(got) == sorted(want)
    differ = [path for path in want if got[path] != want[path]]
    assert not differ, f"files differ from a whole build's: {differ}"


def test_a_summary_edit_rewrites_only_the_files_holding_its_words() -> None:
    # given: 30 partners, "cloud" common (in every one), "erp" in one
    before = [record(n, "cloud data" if n % 2 else "cloud retail") for n in range(30)]
    before[7] = record(7, "cloud erp")
    files, state = built(before)

    # when: partner 7's summary loses "erp" and gains "health"
    now = list(before)
    now[7] = record(7, "cloud health")
    got, _state = apply(files, state, before, now) or pytest.fail("not updated")

    # then: the files are a whole build's, and its chunk of hits changed but not others
    want, _ = built(now)
    assert_same(got, want)
    assert got["docs/0.json.gz"] != files["docs/0.json.gz"]
    unchanged = [path for path in files if path in want and files[path] == want[path]]
    assert unchanged, "an edit of one partner changed every file"


def test_a_new_partner_joins_at_the_end_and_a_common_word_gains_a_file() -> None:
    # given: 12 partners with "cloud" (two files of 6)
    before = [record(n, "cloud data") for n in range(12)]
    files, state = built(before)
    cloud_files = [path for path in files if path.startswith("words/")]

    # when: a 13th partner with "cloud" is added
    now = [*before, record(12, "cloud migration")]
    got, new_state = apply(files, state, before, now) or pytest.fail("not updated")

    # then: "cloud" and "data" now have three files each; all is a whole build's
    want, want_state = built(now)
    assert_same(got, want)
    assert len([path for path in got if path.startswith("words/")]) > len(cloud_files)
    assert new_state.documents == want_state.documents == 13


def test_the_best_are_chosen_again_when_the_candidates_run_out() -> None:
    # given: 200 partners with "cloud", ranked 0..199/4 (the best 12 are the candidates)
    before = [record(n, "cloud", ranking=n / 4) for n in range(200)]
    files, state = built(before)
    word = state.own[static_index.words("cloud")[0]]
    assert sorted(doc for doc, _step, _shape in word.best) == list(range(188, 200))

    # when: those 12 fall to the bottom of the ranking (their words as they were)
    now = [record(n, "cloud", ranking=n / 4 - 100 if n >= 188 else n / 4) for n in range(200)]
    got, new_state = apply(files, state, before, now) or pytest.fail("not updated")

    # then: the ten best are the next ones, found again from the postings
    want, _ = built(now)
    assert_same(got, want)
    best = {doc for doc, _step, _shape in new_state.own[static_index.words("cloud")[0]].best}
    assert set(range(176, 188)) <= best


def test_a_word_s_best_follow_the_averages_when_they_move_far() -> None:
    # given: 200 partners with "cloud" in their description, equally ranked: 100 short
    # ones where it is once (ahead while descriptions are short), 100 long ones where it
    # is three times; and 20 partners without it, their descriptions short
    def partner(number: int, description: str) -> StaticRecord:
        return record(number, "")._replace(description=description, places="")

    short, long = "cloud", "cloud cloud cloud " + "filler " * 57
    before = [partner(n, short if n < 100 else long) for n in range(200)]
    before += [partner(n, "filler") for n in range(200, 220)]
    files, state = built(before)
    word = state.own[static_index.words("cloud")[0]]
    assert all(doc < 100 for doc, _step, _shape in word.best)

    # when: the 20 get descriptions of 3,000 words: the average length grows tenfold, and
    # the long descriptions' three "cloud" now count for more than the short ones' one
    now = before[:200] + [partner(n, "filler " * 3000) for n in range(200, 220)]
    got, new_state = apply(files, state, before, now) or pytest.fail("not updated")

    # then: the ten best are long ones, as a whole build finds
    want, _ = built(now)
    assert_same(got, want)
    best = static_index.best_of(
        new_state.own["cloud"], len(now), static_index.averages_of(new_state.totals, len(now))
    )
    assert all(doc >= 100 for doc, _score in best)


def word_files(files: dict[str, bytes], form: str) -> dict[str, bytes]:
    """A common word's files (its places aside), their bodies by path."""
    found = {}
    for path, content in files.items():
        if path.startswith("words/") and not path.endswith(".at.bin"):
            line, _newline, body = gzip.decompress(content).partition(b"\n")
            if form in json.loads(line):
                found[path] = body
    return found


def test_a_word_under_half_the_partners_keeps_its_lengths_in_its_own_files() -> None:
    # given: 12 partners, "retail" in six (half: its lengths in the lengths files) and
    # "data" in the other six
    before = [record(n, "cloud retail" if n < 6 else "cloud data") for n in range(12)]
    files, state = built(before)
    shared = word_files(files, "retail")
    # its files: the documents 0-5 (each from the one before), their fields (the summary
    # and the description: 2 | 16), the counts (once, twice): no lengths
    assert list(shared.values()) == [
        bytes([0, 1, 1, 1, 1, 1]) + bytes([18] * 6) + bytes([1, 2] * 6)
    ]

    # when: partner 0 says "data" instead (five of twelve), then a 13th partner comes with
    # "data", and "retail" is in five of thirteen
    steps = [
        [record(0, "cloud data"), *before[1:]],
        [record(0, "cloud data"), *before[1:], record(12, "cloud data")],
    ]
    for now in steps:
        got, state = apply(files, state, before, now) or pytest.fail("not updated")
        # then: its files are a whole build's: each of its postings' lengths in them (the
        # summary's two words, the description's six: "We do cloud retail and more cloud
        # retail" without the stop words "we" and "and"), after the counts
        want, _ = built(now)
        assert_same(got, want)
        [body] = word_files(got, "retail").values()
        assert body == bytes([1, 1, 1, 1, 1]) + bytes([18] * 5) + bytes([1, 2] * 5) + bytes(
            [2, 6] * 5
        )
        files, before = got, now
    # and "data", in seven of twelve then eight of thirteen, leaves its lengths to the
    # lengths files: its two files (six partners a file) hold eight documents, their
    # fields and counts only
    data = word_files(files, "data").values()
    assert [len(body) for body in data] == [6 + 6 + 12, 2 + 2 + 4]


def test_an_edit_across_a_power_of_two_of_postings_keeps_the_shards(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: shards of about 4 postings of plain words, and 100 partners whose only plain
    # words are the numbers 10-99 in their names (one-letter words are not kept; the
    # others are in more than the fixture's OWN of 4): 90 postings, 22 shards' worth,
    # so 32 shards
    monkeypatch.setattr(static_index, "POSTINGS_A_SHARD", 4)
    before = [record(n, "") for n in range(100)]
    files, state = built(before)
    assert (state.plain, state.shards) == (90, 32)

    def worded(number: int, words: int) -> StaticRecord:
        return record(number, " ".join(f"w{number}x{j}" for j in range(words)))

    # when: ten partners gain five words each of their own (140 postings: 35 shards'
    # worth, past 32, so 64 shards for a whole build)
    now = [worded(n, 5) if n < 10 else before[n] for n in range(100)]
    got, new_state = apply(files, state, before, now) or pytest.fail("not updated")
    # then: the update keeps the 32 shards (within a factor of two of 64), and its files
    # are a whole build's in as many
    assert new_state.plain == 140
    assert static_index.shard_count(140) == 64
    assert new_state.shards == 32
    assert_same(got, built(now, 32)[0])
    # and when they gain forty words each (490 postings: 122 shards' worth, 128 shards,
    # four times 32), the index is built whole
    more = [worded(n, 40) if n < 10 else before[n] for n in range(100)]
    assert apply(got, new_state, now, more) is None


def test_a_shard_of_common_words_only_is_updated_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: shards of about one posting of plain words, so 32 shards for the 20 names'
    # numbers; the common words' entries land in shards of their own among them
    monkeypatch.setattr(static_index, "POSTINGS_A_SHARD", 1)
    before = [record(n, "cloud data retail health") for n in range(10, 30)]
    files, state = built(before)
    heads = [
        json.loads(gzip.decompress(files[static_index.shard_file(n)]).partition(b"\n")[0])
        for n in range(state.shards)
    ]
    assert any(head and all(entry[0] is None for entry in head.values()) for head in heads)
    # when: one partner's summary is edited
    now = list(before)
    now[3] = record(13, "cloud data retail")
    # then: the index is updated in place (not built whole), as a whole build writes it
    got, _state = apply(files, state, before, now) or pytest.fail("not updated")
    assert_same(got, built(now, state.shards)[0])


def test_a_gone_partner_or_a_word_becoming_common_builds_the_index_whole() -> None:
    before = [record(n, "cloud erp" if n < 3 else "cloud") for n in range(10)]
    files, state = built(before)

    # a partner gone: every later number moves
    assert differences(before, before[:4] + before[5:]) is None
    # "erp" in a 5th partner: it needs files of its own
    now = [record(n, "cloud erp" if n < 5 else "cloud") for n in range(10)]
    assert apply(files, state, before, now) is None


Edit = tuple[int, str, int, float]  # which partner, its summary's words, a ranking


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.lists(st.lists(st.sampled_from(WORDS), max_size=4), min_size=50, max_size=70),
    rounds=st.lists(
        st.tuples(
            st.lists(
                st.tuples(
                    st.integers(0, 40),
                    st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
                    st.integers(-50, 90),
                    st.booleans(),
                ),
                min_size=1,
                max_size=3,
            ),
            st.integers(0, 2),  # partners added
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_updated_files_are_a_whole_build_s_after_any_edits(
    start: list[list[str]], rounds: list[tuple[list[tuple[int, str, int, bool]], int]]
) -> None:
    records = [record(n, " ".join(found), ranking=n * 1.5) for n, found in enumerate(start)]
    files, state = built(records)
    for edits, added in rounds:
        now = list(records)
        for which, summary, ranking, renamed in edits:
            number = which % len(now)
            name = f"Renamed {summary}" if renamed else now[number].name
            now[number] = record(number, summary, ranking=float(ranking), name=name)
        now += [record(len(now) + n, "cloud new") for n in range(added)]
        want, want_state = built(now, state.shards)
        done = apply(files, state, records, now)
        if done is None:  # built whole instead (a word became common, or stopped being)
            event("built whole")
            files, state = want, want_state
        else:
            event("updated")
            assert_same(done[0], want)
            files, state = done
        records = now


def test_a_change_to_the_index_s_code_makes_the_next_site_build_full() -> None:
    # An index updated in place from files an older version of its code wrote would mix
    # two formats: the site's code fingerprint (a change makes a full build) covers it.
    assert Path(static_index.__file__).resolve().parent in manifest.CODE


def described(description: Callable[[int], str]) -> list[StaticRecord]:
    """Six partners summarised "cloud data", partner n described by `description(n)`."""
    return [
        StaticRecord(
            partner_id=n + 1,
            location=f"partners/p{n}.html",
            name=f"Partner {n}",
            summary="cloud data",
            tags="",
            places="Lisbon, PT",
            description=description(n),
            ranking=float(n),
        )
        for n in range(6)
    ]


def test_a_common_word_s_file_reads_back_as_written_with_long_fields() -> None:
    # given: six partners whose descriptions say "cloud" 200 times among 300 other words
    # (counts and places of two bytes each), so that "cloud" has files of its own
    filler = " ".join(f"word{n}" for n in range(300))
    records = described(lambda n: f"{filler} " + "cloud " * (200 - n) + filler)
    files, state = built(records)
    assert "cloud" in state.own
    own = [path for path in files if path.startswith("words/") and path.endswith("-0.bin")]
    assert own
    for path in own:
        places = path.removesuffix(".bin") + ".at.bin"
        # when: each of its files is read and written again
        postings = decode_own(files[path], files[places], Lengths(files.__getitem__, 6))
        main, at = encode_own(postings, shared=True)  # each word in all six
        form = next(iter(json.loads(gzip.decompress(files[path]).partition(b"\n")[0])))
        # then: the same bytes, and the counts read back as written
        assert static_index.word_bytes(form, len(postings), main) == files[path]
        assert static_index.places_bytes(at) == files[places]
    cloud = next(path for path in own if b'"cloud"' in gzip.decompress(files[path])[:40])
    read = decode_own(
        files[cloud], files[cloud.removesuffix(".bin") + ".at.bin"], Lengths(files.__getitem__, 6)
    )
    shapes = [shape_of(rest) for _doc, rest in read]
    assert [shape[-1][1] for shape in shapes] == [200 - n for n in range(6)]
    # and its file holds the documents (each from the one before), their bytes of fields
    # (the summary, "cloud data", and the description: 2 | 16) and the counts (once in
    # the summary, 200 - n times in the description), not the lengths (in lengths/)
    body = gzip.decompress(files[cloud]).partition(b"\n")[2]
    counts = b"".join(b"\x01" + static_index.varbytes(200 - n) for n in range(6))
    assert body == bytes([0, 1, 1, 1, 1, 1]) + bytes([18] * 6) + counts
    assert [shape[-1][2] for shape in shapes] == [
        static_index.length_to_byte(600 + 200 - n) for n in range(6)
    ]


def test_a_pair_of_common_words_is_kept_where_one_follows_the_other() -> None:
    # given: a record's words, field by field: its summary "cloud data cloud data", its
    # description "data cloud", its places "lisbon"; "cloud", "data" and "lisbon" are
    # common words
    fields = [["partner"], ["cloud", "data", "cloud", "data"], [], ["lisbon"], ["data", "cloud"]]
    # when: its pairs of common words are listed
    found = static_index.pairs_in(fields, {"cloud", "data", "lisbon"})
    # then: "cloud data" in the summary (field 1: mask 2), each word twice there, of four
    # words, starting twice: at 0 and at 2 (2 from 0); "data cloud" in the summary and
    # the description (mask 2 | 16), each word twice and once, of four words and of two,
    # starting once in each: at 1 and at 0; nothing across fields ("data" ends the
    # summary, "lisbon" begins the places)
    assert found == {
        ("cloud", "data"): bytes([0b10, 2, 2, 4]) + bytes([2, 0, 2]),
        ("data", "cloud"): bytes([0b10010, 2, 2, 1, 1, 4, 2]) + bytes([1, 1, 1, 0]),
    }


def test_a_pair_s_file_reads_back_as_written_with_long_fields() -> None:
    # given: six partners whose descriptions say "cloud data" 100 to 95 times among 600
    # other words (counts of two bytes each; lengths past a byte's exact values)
    filler = " ".join(f"word{n}" for n in range(600))
    records = described(lambda n: f"{filler} " + "cloud data " * (100 - n))
    files, state = built(records)
    assert {"cloud", "data"} <= state.own.keys()
    paths = [p for p in files if p.startswith("pairs/") and not p.endswith(".at.bin")]
    assert paths
    for path in paths:
        # when: each pair's file and its places are read and written again
        at = static_index.pair_places_file(path)
        postings = decode_pair(files[path], files[at], Lengths(files.__getitem__, 6))
        form = next(iter(json.loads(gzip.decompress(files[path]).partition(b"\n")[0])))
        # then: the same bytes
        main, places = encode_pair(postings, shared=True)  # each pair in all six
        assert static_index.word_bytes(form, len(postings), main) == files[path]
        assert static_index.places_bytes(places) == files[at]
    # and "cloud data"'s postings say, per partner, the summary (each word once, of two
    # words, the pair at 0) and the description (each word 100 - n times, of 600 + 2 *
    # (100 - n) words, the pair 100 - n times: at 600, then every two words)
    cloud_data = next(p for p in paths if b'"cloud data"' in gzip.decompress(files[p])[:40])
    read = decode_pair(
        files[cloud_data],
        files[static_index.pair_places_file(cloud_data)],
        Lengths(files.__getitem__, 6),
    )
    assert [doc for doc, _rest in read] == list(range(6))
    for n, (_doc, rest) in enumerate(read):
        times = 100 - n
        length = static_index.length_to_byte(600 + 2 * times)
        count = static_index.varbytes(times)
        head = bytes([0b10010, 1, 1]) + count + count + bytes([2, length])
        places = bytes([1, 0]) + count + static_index.varbytes(600) + bytes([2] * (times - 1))
        assert rest == head + places
