"""Does choosing by evidence beat the vendor's word? Vouch's top match against four other
ways of picking a partner, on generated worlds whose partners have a hidden quality.

Each world is the demo data generator's (api/demo_data), unchanged: every partner has a
hidden quality and a hidden fit per industry; its past customers answered surveys drawn
from them. The world is loaded into a real SQLite database, its figures published, and
Vouch ranks with the real matching code (the match index read from that database and
api.matching's scoring). Then future projects are held out: a customer (industry, city,
budget) wants a product; every strategy picks one partner among those that claim the
product, and the project succeeds or not with the generator's own model for an
engagement (went live and met its goals), driven by the partner's hidden quality plus its
fit with the customer's industry.

What the held-out outcome leaves out, on purpose: the generator also lowers the success
of engagements a buyer chose because the vendor recommended them ("selection reason");
a future project's success here depends only on the partner and the project, not on how
it was chosen, so no strategy is handed a penalty by construction.

Strategies: Vouch's top match (default weights, and customer success alone); the
vendor's recommendation (the most revenue to the vendor, from its program; and, as a
check on the world's assumption that revenue runs slightly against quality, the biggest
partner); the closest office; the lowest hourly rate; a random one. The same noise is
used for every strategy on a project, so the comparison is paired.

Also: the rank correlation (Spearman) of the ranking score with the hidden quality, by
how many published responses a partner has.

    .venv/bin/python bench/eval_matching.py                  # 5 worlds of 2,000 partners
    .venv/bin/python bench/eval_matching.py --seeds 3 --partners 1000 --projects 300
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, select  # noqa: E402

from api import migrations  # noqa: E402
from api.db import create_db_engine, session_factory, unit_of_work  # noqa: E402
from api.demo_data.cities import CITIES  # noqa: E402
from api.demo_data.common import RowSink, round_to, sigmoid  # noqa: E402
from api.demo_data.engagements import SIZE_BUDGET, SIZE_CUM_WEIGHTS, EngagementFactory  # noqa: E402
from api.demo_data.partners import PartnerFactory, PartnerTraits  # noqa: E402
from api.demo_data.reference import Catalog, add_reference_data  # noqa: E402
from api.demo_data.surveys import SurveyFactory  # noqa: E402
from api.matching import Need, effective_weights  # noqa: E402
from api.matching.engine import top  # noqa: E402
from api.matching.index import Snapshot, index_for  # noqa: E402
from api.matching.need import check  # noqa: E402
from api.matching.score import distance_km  # noqa: E402
from api.models import Office, Partner, VendorProgramMembership  # noqa: E402
from api.readers.matching import OfficePlace, resolve  # noqa: E402
from api.services import changes  # noqa: E402
from api.services.figures_rebuild import rebuild  # noqa: E402
from api.settings import parse_database_url  # noqa: E402
from api.vocabulary import CUSTOMER_SIZE_BANDS  # noqa: E402
from bench.common import machine  # noqa: E402

STRATEGIES = (
    "Vouch top match",
    "Vouch, customer success only",
    "vendor: most revenue",
    "vendor: biggest partner",
    "closest office",
    "lowest price",
    "random",
)
SUCCESS_ONLY = {  # already adding up to 1, as effective_weights gives them
    "customer_success": 0.5,
    "industry_success": 0.5,
    "industry_experience": 0.0,
    "product_experience": 0.0,
    "proximity": 0.0,
    "budget_fit": 0.0,
}
N_BINS = ((5, 9), (10, 19), (20, 49), (50, 10_000))
T_95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}


@dataclass
class World:
    engine: Engine
    catalog: Catalog
    traits: dict[int, PartnerTraits]
    revenue: dict[tuple[int, int], int]  # (vendor, partner) -> annual revenue to the vendor
    size: dict[int, int]  # partner -> employee band index
    rate: dict[int, int]  # partner -> lowest hourly rate
    offices: dict[int, list[OfficePlace]]


def build_world(folder: Path, partners: int, seed: int) -> World:
    """load_demo_data's loop, keeping the hidden traits it throws away."""
    url = parse_database_url(f"sqlite:///{folder / f'world{seed}.db'}")
    migrations.upgrade(url)
    engine = create_db_engine(url)
    rng = random.Random(seed)
    sink = RowSink()
    traits: dict[int, PartnerTraits] = {}
    with engine.begin() as connection:
        catalog = add_reference_data(sink)
        sink.flush(connection)
        partner_factory = PartnerFactory(rng, catalog)
        engagements = EngagementFactory(rng, catalog)
        surveys = SurveyFactory(rng)
        for number in range(partners):
            partner = partner_factory.create(sink)
            traits[partner.id] = partner
            for engagement in engagements.create(sink, partner):
                surveys.survey(sink, engagement)
            if number % 250 == 249:
                sink.flush(connection)
        sink.flush(connection)
    with unit_of_work(session_factory(engine)) as session:
        rebuild(session=session, publish_all=True)
        changes.record(session, partner_id=None, reason="everything")
        revenue = {
            (row.vendor_id, row.partner_id): row.annual_revenue
            for row in session.scalars(select(VendorProgramMembership))
        }
        bands = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
        size, rate = {}, {}
        for row in session.scalars(select(Partner)):
            size[row.id] = bands.index(row.employee_band or "1-10")
            rate[row.id] = row.hourly_rate_min or 0
        offices: dict[int, list[OfficePlace]] = defaultdict(list)
        for office in session.scalars(select(Office)):
            offices[office.partner_id].append(
                OfficePlace(office.city, office.country, office.latitude, office.longitude)
            )
    return World(engine, catalog, traits, revenue, size, rate, offices)


