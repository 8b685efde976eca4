"""bench/eval_independent.py: the generator keeps the assumptions it states, and a tiny world
goes through the real API's survey chain and comes out as sane figures."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from bench.eval_independent import evaluate_world, spearman
from bench.independent_report import STRATEGIES
from bench.independent_world import build_world

TINY_PARTNERS, TINY_NEEDS = 40, 20


def test_spearman_known_answers() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    # ties share their mean rank: ranks x (0, 1.5, 1.5, 3), y (0, 1, 2, 3)
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(0.9486832980505138)
    assert spearman([1, 2], [1, 2]) is None


@given(st.lists(st.integers(-(10**6), 10**6), min_size=3, max_size=30, unique=True))
def test_spearman_reads_only_the_order(xs: list[int]) -> None:
    ys = [x**3 + 7 for x in xs]  # any increasing function of xs
    assert spearman(xs, ys) == pytest.approx(1.0)
    ys = [-y for y in ys]
    assert spearman(xs, ys) == pytest.approx(-1.0)


def test_the_world_keeps_its_stated_assumptions() -> None:
    """What BENCHMARKS.md says the generator assumes, on a full-size world."""
    world = build_world(1)
    partners = world.partners
    revenue = spearman([p.revenue for p in partners], [p.quality for p in partners])
    assert revenue is not None
    assert abs(revenue) < 0.15
    big = [p.quality for p in partners if p.employees > 200]
    small = [p.quality for p in partners if p.employees <= 50]
    assert statistics.pstdev(big) < statistics.pstdev(small)  # big ones near the middle
    best = sorted((p.quality for p in partners), reverse=True)[len(partners) // 10]
    assert max(big) < max(small)
    assert sum(q >= best for q in small) >= 20
    # every partner is better at some products and industries than at others
    assert all(len(set(p.industry_fit.values())) == len(p.industry_fit) for p in partners)
    assert build_world(2).unhappy_answer != world.unhappy_answer


@pytest.mark.slow
def test_a_tiny_world_end_to_end() -> None:
    world = build_world(3, partners=TINY_PARTNERS, needs=TINY_NEEDS)
    result = evaluate_world(world, Console(quiet=True))

    loaded = result.loaded
    assert loaded.partners == TINY_PARTNERS
    assert loaded.engagements == loaded.confirmed == len(world.engagements)
    assert loaded.invitations == sum(e.contacts for e in world.engagements)
    assert loaded.answers == sum(len(e.answers) for e in world.engagements)

    # the public figures are those of the answers loaded, whatever the world's truth
    assert result.load_check is not None
    assert result.load_check > 0.7

    for strategy in STRATEGIES:
        assert len(result.outcomes[strategy]) == TINY_NEEDS
        assert result.success[strategy] <= result.success["oracle"]
        assert result.expected[strategy] <= result.expected["oracle"] + 1e-12
    assert result.worst_expected <= result.expected["random"] <= result.expected["oracle"]

    top = result.top_picks
    assert top.never_delivered_product + top.delivered_product == TINY_NEEDS

    bands = {name: band.partners for name, band in result.spearman.items()}
    assert bands["5-9"] + bands["10-19"] + bands["20+"] == bands["all 5+"]
    small = result.small_excellent
    assert small["a_top_pick"] <= small["in_any_top_10"] <= small["partners"]
    assert small["under_5_published_answers"] <= small["partners"]
