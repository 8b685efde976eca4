"""A user's words read into a whoosh query: words and quoted phrases, typos forgiven.

Every word must match. Vouch offers no query language: `OR`, `NOT`, `AND`, parentheses,
fields, wildcards, ranges, boosts and fuzziness are read as words (or as spaces), as the
README says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from whoosh import qparser
from whoosh import query as Q
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.fields import Schema
from whoosh.lang.porter import stem

from search_index.query_text import UNOFFERED, WORD, correctable, one_edit, plain_words


def analyzer() -> StemmingAnalyzer:
    """The text fields' analyzer; `indexed_form` must follow it."""
    return StemmingAnalyzer()


@lru_cache(maxsize=50_000)
def indexed_form(word: str) -> str | None:
    """What the index holds for a lower-case word: its stem, or None for a stop word."""
    return None if word in STOP_WORDS else stem(word)


class QueryReader:
    """Parses words and "quoted phrases" over the text fields, every word required."""

    def __init__(self, schema: Schema, fields: Iterable[str]) -> None:
        self.fields = list(fields)
        # Only the whitespace and phrase plugins: no operators, groups, fields or the like.
        self.parser = qparser.MultifieldParser(
            self.fields,
            schema,
            group=qparser.AndGroup,
            plugins=[qparser.WhitespacePlugin(), qparser.PhrasePlugin()],
        )

    def read(self, text: str, known: Callable[[str], bool]) -> tuple[Any, list[str]]:
        """The query for `text`; Every() for no words, with a note if they were all too
        common to search by. `known` says whether any partner uses a word (as indexed)."""
        notes: list[str] = []
        if not plain_words(text):
            return Q.Every(), notes
        typed = UNOFFERED.sub(" ", text)
        try:
            query = self.parser.parse(typed)
        except Exception:
            query = Q.NullQuery
        if query is Q.NullQuery or not list(query.iter_all_terms()):
            typed = plain_words(text)
            query = self.parser.parse(typed)
            if query is not Q.NullQuery:
                notes.append("the query's syntax could not be read: searched its words")
        if query is Q.NullQuery:
            notes.append("the query has no searchable words: every partner is shown")
            return Q.Every(), notes
        return _tolerate_typos(query, typed, self.fields, known), notes


def _tolerate_typos(query: Any, typed: str, fields: list[str], known: Callable[[str], bool]) -> Any:
    """A correctable word that no partner uses also matches the words one edit away
    (query_text.one_edit) that partners do use.

    The edits are made to the word as typed and then stemmed, as the index stems: "Mendeq"
    is one edit from "Mendes", held as "mend", though "mendeq" is two from "mend".
    """
    near: dict[str, list[str]] = {}

    def fix(node: Any) -> Any:
        if not isinstance(node, Q.Term) or node.fieldname not in fields:
            return node.apply(fix)
        if known(node.text):
            return node
        word = _as_typed(node, typed)
        if not correctable(word):
            return node
        if word not in near:
            near[word] = sorted(
                {form for edit in one_edit(word) if (form := indexed_form(edit)) and known(form)}
            )
        terms = [Q.Term(node.fieldname, form) for form in near[word]]
        return Q.Or(terms, boost=node.boost) if terms else node

    return fix(query)


def _as_typed(term: Any, typed: str) -> str:
    """The word the user typed for a term, lower-cased; the term's text if not one word."""
    start, end = getattr(term, "startchar", None), getattr(term, "endchar", None)
    if start is not None and end is not None:
        word = typed[start:end].lower()
        if WORD.fullmatch(word):
            return word
    return str(term.text)