@dataclass(frozen=True)
class Project:
    industry_id: int
    vendor_id: int
    product_id: int
    city_index: int
    budget: int
    pool: tuple[int, ...]
    noise: tuple[float, float, float, float]  # shared by every strategy: a paired comparison


def projects(world: World, count: int, rng: random.Random) -> list[Project]:
    made: list[Project] = []
    vendors = world.catalog.vendors
    weights = [vendor.spec.popularity for vendor in vendors]
    while len(made) < count:
        vendor = rng.choices(vendors, weights)[0]
        product = rng.choice(vendor.products)
        pool = tuple(
            sorted(
                pid
                for pid, t in world.traits.items()
                if product.id in t.products_by_vendor.get(vendor.id, ())
            )
        )
        if len(pool) < 3:
            continue
        size = rng.choices(CUSTOMER_SIZE_BANDS, cum_weights=SIZE_CUM_WEIGHTS)[0]
        made.append(
            Project(
                industry_id=rng.choice(world.catalog.industries).id,
                vendor_id=vendor.id,
                product_id=product.id,
                city_index=rng.randrange(len(CITIES)),
                budget=round_to(SIZE_BUDGET[size] * rng.lognormvariate(0, 0.7), 1_000),
                pool=pool,
                noise=(rng.gauss(0, 0.7), rng.gauss(0, 0.5), rng.random(), rng.random()),
            )
        )
    return made


def hidden_quality(world: World, partner_id: int, industry_id: int, rng: random.Random) -> float:
    """Quality plus fit with the industry; a fit never drawn is drawn as the generator would."""
    traits = world.traits[partner_id]
    if industry_id not in traits.industry_fit:
        traits.industry_fit[industry_id] = rng.gauss(-0.25, 0.45)
    return traits.quality + traits.industry_fit[industry_id]


def succeeds(world: World, project: Project, partner_id: int, rng: random.Random) -> bool:
    """api/demo_data/surveys.py's model of an engagement, without the selection reason:
    went live (sigmoid(2 + 1.3 s)) and met its goals (sigmoid(0.3 + 1.4 seen))."""
    latent_noise, seen_noise, live_draw, goals_draw = project.noise
    budget_risk = 0.15 * max(0.0, math.log10(project.budget / 100_000))
    success = hidden_quality(world, partner_id, project.industry_id, rng) - budget_risk
    success += latent_noise
    went_live = live_draw < sigmoid(2.0 + 1.3 * success)
    return went_live and goals_draw < sigmoid(0.3 + 1.4 * (success + seen_noise))


def picks(
    world: World,
    snapshot: Snapshot,
    project: Project,
    resolved: Callable[[int, int], object],
    rng: random.Random,
) -> dict[str, int]:
    city = CITIES[project.city_index]
    point = (city.latitude, city.longitude)
    need = Need(
        industry=world.catalog.industry_by_id[project.industry_id].spec.slug,
        products=(world.catalog.product_by_id[project.product_id].slug,),
        country=city.country,
        latitude=city.latitude,
        longitude=city.longitude,
        budget=project.budget,
    )
    check(need, 1)
    reference = resolved(project.industry_id, project.product_id)
    pool = Snapshot.of(snapshot.market_nps, {pid: snapshot.partners[pid] for pid in project.pool})
    chosen: dict[str, int] = {}
    for name, weights in (
        ("Vouch top match", effective_weights(need)),
        ("Vouch, customer success only", SUCCESS_ONLY),
    ):
        [best] = top(pool, need, reference, weights, 1)  # type: ignore[arg-type]
        chosen[name] = best.raw.partner_id

    def best_by(key: Callable[[int], float]) -> int:
        """The highest key; ties broken at random."""
        top_key = max(key(pid) for pid in project.pool)
        return rng.choice([pid for pid in project.pool if key(pid) == top_key])

    chosen["vendor: most revenue"] = best_by(
        lambda pid: world.revenue.get((project.vendor_id, pid), -1)
    )
    chosen["vendor: biggest partner"] = best_by(lambda pid: world.size[pid])
    chosen["closest office"] = best_by(
        lambda pid: -min((distance_km(o, point) for o in world.offices[pid]), default=1e9)
    )
    chosen["lowest price"] = best_by(lambda pid: -world.rate[pid])
    chosen["random"] = rng.choice(project.pool)
    return chosen


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    def ranks(values: Sequence[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0.0] * len(values)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
                j += 1
            for k in range(i, j + 1):
                result[order[k]] = (i + j) / 2
            i = j + 1
        return result

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    var = math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))
    return cov / var if var else float("nan")


