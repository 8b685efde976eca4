"""Query text from users is never an error: any string gets a page, or a note saying why not."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search_index.documents import PartnerDocument
from search_index.engine import Filters, OpenIndex, SearchRequest
from search_index.engines import engine_named
from search_index.query_text import MAX_QUERY_CHARS, MAX_QUERY_WORDS, prepare


def _doc(number: int, name: str, description: str) -> PartnerDocument:
    return PartnerDocument(
        partner_id=number,
        slug=f"partner-{number}",
        name=name,
        summary="",
        description=description,
        tags="",
        places="Berlin ; Germany",
        industries=("healthcare",),
        products=(),
        countries=("DE",),
        partner_types=("implementation",),
        capabilities=(),
        evidence_tier="emerging",
        nps_n=5,
        nps=40.0,
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory, search_engine: str) -> Iterator[OpenIndex]:
    folder = tmp_path_factory.mktemp("index")
    documents = [
        _doc(1, "Harbor Digital", "Data migration for hospitals"),
        _doc(2, "Quill Systems", "Migration of data warehouses"),
    ]
    engine = engine_named(search_engine)
    engine.create(folder, documents, lambda done: None)
    opened = engine.open(folder)
    yield opened
    opened.close()


def _search(index: OpenIndex, text: str) -> list[str]:
    prepared = prepare(text)
    page = index.search(SearchRequest(prepared.text, Filters(), 0, 20, "relevance", 0.0))
    assert page.total == len(page.hits)
    return [hit.slug for hit in page.hits]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_gets_an_answer(index: OpenIndex, text: str) -> None:
    _search(index, text)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "ANDNOT",
                "*",
                "?",
                "~",
                "^",
                ":",
                "[",
                "]",
                "{",
                "}",
                "\\",
                "-",
                "+",
                "TO",
                "hospitals",
                "data",
                "name:",
                "'",
            ]
        ),
        max_size=30,
    )
)
def test_operator_soup_gets_an_answer(index: OpenIndex, parts: list[str]) -> None:
    _search(index, " ".join(parts))


@given(st.text(min_size=1, max_size=2000))
def test_prepared_text_is_bounded(text: str) -> None:
    prepared = prepare(text)
    assert len(prepared.text) <= MAX_QUERY_CHARS
    assert len(prepared.text.split()) <= MAX_QUERY_WORDS * 2  # words may hold punctuation
    assert '"' not in prepared.text or prepared.text.count('"') % 2 == 0
    visible = " ".join(re.sub(r"[\x00-\x1f\x7f\ud800-\udfff]", " ", text).split())
    if len(visible) > MAX_QUERY_CHARS * 2:  # (normalising never halves a text)
        assert prepared.notes


def test_words_still_find_their_partner_whatever_surrounds_them(index: OpenIndex) -> None:
    assert _search(index, "hospitals )))") == ["partner-1"]
    assert _search(index, '"data migration" AND (hospitals') == ["partner-1"]
    assert _search(index, "warehouses^2 name:") == ["partner-2"]
