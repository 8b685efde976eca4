"""Properties of the scoring, on generated partners (no database): the factors add up to
the score, the score stays in [0, 1], the pruned search finds exactly what scoring every
partner finds, and a partner that delivered the need's products comes before one that did
not."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.matching.engine import top
from api.matching.index import PartnerFacts, Snapshot
from api.matching.need import DEFAULT_WEIGHTS, FACTORS, Need, Requirements, effective_weights
from api.matching.score import explain, nearest, rank_tier, score, values_of
from api.metrics import ranking_formula, segment_shown
from api.models import Industry, Product, Vendor
from api.readers.matching import Delivery, Nps, OfficePlace, RawFacts, Reference

INDUSTRIES = {
    1: Industry(id=1, slug="healthcare", name="Healthcare"),
    2: Industry(id=2, slug="retail", name="Retail"),
}
VENDOR = Vendor(id=1, slug="acme", name="Acme")
PRODUCTS = {
    1: Product(id=1, vendor_id=1, slug="acme-crm", name="Acme CRM"),
    2: Product(id=2, vendor_id=1, slug="acme-erp", name="Acme ERP"),
}


@st.composite
def nps(draw: st.DrawFn) -> Nps:
    n = draw(st.integers(0, 60))
    promoters = draw(st.integers(0, n))
    detractors = draw(st.integers(0, n - promoters))
    return Nps(n, promoters, detractors)


@st.composite
def delivery(draw: st.DrawFn) -> Delivery:
    completed = draw(st.integers(0, 40))
    customers = draw(st.integers(0, completed + 3))
    return Delivery(
        industries=draw(st.dictionaries(st.sampled_from([1, 2]), st.integers(0, 30), max_size=2)),
        products=draw(st.dictionaries(st.sampled_from([1, 2]), st.integers(0, 30), max_size=2)),
        completed=completed,
        cancelled=draw(st.integers(0, 10)),
        customers=customers,
        returning=draw(st.integers(0, customers)),
        latest=draw(st.none() | st.dates(date(2020, 1, 1), date(2026, 12, 1))),
        budgets=sorted(draw(st.lists(st.integers(1_000, 2_000_000), max_size=8))),
    )


@st.composite
def partner(draw: st.DrawFn, pid: int) -> RawFacts:
    industries = draw(st.dictionaries(st.sampled_from([1, 2]), nps(), max_size=2))
    overall_n = sum(s.n for s in industries.values()) + draw(st.integers(0, 6))
    promoters = min(overall_n, sum(s.promoters for s in industries.values()))
    detractors = min(overall_n - promoters, sum(s.detractors for s in industries.values()))
    return RawFacts(
        partner_id=pid,
        slug=draw(st.sampled_from(["a", "b", "c"])) + f"-{pid:03d}",
        capabilities=frozenset(draw(st.sets(st.sampled_from(["training", "analytics"])))),
        languages=frozenset(draw(st.sets(st.sampled_from(["en", "de"])))),
        partner_types=frozenset(["implementation"]),
        min_budget=draw(st.sampled_from([0, 10_000, 100_000])),
        overall=Nps(overall_n, promoters, detractors),
        industries=industries,
        # publication decides which industries are shown; any it may show can be
        shown_industries=draw(
            st.sets(
                st.sampled_from(
                    [k for k, s in industries.items() if segment_shown(True, s.n)] or [0]
                )
            )
        )
        & set(industries),
        # the product segments publication shows
        products=draw(
            st.dictionaries(
                st.sampled_from([1, 2]),
                nps().filter(lambda s: segment_shown(True, s.n)),
                max_size=2,
            )
        ),
        offices=[
            OfficePlace("X", country, lat, lon)
            for country, lat, lon in draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(["DE", "US"]),
                        st.floats(-89, 89, allow_nan=False),
                        st.floats(-179, 179, allow_nan=False),
                    ),
                    max_size=3,
                )
            )
        ],
        delivery=draw(delivery()),
    )


@st.composite
def worlds(draw: st.DrawFn) -> Snapshot:
    count = draw(st.integers(1, 25))
    market = draw(st.floats(-100, 100, allow_nan=False))
    partners = {}
    for pid in range(1, count + 1):
        raw = draw(partner(pid))
        partners[pid] = PartnerFacts(raw)
    return Snapshot.of(market, partners)


def _overall(raw: RawFacts, market: float) -> float:
    """The ranking score (its known answers: tests/test_ranking_formula.py)."""
    o = raw.overall
    score: float = ranking_formula(o.n, o.promoters, o.detractors, market)
    return score


@st.composite
def needs(draw: st.DrawFn) -> Need:
    point = draw(
        st.none()
        | st.tuples(st.floats(-89, 89, allow_nan=False), st.floats(-179, 179, allow_nan=False))
    )
    weights = draw(
        st.dictionaries(st.sampled_from(FACTORS), st.floats(0, 100, allow_nan=False), max_size=9)
    )
    need = Need(
        industry=draw(st.none() | st.sampled_from(["healthcare", "retail"])),
        products=tuple(draw(st.sets(st.sampled_from(["acme-crm", "acme-erp"])))),
        country=draw(st.none() | st.sampled_from(["DE", "US", "FR"])),
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        budget=draw(st.none() | st.integers(1, 3_000_000)),
        capabilities=tuple(draw(st.sets(st.sampled_from(["training", "analytics"]), max_size=1))),
        require=Requirements(
            max_distance_km=draw(st.none() | st.floats(0, 20_000)) if point else None
        ),
        weights=weights,
        delivered_first=draw(st.booleans()),
    )
    used = [weights.get(n, DEFAULT_WEIGHTS[n]) for n in FACTORS if need.informs(n)]
    if math.fsum(used) <= 0:
        need = Need(
            industry=need.industry, products=need.products, delivered_first=need.delivered_first
        )
    return need


def reference_of(need: Need) -> Reference:
    industry = next((i for i in INDUSTRIES.values() if i.slug == need.industry), None)
    products = tuple((p, VENDOR) for p in PRODUCTS.values() if p.slug in need.products)
    return Reference(industry=industry, products=products)


@settings(max_examples=120, deadline=None)
@given(snapshot=worlds(), need=needs())
def test_factors_add_up_to_a_score_in_0_1(snapshot: Snapshot, need: Need) -> None:
    weights = effective_weights(need)
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    reference = reference_of(need)
    for facts in snapshot.order:
        match = explain(facts, need, reference, snapshot, weights)
        assert 0.0 <= match.score <= 1.0
        assert all(0.0 <= f.value <= 1.0 for f in match.factors)
        assert abs(math.fsum(f.weight * f.value for f in match.factors) - match.score) <= 1e-12
        success = {f.name: f.value for f in match.factors}.get("customer_success")
        if success is not None:
            assert success == pytest.approx((_overall(facts.raw, snapshot.market_nps) + 100) / 200)


@settings(max_examples=120, deadline=None)
@given(snapshot=worlds(), need=needs(), first=st.integers(1, 8))
def test_the_pruned_search_finds_what_scoring_everyone_finds(
    snapshot: Snapshot, need: Need, first: int
) -> None:
    weights = effective_weights(need)
    reference = reference_of(need)
    found = top(snapshot, need, reference, weights, first)
    everyone = []
    for facts in snapshot.order:
        if not facts.raw.capabilities.issuperset(need.capabilities):
            continue
        limit = need.require.max_distance_km
        values = values_of(facts, need, reference, snapshot)
        if limit is not None:
            place = nearest(facts, need)
            if place is None or place[1] > limit:
                continue
        tier = rank_tier(facts, need, reference)
        everyone.append((-tier, -score(values, weights), facts.raw.slug))
    everyone.sort()
    assert [f.raw.slug for f in found] == [slug for _, _, slug in everyone[:first]]


@settings(max_examples=120, deadline=None)
@given(snapshot=worlds(), need=needs())
def test_by_default_a_partner_that_delivered_the_products_comes_first(
    snapshot: Snapshot, need: Need
) -> None:
    """Whatever the weights and the other evidence: of two partners, one that delivered more
    of the need's products is listed before one that delivered fewer."""
    need = Need(
        industry=need.industry,
        products=need.products or ("acme-crm",),
        country=need.country,
        latitude=need.latitude,
        longitude=need.longitude,
        budget=need.budget,
        weights=need.weights,
    )
    reference = reference_of(need)
    found = top(snapshot, need, reference, effective_weights(need), len(snapshot.order))
    delivered = [
        sum(1 for p, _ in reference.products if facts.raw.delivery.products.get(p.id, 0) > 0)
        for facts in found
    ]
    assert delivered == sorted(delivered, reverse=True)
