"""The results of `bench/eval_independent.py`: one world's figures, the tables printed and
the JSON written."""

from __future__ import annotations

import random
import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.common import machine
from bench.independent_load import Loaded
from bench.independent_world import ASSUMPTIONS

STRATEGIES = ("vouch", "vouch_product_required", "vendor", "closest", "random", "oracle")
READINGS = ("ranking_score", "answers_nps", "go_live_share", "hidden_outcomes")


@dataclass
class Band:
    """Partners with a number of published answers, and the Spearman of their public
    rankingScore with their hidden quality."""

    partners: int
    spearman: float | None
    readings: dict[str, float | None]  # the same partners, other readings (figures_vs_quality)


@dataclass
class TopPicks:
    """Vouch's top picks, by whether the partner ever delivered the need's product; and
    the mean success probability of each kind."""

    never_delivered_product: int
    delivered_product: int
    success_if_never: float | None
    success_if_delivered: float | None


@dataclass
class WorldResult:
    seed: int
    unhappy_answer: str
    loaded: Loaded
    needs: int
    success: dict[str, float]  # drawn, share of needs
    expected: dict[str, float]  # mean success probability of the picks
    worst_expected: float  # the worst claimant of each need: a floor
    spearman: dict[str, Band]
    median_answers: float
    load_check: float | None  # Spearman of rankingScore with the NPS of the answers loaded
    small_excellent: dict[str, int]
    top_picks: TopPicks
    outcomes: dict[str, list[int]] = field(default_factory=dict)  # per need, for intervals


def paired_interval(results: list[WorldResult], a: str, b: str) -> tuple[float, float, float]:
    """Points of success, a minus b, over every need of every world; a bootstrap 95%
    interval over needs."""
    pairs = [x - y for r in results for x, y in zip(r.outcomes[a], r.outcomes[b], strict=True)]
    rng = random.Random(0)
    means = sorted(statistics.fmean(rng.choices(pairs, k=len(pairs))) for _ in range(2000))
    return 100 * statistics.fmean(pairs), 100 * means[49], 100 * means[1949]


def report(results: list[WorldResult], console: Console) -> dict[str, Any]:
    table = Table(title="who picks the partner: projects that succeed, %")
    table.add_column("strategy")
    for r in results:
        table.add_column(f"world {r.seed} (unhappy answer {r.unhappy_answer})", justify="right")
    table.add_column("mean", justify="right")
    for strategy in STRATEGIES:
        cells = [
            f"{100 * r.success[strategy]:.1f} ({100 * r.expected[strategy]:.1f})" for r in results
        ]
        mean = statistics.fmean(r.success[strategy] for r in results)
        chance = statistics.fmean(r.expected[strategy] for r in results)
        table.add_row(strategy, *cells, f"{100 * mean:.1f} ({100 * chance:.1f})")
    console.print(table)
    console.print("cells: drawn success (mean success probability of the picks)")
    margins = {}
    for strategy in ("vouch", "vouch_product_required"):
        mean, low, high = paired_interval(results, strategy, "vendor")
        margins[strategy] = {"mean": mean, "low": low, "high": high}
        console.print(
            f"{strategy} minus the vendor's pick: {mean:+.1f} points (95% interval {low:+.1f} "
            f"to {high:+.1f}, bootstrap over {sum(r.needs for r in results)} needs)"
        )
    bands = Table(title="Spearman with hidden quality")
    bands.add_column("published answers")
    for r in results:
        bands.add_column(f"world {r.seed}", justify="right")
    for name in results[0].spearman:
        cells = []
        for r in results:
            band = r.spearman[name]
            live, ceiling = (_number(band.readings[w]) for w in READINGS[2:])
            cells.append(f"{_number(band.spearman)} ({band.partners}); {live}; {ceiling}")
        bands.add_row(name, *cells)
    bands.add_row("median answers (5+)", *[f"{r.median_answers:g}" for r in results])
    bands.add_row("load check", *[_number(r.load_check) for r in results])
    console.print(bands)
    console.print(
        "cells: rankingScore (partners); the go-live share the vendors recorded; the hidden "
        "outcomes (a ceiling). Load check: rankingScore against the NPS of the answers loaded"
    )
    other = Table(title="what the top picks miss")
    other.add_column("figure")
    for r in results:
        other.add_column(f"world {r.seed}", justify="right")
    for key in results[0].small_excellent:
        other.add_row(f"small excellent: {key}", *[str(r.small_excellent[key]) for r in results])
    for key in asdict(results[0].top_picks):
        cells = [_number(asdict(r.top_picks)[key]) for r in results]
        other.add_row(f"Vouch top picks: {key}", *cells)
    console.print(other)
    return {
        "machine": machine(),
        "assumptions": list(ASSUMPTIONS),
        "minus_vendor_points": margins,
        "worlds": [
            {key: value for key, value in asdict(r).items() if key != "outcomes"} for r in results
        ],
    }


def _number(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)
