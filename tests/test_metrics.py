"""Known answers (computed by hand, formula written out) and properties of api.metrics."""

from __future__ import annotations

import math
from collections import Counter
from functools import reduce
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.metrics import (
    TALLY_COLUMNS,
    Answer,
    Figure,
    Tally,
    evidence_tier,
    group_tallies,
    market_nps,
    market_tally,
    merge,
    nps_interval,
    outcome_share,
    partner_nps,
    ranking_score,
    rating_mean,
    response_rate,
    shrunk_nps,
    summarize,
    vendor_nps,
)
from api.vocabulary import OUTCOME_FIELDS, RATING_FIELDS, SELECTION_REASONS

EPS = 1e-9


def partner_answers(*likelihoods: int) -> list[Answer]:
    return [Answer(likelihood_partner=value) for value in likelihoods]


def tally_of_likelihoods(*likelihoods: int) -> Tally:
    return Tally.of(partner_answers(*likelihoods))


# --- NPS and its interval -------------------------------------------------------------


def adjusted_wald_by_hand(p_p: float, p_d: float, n: int) -> tuple[float, float]:
    """Centre and half-width from the adjusted shares, as DESIGN.md writes them."""
    return 100 * (p_p - p_d), 1.96 * 100 * math.sqrt((p_p + p_d - (p_p - p_d) ** 2) / (n + 3))


def test_nps_50_promoters_30_passives_20_detractors() -> None:
    tally = tally_of_likelihoods(
        *([10] * 25 + [9] * 25 + [8] * 15 + [7] * 15 + [6] * 10 + [0] * 10)
    )
    p_p = 50.75 / 103  # (50 + 0.75) / (100 + 3)
    p_d = 20.75 / 103  # (20 + 0.75) / (100 + 3)
    centre, half = adjusted_wald_by_hand(p_p, p_d, 100)
    assert centre == pytest.approx(3000 / 103, abs=EPS)  # ~ 29.13, a little below the NPS
    figure = partner_nps(tally)
    assert figure.n == 100
    assert figure.value == 30.0  # the raw NPS: 100 * (50 - 20) / 100
    assert figure.low == pytest.approx(centre - half, abs=EPS)
    assert figure.high == pytest.approx(centre + half, abs=EPS)
    assert (figure.low, figure.high) == pytest.approx((14.051, 44.202), abs=1e-3)
    assert not figure.withheld


def test_five_perfect_answers_do_not_look_certain() -> None:
    figure = partner_nps(tally_of_likelihoods(10, 10, 10, 10, 10))
    p_p = 5.75 / 8  # (5 + 0.75) / (5 + 3) = 0.71875
    p_d = 0.75 / 8  # (0 + 0.75) / (5 + 3) = 0.09375
    centre, half = adjusted_wald_by_hand(p_p, p_d, 5)
    # centre 62.5; var = (0.8125 - 0.625^2) / 8 = 0.052734375; half = 196 * 0.22964 = 45.01
    assert centre == pytest.approx(62.5, abs=EPS)
    assert half == pytest.approx(45.009, abs=1e-3)
    assert figure.value == 100.0
    assert figure.high == 100.0  # 62.5 + 45.01 = 107.5, clamped
    assert figure.low == pytest.approx(centre - half, abs=EPS)
    assert figure.low == pytest.approx(17.491, abs=1e-3)  # far from certain


def test_all_detractors_mirror_all_promoters() -> None:
    figure = partner_nps(tally_of_likelihoods(0, 0, 0, 0, 0))
    centre, half = adjusted_wald_by_hand(0.75 / 8, 5.75 / 8, 5)  # centre -62.5
    assert figure.value == -100.0
    assert figure.low == -100.0  # -62.5 - 45.01 = -107.5, clamped
    assert figure.high == pytest.approx(centre + half, abs=EPS)
    assert figure.high == pytest.approx(-17.491, abs=1e-3)


