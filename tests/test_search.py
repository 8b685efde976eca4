"""The search query: words, typos, phrases, facets and filters, kept in step with the data.

Each test builds a fresh index for its own data (the index is derived: `index.build`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from api.models import Office, Partner, change_log
from api.schema.pagination import encode_cursor
from api.settings import Settings
from search_index import SearchIndex, index_for, store
from search_index.engine import SearchRequest
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient, running_server
from tests.survey_flow import RECORD, engagement_input, responses

SEARCH = """
query($q: String!, $filter: PartnerFilter, $first: Int, $after: String, $order: SearchOrder) {
  search(query: $q, filter: $filter, first: $first, after: $after, orderBy: $order) {
    totalCount notes
    edges { cursor snippet node { slug metrics { rankingScore evidenceTier } } }
    pageInfo { hasNextPage endCursor }
    facets { field values { value count } }
  }
}
"""
UPDATE = """
mutation($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version } errors { field code }
  }
}
"""
CREATE = """
mutation($input: NewPartnerInput!) {
  createPartner(input: $input) { partner { slug } errors { field code } }
}
"""


@dataclass
class Searching:
    api: GraphQLClient
    index: SearchIndex
    db: Database
    keys: dict[str, str]
    data_dir: Path

    def search(self, q: str, **variables: Any) -> dict[str, Any]:
        found: dict[str, Any] = self.api.data(SEARCH, {"q": q, **variables})["search"]
        return found

    def slugs(self, q: str, **variables: Any) -> list[str]:
        return [edge["node"]["slug"] for edge in self.search(q, **variables)["edges"]]

    def rebuild(self) -> None:
        with self.db.session() as session:
            self.index.build(session)


def _world(db: Database) -> dict[str, str]:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        berlin = ("Berlin", "DE", 52.52, 13.40)
        chicago = ("Chicago", "US", 41.88, -87.63)
        first = factories.partner(
            session,
            world,
            "harbor-digital",
            name="Harbor Digital",
            industries=("healthcare",),
            products=("acme-crm",),
            offices=(berlin,),
        )
        first.description = "We lead **data migration** projects for hospitals & clinics."
        first.capabilities = ["data_migration", "training"]
        second = factories.partner(
            session,
            world,
            "quill-systems",
            name="Quill Systems",
            industries=("retail", "healthcare"),
            products=("globex-erp",),
            offices=(chicago,),
        )
        second.description = "Migration of data warehouses; <script>alert(1)</script> retail."
        second.partner_types = ["reseller"]
        third = factories.partner(
            session,
            world,
            "marlow-and-sons",
            name="Marlow and Sons",
            industries=("energy",),
            offices=(chicago, berlin),
        )
        third.description = "Founded by Ana Mendes; consulting for grid operators."
        return {
            "harbor": factories.key(session, "partner", partner="harbor-digital"),
            "admin": factories.key(session, "admin"),
            "acme": factories.key(session, "vendor", vendor="acme"),
        }


@pytest.fixture
def searching(db: Database, tmp_path: Path, search_engine: str) -> Iterator[Searching]:
    keys = _world(db)
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=db.url,
        environment="test",
        search_engine=search_engine,
    )
    index = index_for(settings.index_dir, search_engine)
    with db.session() as session:
        index.build(session)
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        yield Searching(GraphQLClient(url, http), index, db, keys, settings.data_dir)


def test_words_find_partners_in_every_field(searching: Searching) -> None:
    # name, summary, description, capability, industry, product, vendor, city, country
    assert searching.slugs("Harbor") == ["harbor-digital"]
    assert searching.slugs("hospitals") == ["harbor-digital"]
    assert searching.slugs("training") == ["harbor-digital"]
    assert searching.slugs("energy") == ["marlow-and-sons"]
    assert searching.slugs("Globex") == ["quill-systems"]
    assert set(searching.slugs("Chicago")) == {"quill-systems", "marlow-and-sons"}
    assert set(searching.slugs("Germany")) == {"harbor-digital", "marlow-and-sons"}
    # every word must match (AND), in any field
    assert searching.slugs("retail Chicago") == ["quill-systems"]
    assert searching.slugs("retail Berlin") == []


def test_a_typo_is_forgiven_in_words_of_five_letters_or_more(searching: Searching) -> None:
    assert searching.slugs("hospitls") == ["harbor-digital"]  # a letter dropped
    assert searching.slugs("hsopitals") == ["harbor-digital"]  # two swapped
    assert searching.slugs("Globx") == ["quill-systems"]  # five letters: forgiven
    assert searching.slugs("Acmr") == []  # four letters: a typo there is a different word


def test_a_typo_in_the_last_letter_is_forgiven_too(searching: Searching) -> None:
    # Found on an outside data set: the index holds stems ("mendes" as "mend", "consulting"
    # as "consult"), so the word one edit away has to be stemmed before it is looked up.
    assert searching.slugs("Mendes") == ["marlow-and-sons"]
    assert searching.slugs("Mendeq") == ["marlow-and-sons"]
    assert searching.slugs("consultinf") == ["marlow-and-sons"]
    assert searching.slugs("hospitalz") == ["harbor-digital"]
    assert searching.slugs("Mendeq consultinf Chicago") == ["marlow-and-sons"]
    # The length that counts is the typed word's: "opertors" (for "operators") has eight
    # letters, "grods" (for "grid") five, and its stem "grod" four.
    assert searching.slugs("opertors") == ["marlow-and-sons"]
    assert searching.slugs("grods") == ["marlow-and-sons"]


def test_operators_are_words_and_every_word_must_match(searching: Searching) -> None:
    # As the README says: OR, NOT, AND and parentheses are no query language. "or", "not"
    # and "and" are words too common to be indexed (like "the"), so they match everything.
    assert searching.slugs("retail OR Chicago") == ["quill-systems"]
    assert searching.slugs("healthcare NOT retail") == ["quill-systems"]
    assert searching.slugs("healthcare AND NOT retail") == ["quill-systems"]
    assert searching.slugs("(retail OR Chicago)") == ["quill-systems"]
    assert searching.slugs("energy OR retail") == []
    assert searching.slugs("Chicago ANDNOT retail") == []  # a word no partner uses


def test_quoted_phrases_match_as_written(searching: Searching) -> None:
    assert set(searching.slugs("data migration")) == {"harbor-digital", "quill-systems"}
    assert searching.slugs('"data migration"') == ["harbor-digital"]
    assert searching.slugs('"migration of data"') == ["quill-systems"]


def test_facets_count_the_whole_result_and_filters_narrow_by_them(searching: Searching) -> None:
    result = searching.search("", first=1)
    facets = {f["field"]: {v["value"]: v["count"] for v in f["values"]} for f in result["facets"]}
    assert result["totalCount"] == 3
    assert len(result["edges"]) == 1
    assert result["pageInfo"]["hasNextPage"] is True
    assert facets["industries"] == {"healthcare": 2, "retail": 1, "energy": 1}
    assert facets["countries"] == {"US": 2, "DE": 2}
    assert facets["partnerTypes"] == {"implementation": 2, "reseller": 1}
    assert facets["evidenceTiers"] == {"NOT_ENOUGH_EVIDENCE": 3}  # as the filter takes them
    assert facets["products"] == {"acme-crm": 1, "globex-erp": 1}

    narrowed = searching.search("", filter={"industries": ["healthcare"], "countries": ["US"]})
    assert [e["node"]["slug"] for e in narrowed["edges"]] == ["quill-systems"]
    assert narrowed["totalCount"] == 1
    by_type = searching.slugs("", filter={"partnerTypes": ["reseller"]})
    assert by_type == ["quill-systems"]


def test_pages_follow_cursors_without_repeats(searching: Searching) -> None:
    first = searching.search("", first=2, order="RANKING_SCORE")
    rest = searching.search(
        "", first=2, after=first["pageInfo"]["endCursor"], order="RANKING_SCORE"
    )
    slugs = [e["node"]["slug"] for e in first["edges"] + rest["edges"]]
    # Equal ranking scores (no evidence: the market's) are ordered by slug.
    assert slugs == ["harbor-digital", "marlow-and-sons", "quill-systems"]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_snippets_mark_the_words_and_escape_the_partners_text(searching: Searching) -> None:
    [edge] = searching.search("warehouses")["edges"]
    assert "<mark" in edge["snippet"]
    assert "warehouses</mark>" in edge["snippet"]
    [edge] = searching.search("retail warehouses")["edges"]
    assert "<script>" not in edge["snippet"]
    assert "&lt;script" in edge["snippet"]


def test_a_profile_change_through_graphql_is_found_by_the_next_search(
    searching: Searching,
) -> None:
    assert searching.slugs("telemedicine") == []
    changed = searching.api.data(
        UPDATE,
        {"slug": "harbor-digital", "version": 1, "input": {"summary": "Telemedicine rollouts"}},
        key=searching.keys["harbor"],
    )["updatePartnerProfile"]
    assert changed["errors"] == []
    assert searching.slugs("telemedicine") == ["harbor-digital"]
    assert searching.slugs("harbor") == ["harbor-digital"]  # updated, not duplicated


def test_a_new_partner_is_found_without_a_rebuild(searching: Searching) -> None:
    created = searching.api.data(
        CREATE,
        {"input": {"slug": "zephyr-labs", "name": "Zephyr Labs"}},
        key=searching.keys["admin"],
    )["createPartner"]
    assert created["errors"] == []
    assert searching.slugs("zephyr") == ["zephyr-labs"]
    assert searching.search("")["totalCount"] == 4


def test_published_figures_reach_the_index(searching: Searching) -> None:
    # Five answers publish the partner's figures: 4 promoters, 1 passive -> NPS 80, n 5.
    responses(
        searching.api,
        searching.keys["acme"],
        "harbor-digital",
        [10, 9, 9, 10, 8],
        partner_key=searching.keys["harbor"],
    )
    result = searching.search("", filter={"evidenceTiers": ["EMERGING"]})
    assert [e["node"]["slug"] for e in result["edges"]] == ["harbor-digital"]
    ranked = searching.slugs("", order="RANKING_SCORE")
    assert ranked[0] == "harbor-digital"  # above the market (its own 80 is the market too)
    [edge] = searching.search("harbor")["edges"]
    # The ranking score in the index is the one the API shows: (5 x 80 + 10 x 80) / 15.
    assert edge["node"]["metrics"]["rankingScore"] == pytest.approx(80.0)


def test_writes_to_the_change_log_in_the_same_transaction(searching: Searching) -> None:
    def rows() -> list[tuple[int | None, str]]:
        with searching.db.session() as session:
            found = session.execute(
                select(change_log.c.partner_id, change_log.c.reason).order_by(change_log.c.id)
            ).all()
            return [(row.partner_id, row.reason) for row in found]

    before = rows()
    refused = searching.api.data(
        UPDATE,
        {"slug": "harbor-digital", "version": 99, "input": {"summary": "x"}},
        key=searching.keys["harbor"],
    )["updatePartnerProfile"]
    assert refused["errors"][0]["code"] == "VERSION_CONFLICT"
    assert rows() == before  # a refused change writes nothing
    searching.api.data(
        UPDATE,
        {"slug": "harbor-digital", "version": 1, "input": {"summary": "y"}},
        key=searching.keys["harbor"],
    )
    with searching.db.session() as session:
        harbor = session.scalar(select(Partner.id).where(Partner.slug == "harbor-digital"))
    assert rows() == [*before, (harbor, "profile")]
    # The partner's confirmation of the engagement is one row (matching reads it); each
    # invitation changes the public invitation count: one row each. Four answers publish
    # nothing (below k) and write no row; the fifth publishes: one row more.
    responses(
        searching.api,
        searching.keys["acme"],
        "harbor-digital",
        [9, 9, 9, 9],
        partner_key=searching.keys["harbor"],
    )
    invited = [(harbor, "engagement"), *[(harbor, "figures")] * 4]
    assert rows() == [*before, (harbor, "profile"), *invited]
    responses(
        searching.api,
        searching.keys["acme"],
        "harbor-digital",
        [9],
        partner_key=searching.keys["harbor"],
    )
    again = [(harbor, "engagement"), (harbor, "figures"), (harbor, "figures")]
    assert rows() == [*before, (harbor, "profile"), *invited, *again]


@pytest.mark.parametrize(
    "text",
    [
        "NOT",
        "AND OR",
        "((((",
        ')"',
        '"unbalanced',
        "name:harbor",
        "harb*",
        "a~2",
        "[a TO z]",
        "^3",
        "-",
        "*:*",
        "\\",
        "&&||!",
        "🙂 hospitals",
        "\uff28\uff21\uff32\uff22\uff2f\uff32",  # HARBOR in full-width letters
    ],
)
def test_query_text_is_never_an_error(searching: Searching, text: str) -> None:
    result = searching.search(text)
    assert result["totalCount"] >= 0


def test_operators_that_cannot_be_read_fall_back_to_words(searching: Searching) -> None:
    assert searching.slugs("name:harbor") == ["harbor-digital"]
    assert searching.slugs("hospitals AND") == ["harbor-digital"]


def test_a_long_query_is_cut_with_a_note(searching: Searching) -> None:
    result = searching.search("hospitals " + "word " * 300)
    assert any("cut" in note for note in result["notes"])
    too_long = searching.api.execute(SEARCH, {"q": "x" * 10_001})
    assert too_long["errors"][0]["extensions"]["code"] == "VALIDATION"


def test_bad_filters_and_pages_name_the_field(searching: Searching) -> None:
    body = searching.api.execute(SEARCH, {"q": "", "filter": {"industries": ["nope"]}})
    assert body["errors"][0]["extensions"]["code"] == "VALIDATION"
    assert "nope" in body["errors"][0]["message"]
    body = searching.api.execute(SEARCH, {"q": "", "first": 101})
    assert body["errors"][0]["extensions"]["code"] in {"VALIDATION", "BAD_USER_INPUT"}


# Every field that takes `first`, with `after` where it pages on, and how to read its rows.
PAGED_FIELDS = {
    "search": (
        'query($first: Int, $after: String) { f: search(query: "", first: $first, '
        "after: $after) { totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }",
        lambda data: data["f"]["edges"],
    ),
    "partners": (
        "query($first: Int, $after: String) { f: partners(first: $first, after: $after) "
        "{ totalCount edges { cursor } pageInfo { hasNextPage endCursor } } }",
        lambda data: data["f"]["edges"],
    ),
    "reviews": (
        'query($first: Int!) { f: partner(slug: "harbor-digital") { reviews(first: $first) '
        "{ id } } }",
        lambda data: data["f"]["reviews"],
    ),
    "bestFitPartners": (
        "query($first: Int) { f: bestFitPartners(need: {}, first: $first) { score } }",
        lambda data: data["f"],
    ),
    "disputedEngagements": (
        "query($first: Int) { f: disputedEngagements(first: $first) { partnerSlug } }",
        lambda data: data["f"],
    ),
}


@pytest.mark.parametrize("field", PAGED_FIELDS)
def test_first_zero_is_an_empty_page_on_every_paged_field(searching: Searching, field: str) -> None:
    document, rows = PAGED_FIELDS[field]
    data = searching.api.data(document, {"first": 0}, key=searching.keys["admin"])
    assert rows(data) == []


def test_an_empty_search_page_still_counts_the_matches(searching: Searching) -> None:
    empty = searching.search("", first=0)
    assert empty["totalCount"] == 3
    assert empty["notes"] == []  # no words is every partner, and nothing to explain
    assert searching.search("the")["notes"] == [
        "the query has no searchable words: every partner is shown"
    ]
    assert empty["edges"] == []
    assert empty["pageInfo"] == {"hasNextPage": True, "endCursor": None}
    assert sum(v["count"] for v in empty["facets"][0]["values"]) >= 3
    second = searching.search("", first=1)["pageInfo"]["endCursor"]
    assert searching.search("", first=0, after=second)["pageInfo"]["hasNextPage"] is True


NULL_FILTER = {
    "industries": None,
    "products": None,
    "countries": None,
    "evidenceTiers": None,
    "partnerTypes": None,
}
NULL_NEED = {"products": None, "capabilities": None, "languages": None, "partnerTypes": None}


def test_null_for_every_other_list_input_means_no_list(searching: Searching) -> None:
    document = """
    query($filter: PartnerFilter, $need: ProjectNeed!) {
      partners(filter: $filter) { totalCount }
      search(query: "", filter: $filter) { totalCount }
      bestFitPartners(need: $need) { score }
    }
    """
    variables = {"filter": NULL_FILTER, "need": NULL_NEED}
    data = searching.api.data(document, variables, key=searching.keys["acme"])
    assert data["partners"]["totalCount"] == data["search"]["totalCount"] == 3
    assert len(data["bestFitPartners"]) == 3
    recorded = searching.api.data(
        RECORD,
        {"input": engagement_input("harbor-digital", products=None)},
        key=searching.keys["acme"],
    )["recordEngagement"]
    assert recorded["errors"] == []


CURSORS = st.one_of(
    st.none(),
    st.integers(-2, 2**31 + 2).map(lambda n: encode_cursor(n) if n >= 0 else str(n)),
    # NUL and lone surrogates are refused for the whole request before any field reads
    # them (tests/test_text_limits.py): here only what reaches `after`.
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    field=st.sampled_from(sorted(PAGED_FIELDS)),
    first=st.one_of(st.none(), st.integers(-3, 130), st.integers(-(2**31), 2**31 - 1)),
    after=CURSORS,
)
@example(field="partners", first=None, after="\x00")  # found in CI: refused before GraphQL
def test_any_first_and_after_is_a_page_or_a_named_refusal(
    searching: Searching, field: str, first: int | None, after: str | None
) -> None:
    document, rows = PAGED_FIELDS[field]
    variables: dict[str, Any] = {"first": first}
    if "$after" in document:
        variables["after"] = after
    if field == "reviews" and first is None:
        variables["first"] = 10  # Int!: its default stands in for null
    response = searching.api.post(document, variables, key=searching.keys["admin"])
    body = response.json()
    sent = variables.get("after") or ""
    if "\x00" in sent or any(0xD800 <= ord(c) <= 0xDFFF for c in sent):
        # Refused before GraphQL runs (api/request_parts.py), naming the variable.
        assert response.status_code == 400, response.text
        [error] = body["errors"]
        assert error["extensions"] == {"code": "VALIDATION", "field": "variables.after"}
        return
    assert response.status_code == 200, response.text
    if "errors" not in body:
        assert len(rows(body["data"])) <= (20 if first is None else first)
        return
    [error] = body["errors"]
    assert error["extensions"]["code"] == "VALIDATION", error
    named = error["extensions"]["field"]
    assert named in {"first", "after"}, error
    assert named in error["message"]
    if named == "first":
        assert first is not None
        assert not 0 <= first <= (50 if field == "reviews" else 100)


def _wait_until_searchable(searching: Searching) -> list[str]:
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = searching.api.execute(SEARCH, {"q": "harbor"})
        if "errors" not in body:
            return [e["node"]["slug"] for e in body["data"]["search"]["edges"]]
        assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        time.sleep(0.2)
    raise AssertionError("the index was not rebuilt within 60 s")


def test_a_damaged_index_answers_unavailable_then_is_rebuilt(searching: Searching) -> None:
    folder = (searching.index.root / "current").resolve()
    searching.index._open = None  # as a fresh worker would: it opens the files again
    for part in folder.iterdir():  # the engine's files, whichever engine wrote them
        if part.is_file() and part.name != store.STATE_FILE:
            part.write_bytes(b"\x00garbage")
    body = searching.api.execute(SEARCH, {"q": "harbor"})
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "rebuilt" in body["errors"][0]["message"]
    assert _wait_until_searchable(searching) == ["harbor-digital"]


def test_a_missing_index_answers_unavailable_then_is_built(searching: Searching) -> None:
    import shutil

    shutil.rmtree(searching.index.root)
    searching.index._open = None
    assert _wait_until_searchable(searching) == ["harbor-digital"]


def test_the_change_log_backlog_counts_what_waits(searching: Searching) -> None:
    with searching.db.session() as session:
        assert searching.index.backlog(session) == 0
    with searching.db.session() as session, session.begin():
        partner = session.scalar(select(Partner).where(Partner.slug == "quill-systems"))
        assert partner is not None
        session.add(
            Office(partner_id=partner.id, city="Lyon", country="FR", latitude=45.7, longitude=4.8)
        )
        from api.services import changes

        changes.record(session, partner_id=partner.id, reason="profile")
    with searching.db.session() as session:
        assert searching.index.backlog(session) == 1
        assert session.scalar(select(func.count()).select_from(change_log)) >= 1
    assert searching.slugs("Lyon") == ["quill-systems"]
    with searching.db.session() as session:
        assert searching.index.backlog(session) == 0


@pytest.mark.parametrize(("offset", "limit"), [(0, 0), (-1, 10), (0, -5)])
def test_a_bad_page_is_refused_before_the_engine_can_take_it_for_damage(
    offset: int, limit: int
) -> None:
    # The service reads a ValueError from the engine as a damaged index and rebuilds it:
    # a caller's bad page must never get that far (search(first: 0) once did).
    with pytest.raises(ValueError, match="offset >= 0 and limit >= 1"):
        SearchRequest("words", offset=offset, limit=limit)
