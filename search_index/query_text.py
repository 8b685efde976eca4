"""User query text made safe to hand to an engine: never an error, bounded in size."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 24
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
WORD = re.compile(r"\w+")


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