def test_three_promoters_one_passive_one_detractor() -> None:
    figure = partner_nps(tally_of_likelihoods(10, 9, 9, 8, 3))
    p_p = 3.75 / 8  # (3 + 0.75) / (5 + 3) = 0.46875
    p_d = 1.75 / 8  # (1 + 0.75) / (5 + 3) = 0.21875
    centre, half = adjusted_wald_by_hand(p_p, p_d, 5)
    # centre 25; var = (0.6875 - 0.25^2) / 8 = 0.078125; half = 196 * 0.27951 = 54.78
    assert centre == pytest.approx(25.0, abs=EPS)
    assert figure.value == 40.0  # 100 * (3 - 1) / 5: the interval is not centred on it
    assert figure.low == pytest.approx(centre - half, abs=EPS)
    assert figure.high == pytest.approx(centre + half, abs=EPS)
    assert (figure.low, figure.high) == pytest.approx((-29.784, 79.784), abs=1e-3)


def test_large_n_is_narrow_and_close_to_the_nps() -> None:
    p_p = 600.75 / 1003  # (600 + 0.75) / (1000 + 3)
    p_d = 100.75 / 1003  # (100 + 0.75) / (1000 + 3)
    centre, half = adjusted_wald_by_hand(p_p, p_d, 1000)
    low, high = nps_interval(600, 100, 1000)  # NPS 50
    assert centre == pytest.approx(50000 / 1003, abs=EPS)  # ~ 49.85
    assert (low, high) == pytest.approx((centre - half, centre + half), abs=EPS)
    assert (low, high) == pytest.approx((45.695, 54.006), abs=1e-3)


def test_four_responses_are_withheld_with_the_reason() -> None:
    figure = partner_nps(tally_of_likelihoods(10, 9, 3, 7))
    assert figure.withheld
    assert figure.withheld_reason == "fewer than 5 responses (4)"
    assert (figure.value, figure.low, figure.high) == (None, None, None)


def test_empty_tally_is_withheld() -> None:
    assert partner_nps(Tally.empty()).withheld_reason == "fewer than 5 responses (0)"


# --- ratings, outcomes, vendor NPS ----------------------------------------------------


def test_rating_mean_and_its_own_n() -> None:
    overall = [5, 4, 4, 3, 2, None]
    quality = [5, 5, None, None, 4, 3]  # only 4 answers
    answers = [
        Answer(likelihood_partner=8, rating_overall=o, rating_quality=q)
        for o, q in zip(overall, quality, strict=True)
    ]
    tally = Tally.of(answers)
    assert rating_mean(tally, "overall") == Figure(n=5, value=(5 + 4 + 4 + 3 + 2) / 5)
    assert rating_mean(tally, "overall").value == pytest.approx(3.6, abs=EPS)
    assert rating_mean(tally, "quality").withheld_reason == "fewer than 5 responses (4)"


def test_outcome_share() -> None:
    went_live = [True, True, True, False, None, True]
    tally = Tally.of(Answer(likelihood_partner=9, went_live=w) for w in went_live)
    figure = outcome_share(tally, "went_live")
    assert figure.n == 5
    assert figure.value == pytest.approx(4 / 5, abs=EPS)
    assert outcome_share(tally, "on_time").withheld_reason == "fewer than 5 responses (0)"


def test_vendor_nps_has_its_own_n() -> None:
    vendor = [10, 9, 8, 3, 0, None]
    tally = Tally.of(Answer(likelihood_partner=9, likelihood_vendor=v) for v in vendor)
    figure = vendor_nps(tally)
    p_p = p_d = 2.75 / 8  # (2 + 0.75) / (5 + 3)
    centre, half = adjusted_wald_by_hand(p_p, p_d, 5)  # centre 0, half 196 * sqrt(0.6875 / 8)
    assert figure.n == 5
    assert figure.value == 0.0  # 100 * (2 - 2) / 5
    assert centre == 0.0
    assert figure.low == pytest.approx(-half, abs=EPS)
    assert figure.high == pytest.approx(half, abs=EPS)
    assert figure.high == pytest.approx(57.458, abs=1e-3)
    assert partner_nps(tally).value == 100.0


