"""User query text made safe to hand to an engine: never an error, bounded in size."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 24
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
WORD = re.compile(r"\w+")
# Typo tolerance, the same in every engine: a word of TYPO_MIN_LETTERS or more (as typed)
# that no partner uses also matches the words one edit away that partners do use.
TYPO_MIN_LETTERS = 5  # as typed: "grods" is forgiven though its stem "grod" has four
TYPO_MAX_LETTERS = 30  # longer words are not corrected (nor are they words)
# Syntax Vouch does not offer (fields, wildcards, ranges, boosts, fuzzy) is read as a
# space, so "name:harbor" searches the word "harbor".
UNOFFERED = re.compile(r"\w*:|[*?~^\[\]{}\\]")
_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True)
class QueryText:
    text: str
    notes: list[str] = field(default_factory=list)


def prepare(raw: str) -> QueryText:
    """Normalised text, cut to MAX_QUERY_CHARS and MAX_QUERY_WORDS words, with a note if cut."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", raw)).strip()
    notes: list[str] = []
    if len(text) > MAX_QUERY_CHARS:
        text = (
            text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
            if " " in text[:MAX_QUERY_CHARS]
            else (text[:MAX_QUERY_CHARS])
        )
        notes.append(f"the query was cut to its first {MAX_QUERY_CHARS} characters")
    words = list(WORD.finditer(text))
    if len(words) > MAX_QUERY_WORDS:
        text = text[: words[MAX_QUERY_WORDS - 1].end()]
        notes.append(f"the query was cut to its first {MAX_QUERY_WORDS} words")
    if text.count('"') % 2:
        text = text.replace('"', " ")
    return QueryText(text=" ".join(text.split()), notes=notes)


def plain_words(text: str) -> str:
    """The words alone: what a query falls back to when its syntax cannot be read."""
    return " ".join(WORD.findall(text))


def correctable(word: str) -> bool:
    """Whether a typed word is long enough (and short enough) to have a typo forgiven."""
    return TYPO_MIN_LETTERS <= len(word) <= TYPO_MAX_LETTERS


def one_edit(word: str) -> set[str]:
    """The words one edit away: a letter dropped, added, changed, or two swapped."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    changes = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return deletes | swaps | changes | inserts
