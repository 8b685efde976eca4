"""Programme feedback's publication rules hold whatever the answers (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from api.metrics import K_ANONYMITY
from api.readers.program import QuarterAnswers, decide

QUARTERS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2")
PARTNERS = range(1, 16)

answers = st.dictionaries(st.sampled_from(PARTNERS), st.integers(0, 10), max_size=15)
themes = st.dictionaries(st.sampled_from(PARTNERS), st.integers(1, 5), max_size=15)


@st.composite
def quarters(draw: st.DrawFn) -> dict[str, QuarterAnswers]:
    found = {}
    for label in QUARTERS:
        likelihood = draw(answers)
        rated = {p: v for p, v in draw(themes).items() if p in likelihood}
        bucket = QuarterAnswers(likelihood=likelihood)
        bucket.themes["enablement"] = rated
        found[label] = bucket
    return found


def differ_by_a_few(one: set[int], other: set[int]) -> bool:
    return 0 < len(one - other) < K_ANONYMITY or 0 < len(other - one) < K_ANONYMITY


@settings(max_examples=300, deadline=None)
@given(quarters())
def test_no_published_set_is_small_or_a_few_away_from_another(
    found: dict[str, QuarterAnswers],
) -> None:
    decided = decide(found)
    published = [q for q in decided if q.published]
    partner_sets = [set(found[q.quarter].likelihood) for q in published]
    for index, partners in enumerate(partner_sets):
        assert len(partners) >= K_ANONYMITY
        assert not any(differ_by_a_few(partners, other) for other in partner_sets[:index])
    rated = [
        set(found[q.quarter].themes["enablement"])
        for q in published
        if q.ratings["enablement"].value is not None
    ]
    for index, raters in enumerate(rated):
        assert len(raters) >= K_ANONYMITY
        assert not any(differ_by_a_few(raters, other) for other in rated[:index])
    for quarter in decided:
        if not quarter.published:
            assert quarter.nps.value is None
            assert quarter.comments == ()
            assert all(f.value is None for f in quarter.ratings.values())


@settings(max_examples=200, deadline=None)
@given(quarters())
def test_a_quarter_is_decided_by_the_quarters_before_it_alone(
    found: dict[str, QuarterAnswers],
) -> None:
    """A later quarter arriving never changes what an earlier one shows."""
    whole = decide(found)
    for cut in range(1, len(QUARTERS)):
        earlier = decide({label: found[label] for label in QUARTERS[:cut]})
        assert earlier == whole[:cut]
