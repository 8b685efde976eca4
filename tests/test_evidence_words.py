"""Evidence and result kept apart (api.metrics.reading): how many answers a figure rests
on, and where its 95% interval lies against the market. The evidence tiers mixed the two:
a partner at -53 over 43 answers was "emerging"."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from api import metrics
from api.metrics import Tally, evidence_strength, market_result, partner_nps

MARKET = 10.0


def answers(*scores: int) -> metrics.Figure:
    """The NPS figure over these likelihood scores (0-10)."""
    counts = [0] * 11
    for score in scores:
        counts[score] += 1
    return partner_nps(Tally(partner_likelihood=tuple(counts)))


def test_minus_53_over_43_answers_is_strong_evidence_of_a_result_below_the_market() -> None:
    # given: 43 answers, 6 promoters and 29 detractors: NPS 100 (6 - 29) / 43 = -53
    figure = answers(*[10] * 6, *[8] * 8, *[3] * 29)
    assert round(figure.value or 0) == -53
    # then: the tier said "emerging"; the two words now say what it means
    assert metrics.evidence_tier(figure) == "emerging"
    assert evidence_strength(figure.n) == "strong"
    assert market_result(figure, MARKET) == "below"


def test_a_few_glowing_answers_are_limited_evidence_in_line_with_the_market() -> None:
    figure = answers(10, 10, 10, 10, 9)  # NPS +100, 95% interval +17 to +100 (methodology)
    assert evidence_strength(figure.n) == "limited"
    assert market_result(figure, MARKET) == "above"
    assert market_result(figure, 20.0) == "in_line"  # the interval holds the market's +20


def test_a_withheld_figure_has_too_few_answers_and_no_result() -> None:
    figure = answers(10, 10, 10, 10)
    assert figure.withheld
    assert evidence_strength(figure.n) == "too_few"
    assert market_result(figure, MARKET) == "withheld"


def test_the_thresholds_are_the_tiers_own() -> None:
    assert [evidence_strength(n) for n in (4, 5, 14, 15, 29, 30)] == [
        "too_few", "limited", "limited", "moderate", "moderate", "strong",
    ]  # fmt: skip


@given(st.lists(st.integers(0, 10), max_size=80), st.floats(-100, 100))
def test_the_result_is_where_the_interval_lies_against_the_market(
    scores: list[int], market: float
) -> None:
    figure = answers(*scores)
    result = market_result(figure, market)
    if figure.withheld:
        assert result == "withheld"
        return
    assert figure.low is not None
    assert figure.high is not None
    assert (result == "above") == (figure.low > market)
    assert (result == "below") == (figure.high < market)
    assert (result == "in_line") == (figure.low <= market <= figure.high)


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_more_answers_are_never_weaker_evidence(fewer: int, more: int) -> None:
    fewer, more = sorted((fewer, more))
    order = list(reversed(metrics.EVIDENCE_STRENGTHS))
    assert order.index(evidence_strength(fewer)) <= order.index(evidence_strength(more))
