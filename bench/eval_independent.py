"""An evaluation of best-fit matching that could fail: worlds built on assumptions of their
own (`bench/independent_world.py`), loaded into a real Vouch through its GraphQL survey
chain over HTTP, then held-out needs, each answered by Vouch's top pick, the vendor's
pick, the closest office, a random partner and the oracle.

    .venv/bin/python bench/eval_independent.py                   # 2 worlds of 450 partners
    .venv/bin/python bench/eval_independent.py --seed 3 --worlds 1 --partners 200 --needs 100

The success of a pick is drawn from its hidden success probability for the need, with
one uniform number per need shared by every strategy (so the oracle, the partner most
likely to succeed, succeeds whenever any other pick does).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rich.console import Console

from api import migrations
from api.settings import parse_database_url
from bench.common import machine
from bench.independent_load import (
    Api,
    Keys,
    add_reference_data,
    load_world,
    make_keys,
    onboard,
    served,
)
from bench.independent_report import (
    READINGS,
    STRATEGIES,
    Band,
    TopPicks,
    WorldResult,
    report,
)
from bench.independent_world import Need, Partner, World, build_world

BANDS = ((5, 9), (10, 19), (20, None))
SMALL_EMPLOYEES = 50  # "small": at most 50 people
EXCELLENT_SHARE = 0.15  # "excellent": the top 15% of the world's partners by hidden quality

BEST_FIT = """
query Fit($need: ProjectNeed!) {
  bestFitPartners(need: $need, first: 10) { partner { slug } score }
}
"""
PUBLISHED = """
query Published($after: String) {
  partners(first: 100, after: $after, orderBy: NAME) {
    edges { node { slug metrics { responseCount rankingScore } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(a))


def ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2
        start = end + 1
    return result


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) < 3:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / var if var else None


def vendor_pick(need: Need, candidates: list[Partner]) -> Partner:
    """The vendor's recommendation: a sponsored partner first, then the most revenue to the
    vendor (its claimed products' share), among those with an office in the customer's
    country when there are any."""
    local = [p for p in candidates if need.country in p.countries] or candidates
    vendor = need.product.split("-")[0]

    def revenue(partner: Partner) -> float:
        own = sum(1 for product in partner.claimed_products if product.startswith(vendor))
        return partner.revenue * own / len(partner.claimed_products)

    return max(local, key=lambda p: (p.sponsored, revenue(p), p.slug))


def closest_pick(need: Need, candidates: list[Partner]) -> Partner:
    def distance(partner: Partner) -> float:
        return min(
            haversine_km(need.latitude, need.longitude, o.latitude, o.longitude)
            for o in partner.offices
        )

    return min(candidates, key=lambda p: (distance(p), p.slug))


def vouch_top10(
    api: Api, world: World, keys: Keys, *, product_required: bool = False
) -> list[list[str]]:
    """bestFitPartners for each need, as the product's vendor asks: default weights, no
    hard filter (or, with `product_required`, require.productExperience)."""
    result = []
    for need in world.needs:
        asked: dict[str, Any] = {
            "industry": need.industry,
            "products": [need.product],
            "country": need.country,
            "latitude": need.latitude,
            "longitude": need.longitude,
            "budget": need.budget,
        }
        if product_required:
            asked["require"] = {"productExperience": True}
        vendor = need.product.split("-")[0]
        matches = api.data(BEST_FIT, {"need": asked}, keys.vendors[vendor])["bestFitPartners"]
        result.append([match["partner"]["slug"] for match in matches])
    return result


def published(api: Api) -> dict[str, tuple[int, float]]:
    """Every partner's public figures, read without a key."""
    found: dict[str, tuple[int, float]] = {}
    after = None
    while True:
        page = api.data(PUBLISHED, {"after": after}, None)["partners"]
        for edge in page["edges"]:
            metrics = edge["node"]["metrics"]
            found[edge["node"]["slug"]] = (metrics["responseCount"], metrics["rankingScore"])
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def score_picks(world: World, top10: list[list[str]], required: list[list[str]]) -> dict[str, Any]:
    by_slug = {p.slug: p for p in world.partners}
    rng = random.Random(world.seed * 31)
    outcomes: dict[str, list[int]] = {s: [] for s in STRATEGIES}
    expected: dict[str, list[float]] = {s: [] for s in STRATEGIES}
    worst: list[float] = []
    delivered = {(e.partner, e.product) for e in world.engagements if e.status == "completed"}
    top_delivered: list[tuple[bool, float]] = []
    for need, tops, strict_tops in zip(world.needs, top10, required, strict=True):
        chance = {
            p.slug: p.success(need.product, need.industry, need.country) for p in world.partners
        }
        claimants = [p for p in world.partners if need.product in p.claimed_products]
        claimants = claimants or world.partners
        picks = {
            "vouch": by_slug[tops[0]] if tops else None,
            "vouch_product_required": by_slug[strict_tops[0]] if strict_tops else None,
            "vendor": vendor_pick(need, claimants),
            "closest": closest_pick(need, claimants),
            "random": rng.choice(claimants),
            "oracle": max(world.partners, key=lambda p: chance[p.slug]),
        }
        for strategy, pick in picks.items():
            p = chance[pick.slug] if pick else 0.0
            outcomes[strategy].append(int(need.draw < p))
            # random's expected value is the mean over every claimant, not one draw's
            if strategy == "random":
                p = statistics.fmean(chance[c.slug] for c in claimants)
            expected[strategy].append(p)
        worst.append(min(chance[c.slug] for c in claimants))
        if picks["vouch"] is not None:
            top_delivered.append(
                ((picks["vouch"].slug, need.product) in delivered, chance[picks["vouch"].slug])
            )
    return {"outcomes": outcomes, "expected": expected, "worst": worst, "top": top_delivered}


def figures_vs_quality(world: World, public: dict[str, tuple[int, float]]) -> dict[str, Any]:
    """Spearman of the public rankingScore with hidden quality, by published answers; and,
    for the same partners, of readings that show what the data allows: the NPS of every
    answer loaded (a check of the load), the share of finished engagements that went live
    (recorded by the vendor), and the hidden outcomes themselves (a ceiling)."""
    readings = _readings(world)
    rows = [
        (public[p.slug][0], p.quality, {"ranking_score": public[p.slug][1]} | readings[p.slug])
        for p in world.partners
        if public[p.slug][0] >= 5
    ]
    groups = {
        (f"{low}-{high}" if high else f"{low}+"): [
            r for r in rows if r[0] >= low and (high is None or r[0] <= high)
        ]
        for low, high in BANDS
    } | {"all 5+": rows}
    result = {}
    for name, group in groups.items():
        quality = [r[1] for r in group]
        rhos = {what: spearman([r[2][what] for r in group], quality) for what in READINGS}
        result[name] = Band(len(group), rhos.pop("ranking_score"), rhos)
    median = statistics.median(r[0] for r in rows) if rows else 0.0
    # the published figures against the answers loaded: low means the load went wrong
    check = spearman([r[2]["ranking_score"] for r in rows], [r[2]["answers_nps"] for r in rows])
    return {"spearman": result, "median": median, "load_check": check}


def _readings(world: World) -> dict[str, dict[str, float]]:
    scores: dict[str, list[int]] = defaultdict(list)
    went_live: dict[str, list[int]] = defaultdict(list)
    succeeded: dict[str, list[int]] = defaultdict(list)
    for engagement in world.engagements:
        scores[engagement.partner].extend(a.score for a in engagement.answers)
        if engagement.succeeded is not None:
            went_live[engagement.partner].append(int(engagement.status == "completed"))
            succeeded[engagement.partner].append(int(engagement.succeeded))
    return {
        p.slug: {
            "answers_nps": _nps(scores[p.slug]),
            "go_live_share": statistics.fmean(went_live[p.slug] or [0]),
            "hidden_outcomes": statistics.fmean(succeeded[p.slug] or [0]),
        }
        for p in world.partners
    }


def _nps(scores: list[int]) -> float:
    if not scores:
        return 0.0
    return 100.0 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


def small_excellent(
    world: World, public: dict[str, tuple[int, float]], top10: list[list[str]]
) -> dict[str, int]:
    qualities = sorted((p.quality for p in world.partners), reverse=True)
    cut = qualities[max(0, int(len(qualities) * EXCELLENT_SHARE) - 1)]
    chosen = [p for p in world.partners if p.employees <= SMALL_EMPLOYEES and p.quality >= cut]
    in_top10 = {slug for tops in top10 for slug in tops}
    top_picks = {tops[0] for tops in top10 if tops}
    return {
        "partners": len(chosen),
        "under_5_published_answers": sum(public[p.slug][0] < 5 for p in chosen),
        "in_any_top_10": sum(p.slug in in_top10 for p in chosen),
        "a_top_pick": sum(p.slug in top_picks for p in chosen),
    }


def evaluate_world(world: World, console: Console) -> WorldResult:
    with tempfile.TemporaryDirectory() as folder:
        url = parse_database_url(f"sqlite:///{Path(folder) / 'world.db'}")
        migrations.upgrade(url)
        add_reference_data(url)
        with served(url, Path(folder)) as api:
            onboard(api, world, make_keys(url, []).admin)
            keys = make_keys(url, [p.slug for p in world.partners])
            loaded = load_world(api, world, keys)
            console.print(
                f"world {world.seed}: {loaded.partners} partners, "
                f"{loaded.engagements:,} engagements ({loaded.confirmed:,} confirmed), "
                f"{loaded.invitations:,} invitations, "
                f"{loaded.answers:,} answers, loaded in {loaded.seconds:.0f} s"
            )
            top10 = vouch_top10(api, world, keys)
            required = vouch_top10(api, world, keys, product_required=True)
            public = published(api)
    picks = score_picks(world, top10, required)
    figures = figures_vs_quality(world, public)
    top = picks["top"]
    missing = [chance for was, chance in top if not was]
    present = [chance for was, chance in top if was]
    return WorldResult(
        seed=world.seed,
        unhappy_answer=world.unhappy_answer,
        loaded=loaded,
        needs=len(world.needs),
        success={s: statistics.fmean(v) for s, v in picks["outcomes"].items()},
        expected={s: statistics.fmean(v) for s, v in picks["expected"].items()},
        worst_expected=statistics.fmean(picks["worst"]),
        spearman=figures["spearman"],
        median_answers=figures["median"],
        load_check=figures["load_check"],
        small_excellent=small_excellent(world, public, top10),
        top_picks=TopPicks(
            never_delivered_product=len(missing),
            delivered_product=len(present),
            success_if_never=statistics.fmean(missing) if missing else None,
            success_if_delivered=statistics.fmean(present) if present else None,
        ),
        outcomes=picks["outcomes"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="the first world's seed (1)")
    parser.add_argument("--worlds", type=int, default=2, help="worlds, seeds from --seed (2)")
    parser.add_argument("--partners", type=int, default=450, help="partners a world (450)")
    parser.add_argument("--needs", type=int, default=200, help="held-out needs a world (200)")
    parser.add_argument(
        "--json", type=Path, default=Path("var/eval_independent.json"), help="results file"
    )
    args = parser.parse_args()
    console = Console(width=max(120, 60 + 24 * args.worlds))
    console.print(f"machine: {machine()}")
    started = time.monotonic()
    results = [
        evaluate_world(build_world(seed, partners=args.partners, needs=args.needs), console)
        for seed in range(args.seed, args.seed + args.worlds)
    ]
    summary = report(results, console)
    summary["seconds"] = time.monotonic() - started
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(summary, indent=2) + "\n")
    console.print(f"{summary['seconds']:.0f} s; results in {args.json}")


if __name__ == "__main__":
    main()