# --- ranking, market, response rate ---------------------------------------------------


def test_shrinkage_with_hand_numbers() -> None:
    assert shrunk_nps(10, 50.0, 20.0) == pytest.approx((10 * 50 + 10 * 20) / 20, abs=EPS)
    assert shrunk_nps(10, 50.0, 20.0) == pytest.approx(35.0, abs=EPS)
    tally = tally_of_likelihoods(*([10] * 5 + [7] * 5))  # NPS 100 * (5 - 0) / 10 = 50
    assert ranking_score(tally, 20.0) == pytest.approx(35.0, abs=EPS)


def test_ranking_score_with_no_responses_is_the_market() -> None:
    assert ranking_score(Tally.empty(), 12.5) == 12.5


def test_below_k_the_ranking_score_is_the_market_and_gives_nothing_back() -> None:
    # 1 to 4 answers: the score of a partner with none, whatever the answers
    for answers in ([0], [10, 10], [0, 0, 0], [9, 0, 10, 3]):
        assert ranking_score(tally_of_likelihoods(*answers), 20.0) == 20.0
    assert ranking_score(Tally.empty(), 20.0) == 20.0
    # from 5: (n x NPS + 10 x market) / (n + 10); 5 zeros: NPS -100
    five = tally_of_likelihoods(0, 0, 0, 0, 0)
    assert ranking_score(five, 20.0) == pytest.approx((5 * -100 + 10 * 20) / 15, abs=EPS)


def test_market_nps_over_all_partners() -> None:
    a = tally_of_likelihoods(*([10] * 5 + [7] * 5))
    b = tally_of_likelihoods(*([0] * 10))
    market = market_tally([a, b])
    assert market.n == 20
    assert market_nps(market) == pytest.approx(100 * (5 - 10) / 20, abs=EPS)  # -25
    assert market_nps(Tally.empty()) == 0.0


def test_response_rate() -> None:
    assert response_rate(3, 4) == 0.75
    assert response_rate(0, 0) is None
    with pytest.raises(ValueError, match="impossible"):
        response_rate(5, 4)


# --- evidence tiers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "low", "tier"),
    [
        (30, 30.0, "proven"),
        (30, 29.999, "established"),
        (29, 60.0, "established"),
        (15, 0.0, "established"),
        (15, -0.001, "emerging"),
        (14, 50.0, "emerging"),
        (5, -100.0, "emerging"),
    ],
)
def test_tier_boundaries(n: int, low: float, tier: str) -> None:
    assert evidence_tier(Figure(n=n, value=low + 1, low=low, high=low + 2)) == tier


def test_withheld_figure_is_not_enough_evidence() -> None:
    assert evidence_tier(Figure.withheld_for(4)) == "not_enough_evidence"


def test_thirty_perfect_answers_are_proven() -> None:
    p_p, p_d = 30.75 / 33, 0.75 / 33  # (30 + 0.75) / (30 + 3), (0 + 0.75) / (30 + 3)
    centre, half = adjusted_wald_by_hand(p_p, p_d, 30)  # 90.91 - 12.21
    figure = partner_nps(tally_of_likelihoods(*([10] * 30)))
    assert figure.low == pytest.approx(centre - half, abs=EPS)
    assert figure.low == pytest.approx(78.697, abs=1e-3)
    assert evidence_tier(figure) == "proven"


# --- summary --------------------------------------------------------------------------


