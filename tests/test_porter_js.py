"""The site's static search stems as the API's search does: directory_site/static/javascripts/
porter.js is a port of whoosh.lang.porter.stem, and node runs it over the same words."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.lang.porter import stem

from tests.outside_parts import unavailable

ROOT = Path(__file__).resolve().parent.parent
PORTER_JS = ROOT / "directory_site" / "static" / "javascripts" / "porter.js"
DICTIONARY = Path("/usr/share/dict/words")

# Reads a JSON list of words on stdin, prints the JSON list of their stems.
DRIVER = """\
import { readFileSync } from "node:fs";
const { stem } = await import(process.argv[2]);
const words = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(words.map(stem)));
"""

# A letter outside the BMP: one code point in Python, two UTF-16 units in JS.
SCRIPT_A = "\N{MATHEMATICAL SCRIPT CAPITAL A}"

# A word or more for each step of the algorithm (Porter's examples), then whoosh's quirks.
BY_HAND = [
    "caresses", "ponies", "ties", "caress", "cats",  # 1a
    "feed", "agreed", "plastered", "bled", "motoring", "sing",  # 1b
    "conflated", "troubled", "sized", "hopping", "tanned", "falling", "hissing", "fizzed",
    "failing", "filing",
    "happy", "sky",  # 1c
    "relational", "conditional", "rational", "valenci", "hesitanci", "digitizer",  # 2
    "conformabli", "radicalli", "differentli", "vileli", "analogousli", "vietnamization",
    "predication", "operator", "feudalism", "decisiveness", "hopefulness", "callousness",
    "formaliti", "sensitiviti", "sensibiliti", "archaeology",
    "triplicate", "formative", "formalize", "electriciti", "electrical", "hopeful",  # 3
    "goodness",
    "revival", "allowance", "inference", "airliner", "gyroscopic", "adjustable",  # 4
    "defensible", "irritant", "replacement", "adjustment", "dependent", "adoption",
    "homologou", "communism", "activate", "angulariti", "homologous", "effective",
    "bowdlerize",
    "probate", "rate", "cease", "controll", "roll",  # 5
    "healthcare", "consulting", "migrations", "fundamentally", "yes", "yelling", "ating",
    "izing", "a", "is", "ab",
]  # fmt: skip

# Suffixes the rules look for, so that random words end in them often.
SUFFIXES = [
    "s", "sses", "ies", "ss", "eed", "ed", "ing", "at", "bl", "iz", "y", "e", "ll",
    "ational", "tional", "enci", "anci", "izer", "bli", "alli", "entli", "eli", "ousli",
    "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness", "aliti", "iviti",
    "biliti", "logi",
    "icate", "ative", "alize", "iciti", "ical", "ful", "ness",
    "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ou",
    "ism", "ate", "iti", "ous", "ive", "ize", "sion", "tion",
]  # fmt: skip
# Letters, digits and a few non-ASCII letters, one of them outside the BMP.
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789éßø" + SCRIPT_A
WORDS = st.one_of(
    st.text(ALPHABET, max_size=12),
    st.builds(
        lambda start, end: start + end, st.text(ALPHABET, max_size=8), st.sampled_from(SUFFIXES)
    ),
)


def js_stems(words: list[str], folder: Path) -> list[str]:
    """porter.js's stems of the words, from one run of node."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed: tests/test_porter_js.py runs porter.js in it")
    module = folder / "porter.mjs"  # .mjs: node reads it as an ES module, whatever it guesses
    driver = folder / "driver.mjs"
    if not driver.exists():
        shutil.copyfile(PORTER_JS, module)
        driver.write_text(DRIVER, encoding="utf-8")
    done = subprocess.run(
        [node, str(driver), module.as_uri()],
        input=json.dumps(words),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    stems: list[str] = json.loads(done.stdout)
    return stems


def letter_words(text: str) -> set[str]:
    """Every run of letters in the text, lower-cased (accented letters are letters)."""
    return set(re.findall(r"[^\W\d_]+", text.lower()))


def word_list() -> list[str]:
    """The system's dictionary, else every word of the project's own prose and code."""
    if DICTIONARY.exists():
        lines = DICTIONARY.read_text(encoding="utf-8", errors="replace").split()
        return sorted({line.lower() for line in lines if line.isalpha()})
    files = [
        ROOT / "README.md",
        *ROOT.glob("api/**/*.py"),
        *ROOT.glob("search_index/**/*.py"),
        *ROOT.glob("directory_site/**/*.py"),
    ]
    return sorted(set().union(*(letter_words(file.read_text(encoding="utf-8")) for file in files)))


def test_porters_examples_stem_as_whoosh_stems_them(tmp_path: Path) -> None:
    # given: a word for each step of the algorithm
    words = BY_HAND

    # when
    stems = js_stems(words, tmp_path)

    # then: a few known answers (whoosh's own quirks among them), and every stem agrees
    known = {
        "caresses": "caress",
        "ponies": "poni",
        "ties": "ti",
        "relational": "relat",
        "hopeful": "hope",
        "healthcare": "healthcar",
        "fundamentally": "fundament",
        "yelling": "yell",
        # whoosh matches its at/bl/iz and double-consonant rules from the word's start, so
        # only a whole stem "at", "bl" or "iz" gets its e back and no double is undone
        "conflated": "conflat",
        "hopping": "hopp",
        "ating": "at",  # "at" gets its e (step 1b), and loses it again (step 5)
    }
    assert {word: stem(word) for word in known} == known
    assert {word: js for word, js in zip(words, stems, strict=True) if word in known} == known
    assert stems == [stem(word) for word in words]


def test_every_dictionary_word_stems_as_whoosh_stems_it(tmp_path: Path) -> None:
    # given: /usr/share/dict/words, or the words of this project's own text
    words = word_list()
    assert len(words) > 2000

    # when
    stems = js_stems(words, tmp_path)

    # then
    assert len(stems) == len(words)
    differ = [
        (word, js, stem(word)) for word, js in zip(words, stems, strict=True) if js != stem(word)
    ]
    assert differ == []


def test_pythons_regex_and_code_point_rules_are_kept(tmp_path: Path) -> None:
    # given: Python's `$` matches before a final newline, its `.` matches all but "\n" (JS's
    # not "\r" nor "\u2028" either); its strings count code points, JS's UTF-16 units
    # (SCRIPT_A is two)
    a = SCRIPT_A
    words = ["fooed\n", "hopp\n", "ated\n", "a\ned", f"{a}s", f"{a}{a}", f"ba{a}ed", f"y{a}s"]
    words += [f"{a}ational", f"b{a}{a}ing", "ß", "ßßs", "fo\red", "re\u2028ating"]

    # when
    stems = js_stems(words, tmp_path)

    # then
    assert stem(f"{a}s") == f"{a}s"  # three units in JS, but two letters: too short to stem
    assert stems == [stem(word) for word in words]


@settings(max_examples=30, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=200))
def test_random_words_stem_as_whoosh_stems_them(
    tmp_path_factory: pytest.TempPathFactory, words: list[str]
) -> None:
    # given: random letters, digits and non-ASCII letters, often ending in a rule's suffix
    folder = tmp_path_factory.getbasetemp() / "porter_js"
    folder.mkdir(exist_ok=True)

    # when
    stems = js_stems(words, folder)

    # then
    assert stems == [stem(word) for word in words]
