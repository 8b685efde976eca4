"""Stored tallies kept up incrementally equal a rebuild in SQL, after any history.

The incremental path (Python `Tally` arithmetic plus per-segment coverage queries, one
transaction per submit or void) and `figures_rebuild.rebuild` (SQL GROUP BY) are two
independent implementations; random sequences of invitations, submits, replayed tokens
and voids must leave them with exactly the same rows, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, select, update

from api.errors import DomainError
from api.metrics import K_ANONYMITY, Answer, Tally
from api.models import (
    Partner,
    SurveyResponse,
    partner_tallies,
    published_market,
    published_tallies,
)
from api.services import figures_rebuild
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement
from api.services.figures_consistency import (
    Snapshot,
    figures_consistency,
    tally_snapshot,
    tally_snapshots,
)
from api.services.surveys import SurveyAnswers, create_invitation, submit_response, void_response
from api.vocabulary import OUTCOME_FIELDS, RATING_COLUMNS, SELECTION_REASONS
from tests import factories
from tests.databases import Database

ADMIN = Caller(role="admin")
PARTNERS = ("alder", "birch", "cedar")
INDUSTRIES = ("healthcare", "retail", "energy")
PRODUCTS = ("acme-crm", "globex-erp")
QUARTER_STARTS = [
    datetime(year, month, 1, tzinfo=UTC) for year in (2024, 2025) for month in (1, 4, 7, 10)
]
MICROSECOND = timedelta(microseconds=1)


# --- strategies -----------------------------------------------------------------------------

engagement_specs = st.lists(
    st.tuples(
        st.sampled_from(range(len(PARTNERS))),
        st.sampled_from(INDUSTRIES),
        st.lists(st.sampled_from(PRODUCTS), unique=True, max_size=2),
        st.none() | st.sampled_from(SELECTION_REASONS),
    ),
    min_size=2,
    max_size=6,
)

# Quarter boundaries (first and last microsecond of a quarter) and anything in between.
moments = st.one_of(
    st.sampled_from(QUARTER_STARTS),
    st.sampled_from(QUARTER_STARTS).map(lambda start: start - MICROSECOND),
    st.datetimes(
        min_value=datetime(2024, 1, 1),
        max_value=datetime(2025, 12, 31, 23, 59, 59, 999_999),
        timezones=st.just(UTC),
    ),
)

optional_rating = st.none() | st.integers(1, 5)
optional_outcome = st.none() | st.booleans()

survey_answers = st.builds(
    SurveyAnswers,
    likelihood_to_recommend=st.integers(0, 10),
    vendor_likelihood_to_recommend=st.none() | st.integers(0, 10),
    questions=st.fixed_dictionaries(
        dict.fromkeys(RATING_COLUMNS, optional_rating)
        | dict.fromkeys(OUTCOME_FIELDS, optional_outcome)
    ),
    selection_reason=st.none() | st.sampled_from(SELECTION_REASONS),
)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("submit"), st.integers(0, 5), moments, survey_answers),
        st.tuples(st.just("submit"), st.integers(0, 5), moments, survey_answers),
        st.tuples(st.just("invite"), st.integers(0, 5), moments),
        st.tuples(st.just("void"), st.integers(0, 1_000)),
        st.tuples(st.just("replay"), st.integers(0, 1_000), survey_answers),
    ),
    max_size=25,
)


# --- a small model of what must be counted ----------------------------------------------------


@dataclass(frozen=True)
class Live:
    """A response that counts, as the model sees it."""

    partner_id: int
    engagement_id: int
    reason: str | None  # the respondent's, else the engagement's
    submitted_at: datetime
    answer: Answer


@dataclass
class History:
    # (engagement id, partner index, customer domain, selection reason)
    engagements: list[tuple[int, int, str, str | None]] = field(default_factory=list)
    partner_ids: list[int] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # tokens already answered
    live: dict[int, Live] = field(default_factory=dict)  # by response id
    invitations: dict[int, int] = field(default_factory=dict)  # partner id -> count
    emails: int = 0


def _set_up(db: Database, specs: list[tuple[int, str, list[str], str | None]]) -> History:
    history = History()
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        partner_ids = [factories.partner(session, world, slug).id for slug in PARTNERS]
        history.partner_ids = partner_ids
        for number, (partner, industry, products, reason) in enumerate(specs):
            draft = EngagementDraft(
                partner_slug=PARTNERS[partner],
                customer_name=f"Customer {number}",
                customer_domain=f"customer{number}.example",
                industry=industry,
                status="completed",
                products=tuple(products),
                selection_reason=reason,
            )
            engagement = record_engagement(session=session, caller=ADMIN, draft=draft)
            history.engagements.append((engagement.id, partner, draft.customer_domain, reason))
    return history


def _invite(db: Database, history: History, engagement: int, moment: datetime) -> str:
    engagement_id, partner, domain, _ = history.engagements[engagement % len(history.engagements)]
    history.emails += 1
    with db.session() as session, session.begin():
        _, token = create_invitation(
            session=session,
            caller=ADMIN,
            engagement_id=engagement_id,
            email=f"person{history.emails}@{domain}",
            now=moment - timedelta(days=1),
        )
    partner_id = history.partner_ids[partner]
    history.invitations[partner_id] = history.invitations.get(partner_id, 0) + 1
    return token


def _submit(
    db: Database, history: History, engagement: int, moment: datetime, answers: SurveyAnswers
) -> None:
    token = _invite(db, history, engagement, moment)
    engagement_id, partner, _, reason = history.engagements[engagement % len(history.engagements)]
    with db.session() as session, session.begin():
        response = submit_response(session=session, token=token, answers=answers, now=moment)
        response_id = response.id
    history.tokens.append(token)
    history.live[response_id] = Live(
        partner_id=history.partner_ids[partner],
        engagement_id=engagement_id,
        reason=answers.selection_reason or reason,
        submitted_at=moment,
        answer=answers.answer(),
    )


def _void(db: Database, history: History, pick: int) -> None:
    if not history.live:
        return
    response_id = sorted(history.live)[pick % len(history.live)]
    with db.session() as session, session.begin():
        void_response(
            session=session, actor="test", response_id=response_id, reason="fraudulent answer"
        )
    del history.live[response_id]


def _replay(db: Database, history: History, pick: int, answers: SurveyAnswers) -> None:
    if not history.tokens:
        return
    token = history.tokens[pick % len(history.tokens)]
    with db.session() as session:
        session.begin()
        with pytest.raises(DomainError) as refused:
            submit_response(session=session, token=token, answers=answers)
        session.rollback()
    assert [p.code for p in refused.value.problems] == ["TOKEN_USED"]


# --- snapshots --------------------------------------------------------------------------------


def _snapshot(db: Database, table: Table) -> Snapshot:
    with db.session() as session:
        return tally_snapshot(session, table)


def _snapshots(db: Database) -> tuple[Snapshot, Snapshot]:
    with db.session() as session:
        return tally_snapshots(session)


def _published(db: Database) -> tuple[Snapshot, Snapshot]:
    """The public copies: what was published, and the market summed from it."""
    return _snapshot(db, published_tallies), _snapshot(db, published_market)


def _ranking_keys(db: Database) -> dict[int, float]:
    with db.session() as session:
        return dict(session.execute(select(Partner.id, Partner.ranking_key)).all())


def _rebuild(db: Database) -> None:
    with db.session() as session, session.begin():
        figures_rebuild.rebuild(session=session)


def _check_against_model(history: History, partners: Snapshot, market: Snapshot) -> None:
    """The 'all' and 'reason' rows also hold what a plain-Python model of the history says."""
    for partner_id in history.partner_ids:
        live = [item for item in history.live.values() if item.partner_id == partner_id]
        row = partners.get((partner_id, "all", ""))
        expected = Tally.of(item.answer for item in live)
        invitations = history.invitations.get(partner_id, 0)
        if row is None:
            assert expected.n == 0
            assert invitations == 0
            continue
        assert Tally.from_row(row) == expected
        assert row["invitations"] == invitations
        assert row["engagements_covered"] == len({item.engagement_id for item in live})
        latest = max((item.submitted_at for item in live), default=None)
        assert row["latest_response_at"] == latest
    overall = Tally.of(item.answer for item in history.live.values())
    assert (Tally.from_row(market[("all", "")]) if ("all", "") in market else Tally()) == overall
    for reason in SELECTION_REASONS:
        answers = [item.answer for item in history.live.values() if item.reason == reason]
        stored = market.get(("reason", reason))
        assert (Tally.from_row(stored) if stored else Tally()) == Tally.of(answers)


def _run(db: Database, history: History, steps: list[tuple[Any, ...]]) -> None:
    for step in steps:
        kind = step[0]
        if kind == "submit":
            _submit(db, history, step[1], step[2], step[3])
        elif kind == "invite":
            _invite(db, history, step[1], step[2])
        elif kind == "void":
            _void(db, history, step[1])
        else:
            _replay(db, history, step[1], step[2])


A_HISTORY = {
    "specs": [
        (0, "healthcare", ["acme-crm"], "peer_referral"),
        (1, "retail", ["acme-crm", "globex-erp"], None),
        (0, "energy", [], "vendor_recommended"),
    ],
    "steps": [
        ("submit", 0, QUARTER_STARTS[0], SurveyAnswers(likelihood_to_recommend=10)),
        ("submit", 1, QUARTER_STARTS[1] - MICROSECOND, SurveyAnswers(likelihood_to_recommend=3)),
        ("invite", 1, QUARTER_STARTS[2]),
        ("void", 0),
        (
            "submit",
            2,
            datetime(2024, 5, 17, 12, 30, 15, 123_456, tzinfo=UTC),
            SurveyAnswers(
                likelihood_to_recommend=9,
                vendor_likelihood_to_recommend=2,
                questions={"rating_overall": 4, "went_live": True, "on_time": False},
                selection_reason="lowest_price",
            ),
        ),
        ("submit", 0, QUARTER_STARTS[7] - MICROSECOND, SurveyAnswers(likelihood_to_recommend=6)),
        ("replay", 0, SurveyAnswers(likelihood_to_recommend=0)),
    ],
}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@example(**A_HISTORY)
@given(specs=engagement_specs, steps=operations)
def test_incremental_tallies_equal_a_rebuild(
    db: Database, specs: list[tuple[int, str, list[str], str | None]], steps: list[tuple[Any, ...]]
) -> None:
    # given: an empty database (the fixture does not wipe between examples) and a history
    db.wipe()
    history = _set_up(db, specs)
    _run(db, history, steps)

    # when: the tallies kept up one step at a time are compared with a rebuild
    incremental_partners, incremental_market = _snapshots(db)
    incremental_published = _published(db)
    incremental_keys = _ranking_keys(db)
    _rebuild(db)
    rebuilt_partners, rebuilt_market = _snapshots(db)

    # then: every row, with coverage, invitations and latest response, is the same; and so
    # is every published copy, recounted from the responses up to where it was published
    assert incremental_partners == rebuilt_partners
    assert incremental_market == rebuilt_market
    assert incremental_published == _published(db)
    assert incremental_keys == _ranking_keys(db)  # so a rebuild reorders no list
    _check_publication_steps(db)
    _check_against_model(history, rebuilt_partners, rebuilt_market)
    with db.session() as session:
        live = session.scalars(select(SurveyResponse.id).where(SurveyResponse.voided.is_(False)))
        assert set(live) == set(history.live)


def _check_publication_steps(db: Database) -> None:
    """Each copy was taken at K_ANONYMITY-answer steps: it never runs ahead of the live row,
    and the live row never holds K_ANONYMITY or more answers the copy lacks."""
    live, published = _snapshot(db, partner_tallies), _snapshot(db, published_tallies)
    for key, row in published.items():
        assert row["n"] <= live.get(key, {"n": 0})["n"]
    for key, row in live.items():
        assert row["n"] - published.get(key, {"n": 0})["n"] < K_ANONYMITY, key


def _quarter_rows(db: Database) -> dict[str, tuple[int, int]]:
    """{quarter: (n, engagements covered)} of the stored quarter rows with responses."""
    with db.session() as session:
        rows = session.execute(
            select(
                partner_tallies.c.segment,
                partner_tallies.c.n,
                partner_tallies.c.engagements_covered,
            ).where(partner_tallies.c.kind == "quarter", partner_tallies.c.n > 0)
        ).all()
    return {segment: (n, covered) for segment, n, covered in rows}


def test_a_rebuild_names_quarters_as_the_incremental_path_does(db: Database) -> None:
    """SQLite once got '2024-Q1.0' and '2024-Q1.66666666666667' (true division)."""
    # given: responses on the first and last microsecond of 2024-Q1 and one in 2024-Q2
    history = _set_up(db, [(0, "healthcare", [], None)])
    for moment in (
        QUARTER_STARTS[0],
        QUARTER_STARTS[1] - MICROSECOND,
        datetime(2024, 6, 15, tzinfo=UTC),
    ):
        _submit(db, history, 0, moment, SurveyAnswers(likelihood_to_recommend=8))
    incremental = _quarter_rows(db)

    # when
    _rebuild(db)

    # then
    assert incremental == {"2024-Q1": (2, 1), "2024-Q2": (1, 1)}
    assert _quarter_rows(db) == incremental


def test_a_response_dated_in_another_time_zone_counts_in_its_utc_quarter(db: Database) -> None:
    # given: 2024-04-01 01:00 at UTC+2 is 2024-03-31 23:00 UTC, still in 2024-Q1
    history = _set_up(db, [(0, "healthcare", [], None)])
    moment = datetime(2024, 4, 1, 1, 0, tzinfo=timezone(timedelta(hours=2)))

    # when
    _submit(db, history, 0, moment, SurveyAnswers(likelihood_to_recommend=8))

    # then
    assert _quarter_rows(db) == {"2024-Q1": (1, 1)}


def test_figures_consistency_names_the_tally_row_a_rebuild_would_change(db: Database) -> None:
    # given: two answers counted, then one partner's 'all' row miscounted by hand
    history = _set_up(db, [(0, "healthcare", [], None)])
    for score in (9, 3):
        _submit(db, history, 0, QUARTER_STARTS[0], SurveyAnswers(likelihood_to_recommend=score))
    with db.session() as session:
        assert figures_consistency(session=session) == []
    alder = history.partner_ids[0]
    all_row = (partner_tallies.c.partner_id == alder) & (partner_tallies.c.kind == "all")
    with db.session() as session, session.begin():
        session.execute(update(partner_tallies).where(all_row).values(n=5))

    # when
    with db.session() as session:
        problems = figures_consistency(session=session)

    # then: that row, stored against rebuilt, and the market summed from it (no row of its
    # own, api.models.figures.live_market); the stored row is left as it was
    assert len(problems) == 2
    assert problems[1].startswith("market ('all', '')")
    assert "'n': 5" in problems[1].split(", rebuilt ")[0]
    assert "'n': 2" in problems[1].split(", rebuilt ")[1]
    assert problems[0].startswith(f"partner_tallies ({alder}, 'all', ")
    assert "'n': 5" in problems[0].split(", rebuilt ")[0]
    assert "'n': 2" in problems[0].split(", rebuilt ")[1]
    with db.session() as session:
        assert session.scalar(select(partner_tallies.c.n).where(all_row)) == 5
