"""One definition per rule (api.metrics), and every face of it compared against it on
answers worked out by hand: the ranking score (the figure, matching's customer success,
the SQL order of the partner list, the stored ranking keys), the NPS bands (Python, SQL,
the site's chart) and which segments the public sees (the figures, matching's reader).

The hand data, each partner's published 'all' answers to "how likely are you to
recommend this partner" (0-10):
- alder: 10 10 9 8 7 6 3, n 7, promoters 3, detractors 2;
- birch: 10 10 10 10 9 0, n 6, promoters 5, detractors 1;
- cedar: 10 10 10 10, n 4: under K_ANONYMITY, scored as the market;
- dogwood: no answers.
The market is their sum: n 17, promoters 12, detractors 3, NPS 100 x 9 / 17.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from api import metrics
from api.matching.index import PartnerFacts
from api.metrics import (
    TALLY_COLUMNS,
    Tally,
    detractors_of,
    nps_band,
    nps_value,
    promoters_of,
    ranking_formula,
    ranking_lift,
    ranking_score,
    segment_shown,
)
from api.models import (
    Partner,
    likelihood_counts,
    published_market,
    published_tallies,
    sql_pick,
)
from api.readers.figures import StoredTally
from api.readers.matching import Nps, RawFacts, partner_facts
from api.readers.partner_figures import segment_figures
from api.readers.partners import PartnerFilter, page_of_partners
from api.services import ranking_keys
from directory_site.charts import distribution
from tests.databases import Database

ANSWERS: dict[str, list[int]] = {
    "alder": [10, 10, 9, 8, 7, 6, 3],
    "birch": [10, 10, 10, 10, 9, 0],
    "cedar": [10, 10, 10, 10],
    "dogwood": [],
}
# (n, promoters, detractors), counted by hand from ANSWERS
PARTS = {"alder": (7, 3, 2), "birch": (6, 5, 1), "cedar": (4, 4, 0), "dogwood": (0, 0, 0)}
MARKET = Fraction(100 * (12 - 3), 17)
# (100 (P - D) + 10 m) / (n + 10); the market itself under 5 answers
SCORES = {
    "alder": (100 * (3 - 2) + 10 * MARKET) / (7 + 10),
    "birch": (100 * (5 - 1) + 10 * MARKET) / (6 + 10),
    "cedar": MARKET,
    "dogwood": MARKET,
}
# birch 58.1, then cedar and dogwood at the market 52.9 (by name), then alder 37.0
HAND_ORDER = ["birch", "cedar", "dogwood", "alder"]
# "promoter" 9-10, "passive" 7-8, "detractor" 0-6
BANDS = ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2


def counts_of(answers: list[int]) -> list[int]:
    return [answers.count(score) for score in range(11)]


def tally_row(answers: list[int]) -> dict[str, int]:
    counts = counts_of(answers)
    return {f"lp_{score}": count for score, count in enumerate(counts)} | {"n": len(answers)}


def test_the_definitions_give_the_hand_values() -> None:
    assert [nps_band(score) for score in range(11)] == BANDS
    for slug, answers in ANSWERS.items():
        n, promoters, detractors = PARTS[slug]
        assert (promoters_of(counts_of(answers)), detractors_of(counts_of(answers))) == (
            promoters,
            detractors,
        )
        score = ranking_formula(n, promoters, detractors, float(MARKET))
        assert score == pytest.approx(float(SCORES[slug]), rel=1e-13, abs=1e-13)
        lift = ranking_lift(n, promoters, detractors, float(MARKET), metrics.python_pick)
        assert lift == pytest.approx(float(SCORES[slug] - MARKET), abs=1e-12)
    assert nps_value(3, 2, 7) == pytest.approx(100 / 7)
    assert [segment_shown(flag, n) for flag, n in [(True, 5), (True, 4), (False, 9)]] == [
        True,
        False,
        False,
    ]


def test_the_figure_and_matching_are_the_definition() -> None:
    market = float(MARKET)
    for slug, answers in ANSWERS.items():
        n, promoters, detractors = PARTS[slug]
        expected = ranking_formula(n, promoters, detractors, market)
        tally = Tally.from_row(dict.fromkeys(TALLY_COLUMNS, 0) | tally_row(answers))
        assert ranking_score(tally, market) == expected
        assert metrics.summarize(tally, market).ranking_score == expected
        raw = RawFacts(
            partner_id=1,
            slug=slug,
            capabilities=frozenset(),
            languages=frozenset(),
            partner_types=frozenset(),
            min_budget=0,
            overall=Nps(n, promoters, detractors),
            # a shown industry segment of alder's answers (n 7), shrunk toward the overall
            industries={3: Nps(7, 3, 2)},
            shown_industries={3},
            products={4: Nps(6, 5, 1)},
        )
        facts = PartnerFacts(raw)
        assert facts.overall(market) == expected
        assert facts.industry_nps(3, market) == ranking_formula(7, 3, 2, expected)
        assert facts.industry_nps(2, market) == expected  # not shown: the overall
        assert facts.product_nps(4, market) == ranking_formula(6, 5, 1, expected)
        assert facts.product_nps(5, market) == expected


def test_the_site_chart_bands_the_answers_by_the_definition() -> None:
    chart = distribution(counts_of(list(range(11))), "Likelihood")
    fills = [part.split('fill="')[1].split('"')[0] for part in chart.split("<rect ")[1:]]
    assert ["hatch" in fill for fill in fills] == [band == "detractor" for band in BANDS]
    assert [fill == "none" for fill in fills] == [band == "passive" for band in BANDS]
    assert [fill == "currentColor" for fill in fills] == [band == "promoter" for band in BANDS]
    assert "detractors (0-6); outlined: passives (7-8); filled: promoters (9-10)" in chart


def _seed(session: Session) -> dict[str, int]:
    ids = {}
    market = dict.fromkeys(TALLY_COLUMNS, 0)
    for slug, answers in ANSWERS.items():
        partner = Partner(
            slug=slug,
            name=slug.title(),
            summary=slug,
            partner_types=["implementation"],
            languages=["en"],
            version=1,
        )
        session.add(partner)
        session.flush()
        ids[slug] = partner.id
        if answers:
            row = tally_row(answers)
            session.execute(
                insert(published_tallies).values(
                    partner_id=partner.id, kind="all", segment="", **row
                )
            )
            for name, value in row.items():
                market[name] += value
    session.execute(insert(published_market).values(kind="all", segment="", **market))
    session.flush()
    return ids


def test_the_sql_faces_are_the_definition(db: Database) -> None:
    market = float(MARKET)
    with db.session() as session, session.begin():
        ids = _seed(session)
        ranking_keys.rebase(session)  # the basis: the published market, 100 x 9 / 17

    with db.session() as session:
        # the partner list's SQL order
        page = page_of_partners(
            session=session, wanted=PartnerFilter(), offset=0, limit=10, market_nps=market
        )
        assert [partner.slug for partner in page.rows] == HAND_ORDER
        # the stored ranking keys: the lift at the basis
        keys = dict(session.execute(select(Partner.slug, Partner.ranking_key)).all())
        # the definition's SQL over the stored columns
        t = published_tallies.c
        counts = likelihood_counts(t)
        found = session.execute(
            select(
                t.partner_id,
                promoters_of(counts),
                detractors_of(counts),
                ranking_formula(t.n, promoters_of(counts), detractors_of(counts), market, sql_pick),
            )
        ).all()
        facts = partner_facts(session, None)
    by_id = {pid: (promoters, detractors, score) for pid, promoters, detractors, score in found}
    for slug, pid in ids.items():
        n, promoters, detractors = PARTS[slug]
        expected = ranking_formula(n, promoters, detractors, market)
        lift = ranking_lift(n, promoters, detractors, market, metrics.python_pick)
        assert keys[slug] == pytest.approx(lift, abs=1e-9)
        assert keys[slug] == pytest.approx(float(SCORES[slug] - MARKET), abs=1e-9)
        if n:
            assert by_id[pid] == (promoters, detractors, expected)
            # matching's reader: under K only the number of answers is read
            hidden = metrics.is_withheld(n)
            assert facts[pid].overall == Nps(
                n, 0 if hidden else promoters, 0 if hidden else detractors
            )


def test_the_shown_segments_are_the_definition_in_python_and_sql(db: Database) -> None:
    # (industry id, answers, shown at publication): only the first is shown to the public
    segments = [
        ("1", ANSWERS["alder"], True),
        ("2", ANSWERS["birch"], False),
        ("3", ANSWERS["cedar"], True),  # a flag without k answers does not show it
    ]
    with db.session() as session, session.begin():
        ids = _seed(session)
        for key, answers, shown in segments:
            session.execute(
                insert(published_tallies).values(
                    partner_id=ids["alder"],
                    kind="industry",
                    segment=key,
                    shown=shown,
                    **tally_row(answers),
                )
            )
    with db.session() as session:
        t = published_tallies.c
        in_sql: dict[str, Any] = dict(
            session.execute(
                select(t.segment, segment_shown(t.shown, t.n)).where(t.kind == "industry")
            ).all()
        )
        raw = partner_facts(session, [ids["alder"]])[ids["alder"]]
    in_python = {key: segment_shown(shown, len(answers)) for key, answers, shown in segments}
    assert in_python == {"1": True, "2": False, "3": False}
    assert {key: bool(value) for key, value in in_sql.items()} == in_python
    assert raw.shown_industries == {1}
    assert set(raw.industries) == {1}
    assert raw.industries[1] == Nps(*PARTS["alder"])
    stored = [
        (
            "industry",
            key,
            StoredTally(
                tally=Tally.from_row(dict.fromkeys(TALLY_COLUMNS, 0) | tally_row(answers)),
                shown=shown,
            ),
        )
        for key, answers, shown in segments
    ]
    figures = segment_figures(stored)["industry"]
    assert [(s.key, s.shown) for s in figures] == [("1", True), ("2", False), ("3", False)]
    assert [s.figures.nps.withheld for s in figures] == [False, True, True]


likelihoods = st.lists(st.integers(0, 6), min_size=11, max_size=11)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.tuples(likelihoods, st.booleans()), min_size=1, max_size=4),
    market=st.floats(-100, 100, allow_nan=False),
)
def test_python_and_sql_agree(
    db: Database, rows: list[tuple[list[int], bool]], market: float
) -> None:
    # given: published rows of any counts (the fixture does not wipe between examples)
    with db.session() as session, session.begin():
        session.execute(delete(published_tallies))
        if not session.scalar(select(func.count()).select_from(Partner)):
            session.add(
                Partner(
                    slug="p",
                    name="P",
                    summary="p",
                    partner_types=["implementation"],
                    languages=["en"],
                    version=1,
                )
            )
            session.flush()
        pid = session.scalar(select(Partner.id))
        for number, (counts, shown) in enumerate(rows):
            session.execute(
                insert(published_tallies).values(
                    partner_id=pid,
                    kind="industry",
                    segment=str(number),
                    shown=shown,
                    n=sum(counts),
                    **{f"lp_{score}": count for score, count in enumerate(counts)},
                )
            )

    # when: each rule is read in SQL over the stored columns
    t = published_tallies.c
    columns = likelihood_counts(t)
    promoters, detractors = promoters_of(columns), detractors_of(columns)
    with db.session() as session:
        found = session.execute(
            select(
                promoters,
                detractors,
                ranking_formula(t.n, promoters, detractors, market, sql_pick),
                ranking_lift(t.n, promoters, detractors, literal(market), sql_pick),
                sql_pick(t.n > 0, nps_value(promoters, detractors, t.n), None),
                segment_shown(t.shown, t.n),
            ).order_by(t.segment)
        ).all()

    # then: each value is the Python definition's, to the bit (IEEE doubles both sides)
    assert len(found) == len(rows)
    for (counts, shown), row in zip(rows, found, strict=True):
        n, p, d = sum(counts), promoters_of(counts), detractors_of(counts)
        expected: list[Any] = [
            p,
            d,
            ranking_formula(n, p, d, market),
            ranking_lift(n, p, d, market, metrics.python_pick),
            nps_value(p, d, n) if n else None,
            segment_shown(shown, n),
        ]
        assert list(row[:2]) == expected[:2]
        assert row[2] == expected[2]
        assert row[3] == expected[3]
        assert row[4] == expected[4]
        assert bool(row[5]) == expected[5]