def correlations(world: World, snapshot: Snapshot) -> tuple[dict[str, float], int]:
    """Spearman of the ranking score (published, shrunk) with hidden quality, by n."""
    rows = [
        (facts.raw.overall.n, facts.overall(snapshot.market_nps), world.traits[pid].quality)
        for pid, facts in snapshot.partners.items()
        if facts.raw.overall.n >= 5
    ]
    found = {}
    for low, high in N_BINS:
        inside = [(score, quality) for n, score, quality in rows if low <= n <= high]
        if len(inside) >= 10:
            found[f"{low}-{high if high < 10_000 else ''}"] = spearman(*zip(*inside, strict=True))
    found["all with n >= 5"] = spearman([r[1] for r in rows], [r[2] for r in rows])
    # Within an industry: the industry success value against quality plus that fit, over
    # the segments the public sees.
    pairs = [
        (
            facts.industry_nps(industry, snapshot.market_nps),
            world.traits[pid].quality + world.traits[pid].industry_fit[industry],
        )
        for pid, facts in snapshot.partners.items()
        for industry in facts.shown_industries
        if industry in world.traits[pid].industry_fit
    ]
    if len(pairs) >= 10:
        found["in an industry (segments shown)"] = spearman(*zip(*pairs, strict=True))
    return found, int(statistics.median(n for n, _, _ in rows))


def spread(values: Sequence[float]) -> str:
    """Mean and 95% interval (Student's t over the worlds), two decimals."""
    mean = statistics.fmean(values)
    if len(values) < 2:
        return f"{mean:.2f}"
    half = T_95.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return f"{mean:.2f} ({mean - half:.2f} to {mean + half:.2f})"


def interval(values: Sequence[float]) -> str:
    mean = statistics.fmean(values)
    if len(values) < 2:
        return f"{100 * mean:.1f}"
    half = T_95.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return f"{100 * mean:.1f} ({100 * (mean - half):.1f} to {100 * (mean + half):.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="worlds, seeds 1..N (5)")
    parser.add_argument("--partners", type=int, default=2000, help="partners per world (2000)")
    parser.add_argument("--projects", type=int, default=500, help="held-out projects (500)")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    rates: dict[str, list[float]] = defaultdict(list)
    gaps: list[float] = []
    by_n: dict[str, list[float]] = defaultdict(list)
    medians = []
    started = time.perf_counter()
    for seed in range(1, args.seeds + 1):
        with tempfile.TemporaryDirectory(prefix="vouch-eval-") as folder:
            world = build_world(Path(folder), args.partners, seed)
            rng = random.Random(1000 + seed)
            with session_factory(world.engine)() as session:
                snapshot = index_for(session).current(session)
                catalog = world.catalog

                def resolved(industry_id: int, product_id: int) -> object:
                    return resolve(
                        session,
                        catalog.industry_by_id[industry_id].spec.slug,  # noqa: B023
                        [catalog.product_by_id[product_id].slug],  # noqa: B023
                    )

                wins: dict[str, int] = defaultdict(int)
                held_out = projects(world, args.projects, rng)
                for project in held_out:
                    for name, pid in picks(world, snapshot, project, resolved, rng).items():
                        wins[name] += succeeds(world, project, pid, rng)
                found, median_n = correlations(world, snapshot)
            world.engine.dispose()
        for name in STRATEGIES:
            rates[name].append(wins[name] / len(held_out))
        gaps.append(rates["Vouch top match"][-1] - rates["vendor: most revenue"][-1])
        for key, value in found.items():
            by_n[key].append(value)
        medians.append(median_n)
        print(
            f"world {seed}: " + ", ".join(f"{n} {rates[n][-1]:.3f}" for n in STRATEGIES),
            f"| median published n {median_n}",
            flush=True,
        )
    print(
        f"\n{args.seeds} worlds of {args.partners} partners, {args.projects} held-out "
        f"projects each ({time.perf_counter() - started:.0f} s)\n"
    )
    print("| strategy | success rate, % (95% interval over worlds) |")
    print("| --- | --- |")
    for name in STRATEGIES:
        print(f"| {name} | {interval(rates[name])} |")
    print(f"| Vouch minus vendor (most revenue), points | {interval(gaps)} |")
    print(f"\nmedian published responses per partner (n >= 5): {statistics.median(medians)}\n")
    print("| published responses | Spearman, ranking score vs hidden quality (95% interval) |")
    print("| --- | --- |")
    for key, values in by_n.items():
        mean = statistics.fmean(values)
        if len(values) > 1:
            half = (
                T_95.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
            )
            print(f"| {key} | {mean:.2f} ({mean - half:.2f} to {mean + half:.2f}) |")
        else:
            print(f"| {key} | {mean:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
