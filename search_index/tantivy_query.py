"""A user's words read into a tantivy query, as `whoosh_query` reads them for whoosh.

Every word must match, in any text field; a "quoted phrase" matches as written; a
correctable word no partner uses matches the words one edit away that partners use
(query_text.one_edit), edited as typed and then stemmed as the index stems. There is no
query language: operators and syntax are words or spaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import tantivy
from whoosh.analysis import STOP_WORDS

from search_index.fields import TEXT_FIELDS
from search_index.query_text import UNOFFERED, correctable, one_edit, plain_words

ANALYZER = "vouch_words"
# whoosh's tokenizer, so both engines cut text into the same words.
WORD_PATTERN = r"\w+(?:\.?\w+)*"
_TOKEN = re.compile(WORD_PATTERN)
_PHRASE = re.compile(r'"([^"]*)"')
# whoosh drops words of one letter (its minsize=2) and its stop words; so does this.
_STOPPED = sorted(STOP_WORDS | set("abcdefghijklmnopqrstuvwxyz0123456789"))
NO_WORDS = "the query has no searchable words: every partner is shown"
UNREADABLE = "the query's syntax could not be read: searched its words"


def analyzer() -> tantivy.TextAnalyzer:
    """The text fields' analyzer (lower case, stop words out, English stems)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD_PATTERN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.custom_stopword(_STOPPED))
        .filter(tantivy.Filter.remove_long(255))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


_WORDS = analyzer()


@lru_cache(maxsize=50_000)
def indexed_form(word: str) -> str | None:
    """What the index holds for a word: its stem, or None for a stop word."""
    forms = _WORDS.analyze(word)
    return forms[0] if len(forms) == 1 else None


@dataclass(frozen=True)
class Word:
    typed: str  # lower case, as typed
    form: str  # as indexed


@dataclass(frozen=True)
class Phrase:
    words: tuple[tuple[int, str], ...]  # (position, form); stop words leave their gap


def parts(text: str) -> list[Word | Phrase]:
    """The words and phrases of `text`, stop words out."""
    found: list[Word | Phrase] = []
    last = 0
    for match in _PHRASE.finditer(text):
        found += _words(text[last : match.start()])
        found += _phrase(match.group(1))
        last = match.end()
    return found + _words(text[last:])


def _words(text: str) -> list[Word | Phrase]:
    words: list[Word | Phrase] = []
    for token in _TOKEN.findall(text.lower()):
        form = indexed_form(token)
        if form is not None:
            words.append(Word(token, form))
    return words


def _phrase(text: str) -> list[Word | Phrase]:
    tokens = _TOKEN.findall(text.lower())
    forms = [(at, form) for at, token in enumerate(tokens) if (form := indexed_form(token))]
    if len(forms) == 1:
        return [Word(tokens[forms[0][0]], forms[0][1])]
    return [Phrase(tuple(forms))] if forms else []


class QueryReader:
    def __init__(self, schema: tantivy.Schema) -> None:
        self.schema = schema

    def read(
        self, text: str, known: Callable[[str], bool]
    ) -> tuple[tantivy.Query | None, list[str]]:
        """The query for `text`; None (every partner) for no words, with a note if they
        were all too common to search by. `known` says whether a partner uses a form."""
        if not plain_words(text):
            return None, []
        notes: list[str] = []
        found = parts(UNOFFERED.sub(" ", text))
        if not found:
            found = parts(plain_words(text))
            if found:
                notes.append(UNREADABLE)
        if not found:
            return None, [NO_WORDS]
        clauses = [(tantivy.Occur.Must, self._part(part, known)) for part in found]
        return tantivy.Query.boolean_query(clauses), notes

    def _part(self, part: Word | Phrase, known: Callable[[str], bool]) -> tantivy.Query:
        if isinstance(part, Phrase):
            return self._any_field(
                lambda name: tantivy.Query.phrase_query(self.schema, name, list(part.words))
            )
        forms = [part.form]
        if not known(part.form) and correctable(part.typed):
            near = {form for edit in one_edit(part.typed) if (form := indexed_form(edit))}
            forms = sorted(form for form in near if known(form)) or forms
        return self._any_field(
            lambda name: _any([tantivy.Query.term_query(self.schema, name, form) for form in forms])
        )

    def _any_field(self, make: Callable[[str], tantivy.Query]) -> tantivy.Query:
        return _any(
            [tantivy.Query.boost_query(make(name), boost) for name, boost in TEXT_FIELDS.items()]
        )


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, query) for query in queries])