def test_summary() -> None:
    answers = [
        Answer(likelihood_partner=v, rating_overall=4, went_live=True) for v in [10] * 5 + [7] * 5
    ]
    summary = summarize(Tally.of(answers), market=20.0, invitations=20)
    assert summary.responses == 10
    assert summary.nps.value == 50.0
    assert summary.ranking_score == pytest.approx(35.0, abs=EPS)
    assert summary.response_rate == 0.5
    assert summary.ratings["overall"] == Figure(n=10, value=4.0)
    assert summary.ratings["quality"].withheld
    assert summary.outcomes["went_live"] == Figure(n=10, value=1.0)
    assert summary.vendor_nps.withheld
    assert summary.evidence_tier == "emerging"
    assert summarize(Tally.empty(), market=0.0).response_rate is None


# --- answers and tallies --------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("likelihood_partner", 11),
        ("likelihood_partner", -1),
        ("likelihood_partner", True),
        ("likelihood_vendor", 11),
        ("rating_overall", 0),
        ("rating_expertise", 6),
        ("went_live", 1),
        ("selection_reason", "bribe"),
    ],
)
def test_answer_validation_names_the_field(field: str, value: object) -> None:
    values: dict[str, object] = {"likelihood_partner": 5, field: value}
    with pytest.raises(ValueError, match=field):
        Answer(**values)  # type: ignore[arg-type]


def test_answer_from_attributes() -> None:
    names = ["likelihood_partner", "likelihood_vendor", "selection_reason"]
    names += [f"rating_{f}" for f in RATING_FIELDS] + list(OUTCOME_FIELDS)
    row = SimpleNamespace(**dict.fromkeys(names), comment="ignored")
    row.likelihood_partner, row.rating_budget, row.on_time = 9, 2, False
    answer = Answer.from_attributes(row)
    assert answer == Answer(likelihood_partner=9, rating_budget=2, on_time=False)
    assert answer.rating("budget") == 2
    assert answer.outcome("on_time") is False


def test_removing_an_answer_that_is_not_there_fails() -> None:
    with pytest.raises(ValueError, match="not part of this tally"):
        tally_of_likelihoods(10).remove(Answer(likelihood_partner=3))


def test_row_columns() -> None:
    assert TALLY_COLUMNS[:3] == ("n", "lp_0", "lp_1")
    assert {"lv_10", "rating_overall_n", "rating_expertise_sum", "went_live_yes"} <= set(
        TALLY_COLUMNS
    )
    assert len(TALLY_COLUMNS) == 1 + 11 + 11 + 2 * 6 + 2 * 5


def test_from_row_rejects_bad_rows() -> None:
    row = tally_of_likelihoods(10, 3).to_row()
    with pytest.raises(ValueError, match="column n"):
        Tally.from_row({**row, "n": 3})
    with pytest.raises(ValueError, match="lp_4"):
        Tally.from_row({key: value for key, value in row.items() if key != "lp_4"})
    with pytest.raises(ValueError, match="inconsistent"):
        Tally.from_row({**row, "went_live_yes": 1})


def test_group_tallies() -> None:
    items = [("a", Answer(likelihood_partner=10)), ("b", Answer(likelihood_partner=0))]
    items.append(("a", Answer(likelihood_partner=9)))
    groups = group_tallies(items)
    assert groups == {"a": tally_of_likelihoods(10, 9), "b": tally_of_likelihoods(0)}


# --- properties -----------------------------------------------------------------------

likelihoods = st.integers(0, 10)
ratings = st.none() | st.integers(1, 5)
outcomes = st.none() | st.booleans()
answers = st.builds(
    Answer,
    likelihood_partner=likelihoods,
    likelihood_vendor=st.none() | likelihoods,
    selection_reason=st.none() | st.sampled_from(SELECTION_REASONS),
    **{f"rating_{field}": ratings for field in RATING_FIELDS},
    **dict.fromkeys(OUTCOME_FIELDS, outcomes),
)
answer_lists = st.lists(answers, max_size=40)
tallies = answer_lists.map(Tally.of)


@given(tallies, answers)
def test_add_then_remove_is_the_identity(tally: Tally, answer: Answer) -> None:
    assert tally.add(answer).remove(answer) == tally


@given(answer_lists, answer_lists)
def test_removing_later_answers_gives_the_earlier_tally(xs: list[Answer], ys: list[Answer]) -> None:
    assert reduce(Tally.remove, ys, Tally.of(xs + ys)) == Tally.of(xs)


@given(tallies, tallies, tallies)
def test_merge_is_associative(a: Tally, b: Tally, c: Tally) -> None:
    assert merge(merge(a, b), c) == merge(a, merge(b, c))


@given(tallies, tallies)
def test_merge_is_commutative(a: Tally, b: Tally) -> None:
    assert merge(a, b) == merge(b, a)


@given(answer_lists, st.data())
def test_one_by_one_equals_a_rebuild(xs: list[Answer], data: st.DataObject) -> None:
    incremental = Tally.empty()
    for answer in xs:
        incremental = incremental.add(answer)
    split = data.draw(st.integers(0, len(xs)))
    assert incremental == merge(Tally.of(xs[:split]), Tally.of(xs[split:]))
    assert incremental == Tally.of(reversed(xs))
    counts = Counter(answer.likelihood_partner for answer in xs)
    assert incremental.partner_likelihood == tuple(counts[i] for i in range(11))
    for field in RATING_FIELDS:
        given_ratings = [r for r in (answer.rating(field) for answer in xs) if r is not None]
        assert incremental.rating(field) == (len(given_ratings), sum(given_ratings))
    for field in OUTCOME_FIELDS:
        given_outcomes = [o for o in (answer.outcome(field) for answer in xs) if o is not None]
        assert incremental.outcome(field) == (len(given_outcomes), sum(given_outcomes))


@given(tallies)
def test_nps_is_within_its_interval(tally: Tally) -> None:
    figure = partner_nps(tally)
    if figure.withheld:
        assert tally.n < 5
        return
    assert figure.value is not None
    assert figure.low is not None
    assert figure.high is not None
    assert -100 <= figure.low <= figure.value <= figure.high <= 100
    assert figure.low < figure.high


counts = st.integers(1, 10_000).flatmap(
    lambda n: st.integers(0, n).flatmap(
        lambda promoters: st.tuples(st.just(promoters), st.integers(0, n - promoters), st.just(n))
    )
)


@given(counts)
def test_interval_bounds_for_any_counts(pdn: tuple[int, int, int]) -> None:
    promoters, detractors, n = pdn
    low, high = nps_interval(promoters, detractors, n)
    centre = 100 * (promoters - detractors) / (n + 3)  # 100 x (p_P - p_D)
    assert -100 <= low <= centre <= high <= 100
    assert low < high
    if n >= 2:  # a single answer is never published; then its NPS (+-100) can fall outside
        assert low <= 100 * (promoters - detractors) / n <= high


@given(counts)
def test_interval_is_symmetric_in_promoters_and_detractors(pdn: tuple[int, int, int]) -> None:
    promoters, detractors, n = pdn
    low, high = nps_interval(promoters, detractors, n)
    swapped_low, swapped_high = nps_interval(detractors, promoters, n)
    assert low == -swapped_high
    assert high == -swapped_low


@given(counts, st.integers(2, 50))
def test_interval_narrows_with_more_answers_in_the_same_shares(
    pdn: tuple[int, int, int], factor: int
) -> None:
    promoters, detractors, n = pdn
    low, high = nps_interval(promoters, detractors, n)
    more_low, more_high = nps_interval(factor * promoters, factor * detractors, factor * n)
    assert more_high - more_low < high - low


@given(tallies)
def test_row_round_trip(tally: Tally) -> None:
    row = tally.to_row()
    assert tuple(row) == TALLY_COLUMNS
    assert all(type(value) is int for value in row.values())
    assert Tally.from_row(row) == tally
