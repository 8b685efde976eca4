"""Withheld means withheld: the audit's four attacks, run on generated data, recover nothing.

1. ranking score below k;  2. differencing two publications;  3. overall minus the shown
segments, and overlapping published sets (every family);  4. reviews that date, place or
order an anonymous respondent.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from api.demo_data import load_demo_data
from api.metrics import K_ANONYMITY
from api.models import (
    Engagement,
    Industry,
    Partner,
    Product,
    SurveyResponse,
    engagement_products,
    published_tallies,
)
from api.services.figures_rebuild import rebuild
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, invite, record, submit

FIGURES = "responseCount engagementsCovered publishedAt nps { value low high n } npsWithheldReason"
METRICS = f"""
query($slug: String!) {{
  partner(slug: $slug) {{
    metrics {{
      {FIGURES} rankingScore evidenceTier publicationNote
      byIndustry {{ industry {{ slug }} figures {{ {FIGURES} }} }}
      byProduct {{ product {{ slug }} figures {{ {FIGURES} }} }}
      trend {{ quarter figures {{ {FIGURES} }} }}
    }}
    reviews(first: 50) {{
      id quarter submittedAt comment anonymous respondentName respondentTitle company industry
    }}
  }}
}}
"""
MARKET = f"""
{{ marketInsights {{
  overall {{ {FIGURES} }} bySelectionReason {{ reason figures {{ {FIGURES} }} }}
}} }}
"""
PAGE = """
query($after: String) {
  partners(first: 100, after: $after) {
    edges { node { slug metrics { responseCount rankingScore nps { value n } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def answer(
    api: GraphQLClient, keys: dict[str, str], number: int, score: int, **values: Any
) -> None:
    """One engagement (recorded by acme, confirmed by alpha-health), one invitation and one
    answer: a respondent of their own."""
    domain = f"customer{number}.example"
    industry = values.pop("industry", "healthcare")
    engagement = record(
        api,
        keys["acme"],
        keys["alpha"],
        **engagement_input("alpha-health", customerDomain=domain, industry=industry),
    )
    token = invite(api, keys["acme"], engagement, f"cio@{domain}")
    assert submit(api, token, likelihoodToRecommend=score, **values)["accepted"] is True


def every_figure(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every published figure of a partner and of the market, by where it is shown."""
    metrics = data["partner"]["metrics"]
    found = {"overall": {k: metrics[k] for k in ("responseCount", "nps")}}
    for item in metrics["byIndustry"]:
        found[f"industry:{item['industry']['slug']}"] = item["figures"]
    for item in metrics["byProduct"]:
        found[f"product:{item['product']['slug']}"] = item["figures"]
    for item in metrics["trend"]:
        found[f"quarter:{item['quarter']}"] = item["figures"]
    return found


def all_pages(api: GraphQLClient, key: str | None = None) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    after = None
    while True:
        page = api.data(PAGE, {"after": after}, key=key)["partners"]
        found |= {edge["node"]["slug"]: edge["node"]["metrics"] for edge in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


@pytest.fixture
def generated(db: Database) -> None:
    """A generated directory, published as a first load publishes it."""
    load_demo_data(db.engine, partners=120, seed=7, progress=False)
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)


# --- 1. the ranking score below k ---------------------------------------------------------


def test_the_ranking_score_below_k_gives_back_no_nps(
    generated: None, api: GraphQLClient, db: Database
) -> None:
    with db.session() as session, session.begin():
        admin = factories.key(session, "admin")
    live = all_pages(api, admin)
    public = all_pages(api)
    market = api.data(MARKET)["marketInsights"]["overall"]
    assert market["nps"] is not None
    few = [slug for slug, m in live.items() if 0 < m["responseCount"] < K_ANONYMITY]
    assert len(few) >= 5, "the generated data should hold partners with 1 to 4 answers"
    empty_score = {m["rankingScore"] for m in public.values() if m["responseCount"] == 0}
    assert len(empty_score) == 1  # every partner without published answers scores the same
    for slug in few:
        # The attack: (score x (n + 10) - 10 x market) / n, with the n the operator knows.
        n = live[slug]["responseCount"]
        score = public[slug]["rankingScore"]
        assert score in empty_score
        recovered = (score * (n + 10) - 10 * market["nps"]["value"]) / n
        assert recovered == pytest.approx(market["nps"]["value"])  # the market's, not theirs


# --- 2. differencing two publications -----------------------------------------------------


def test_comparing_publications_never_shows_fewer_than_k_new_answers(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    scores = [10, 3, 9, 7, 0, 10, 8, 2, 9, 10, 6, 9, 1, 10, 4, 9, 10, 5]
    before = every_figure(api.data(METRICS, {"slug": "alpha-health"}))
    market_before = api.data(MARKET)["marketInsights"]
    published_changes = 0
    for number, score in enumerate(scores):
        industry = "retail" if number % 3 == 0 else "healthcare"
        answer(api, keys, number, score, industry=industry, comment=f"note {number}")
        after = every_figure(api.data(METRICS, {"slug": "alpha-health"}))
        for where, figures in after.items():
            moved = (
                figures["responseCount"] - before.get(where, {"responseCount": 0})["responseCount"]
            )
            assert moved == 0 or moved >= K_ANONYMITY, (where, number, moved)
            published_changes += moved > 0
        market_after = api.data(MARKET)["marketInsights"]
        moved = market_after["overall"]["responseCount"] - market_before["overall"]["responseCount"]
        assert moved == 0 or moved >= K_ANONYMITY
        before, market_before = after, market_after
    assert published_changes >= 4  # overall at 5, 10, 15; healthcare at 5 and 10 ...

    live = api.data(METRICS, {"slug": "alpha-health"}, key=keys["admin"])["partner"]["metrics"]
    public = api.data(METRICS, {"slug": "alpha-health"})["partner"]["metrics"]
    assert live["responseCount"] == len(scores)
    assert public["responseCount"] == 15  # published at 5, 10 and 15 answers
    assert public["publishedAt"] is not None
    assert "at least 5 new answers" in public["publicationNote"]
    assert live["publicationNote"] is None


def test_a_void_leaves_the_published_figures_at_once(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    for number, score in enumerate([10, 10, 9, 9, 0]):
        answer(api, keys, number, score, comment=f"review {number}")
    public = api.data(METRICS, {"slug": "alpha-health"})["partner"]["metrics"]
    # promoters 4, detractors 1, n 5: NPS 100 x (4 - 1) / 5 = 60
    assert public["nps"]["value"] == pytest.approx(60.0)
    with db.session() as session:
        detractor = session.scalar(
            select(SurveyResponse.id).where(SurveyResponse.likelihood_partner == 0)
        )
    voided = api.data(
        'mutation($id: ID!) { voidSurveyResponse(responseId: $id, reason: "fraud") '
        "{ errors { code } } }",
        {"id": str(detractor)},
        key=keys["admin"],
    )
    assert voided["voidSurveyResponse"]["errors"] == []
    public = api.data(METRICS, {"slug": "alpha-health"})["partner"]
    # Four answers left: no copy is kept under k, so nothing is published, not the old 60,
    # and no review of the four shows until there are five again.
    assert public["metrics"]["responseCount"] == 0
    assert public["metrics"]["nps"] is None
    assert public["reviews"] == []


# --- 3. overall minus the shown segments, and overlapping sets --------------------------------


def _answer_sets(db: Database, slug: str, through: dict[str, int]) -> dict[str, set[int]]:
    """From the raw rows, independently of the figures code: the ids of the live answers
    each published copy counts ({where: published_through}), where is "overall",
    "industry:<slug>", "product:<slug>" or "quarter:<2026-Q3>"."""
    with db.session() as session:
        rows = session.execute(
            select(
                SurveyResponse.id,
                SurveyResponse.partner_seq,
                SurveyResponse.submitted_at,
                Industry.slug,
                Engagement.id,
            )
            .join(Engagement, Engagement.id == SurveyResponse.engagement_id)
            .join(Industry, Industry.id == Engagement.industry_id)
            .join(Partner, Partner.id == SurveyResponse.partner_id)
            .where(Partner.slug == slug, SurveyResponse.voided.is_(False))
        ).all()
        products: dict[int, list[str]] = {}
        for engagement_id, product in session.execute(
            select(engagement_products.c.engagement_id, Product.slug).join(
                Product, Product.id == engagement_products.c.product_id
            )
        ):
            products.setdefault(engagement_id, []).append(product)
    sets: dict[str, set[int]] = {where: set() for where in through}
    for response_id, number, submitted_at, industry, engagement_id in rows:
        quarter = f"{submitted_at.year}-Q{(submitted_at.month - 1) // 3 + 1}"
        wheres = ["overall", f"industry:{industry}", f"quarter:{quarter}"]
        wheres += [f"product:{product}" for product in products.get(engagement_id, [])]
        for where in wheres:
            if where in through and number <= through[where]:
                sets[where].add(response_id)
    return sets


def _published_through(db: Database, slug: str) -> dict[str, int]:
    """How far each published copy of the partner counts (raw rows)."""
    with db.session() as session:
        names = {
            ("industry", str(i.id)): f"industry:{i.slug}" for i in session.scalars(select(Industry))
        }
        names |= {
            ("product", str(p.id)): f"product:{p.slug}" for p in session.scalars(select(Product))
        }
        rows = session.execute(
            select(
                published_tallies.c.kind,
                published_tallies.c.segment,
                published_tallies.c.published_through,
            )
            .join(Partner, Partner.id == published_tallies.c.partner_id)
            .where(Partner.slug == slug)
        ).all()
    found = {}
    for kind, segment, through in rows:
        if kind == "all":
            found["overall"] = through
        elif kind == "quarter":
            found[f"quarter:{segment}"] = through
        elif (kind, segment) in names:
            found[names[(kind, segment)]] = through
    return found


def _exposed(count: int) -> bool:
    return 0 < count < K_ANONYMITY


def test_no_combination_of_published_sets_singles_out_fewer_than_k_answers(
    generated: None, api: GraphQLClient, db: Database
) -> None:
    """Every family alike: the withheld segments hold 0 or >= k answers; overall minus the
    shown segments leaves 0 or >= k answers with a non-zero weight; and no two shown sets
    (overall included) differ by 1 to k - 1 answers in either direction."""
    slugs = list(all_pages(api))
    checked = withheld_for_overlap = 0
    for slug in slugs:
        metrics = api.data(METRICS, {"slug": slug})["partner"]["metrics"]
        if metrics["nps"] is None:
            continue  # the overall figures are withheld too: nothing to subtract from
        sets = _answer_sets(db, slug, _published_through(db, slug))
        assert len(sets["overall"]) == metrics["responseCount"]
        shown = {"overall": sets["overall"]}
        for dimension, kind, name in (
            ("byIndustry", "industry", lambda item: item["industry"]["slug"]),
            ("trend", "quarter", lambda item: item["quarter"]),
            ("byProduct", "product", lambda item: item["product"]["slug"]),
        ):
            family = {f"{kind}:{name(item)}": item["figures"] for item in metrics[dimension]}
            for where, figures in family.items():
                assert len(sets[where]) == figures["responseCount"], (slug, where)
            visible = [w for w, f in family.items() if f["nps"] is not None]
            hidden = [w for w, f in family.items() if f["nps"] is None]
            assert not _exposed(sum(len(sets[w]) for w in hidden)), (slug, kind, hidden)
            weight = dict.fromkeys(sets["overall"], 1)
            for where in visible:
                for answer in sets[where]:
                    weight[answer] = weight.get(answer, 0) - 1
            assert not _exposed(sum(1 for w in weight.values() if w)), (slug, kind, visible)
            shown |= {where: sets[where] for where in visible}
            withheld_for_overlap += sum(
                1 for w in hidden if family[w]["responseCount"] >= K_ANONYMITY
            )
            checked += bool(hidden)
        for one, first in shown.items():
            for other, second in shown.items():
                assert not _exposed(len(first - second)), (slug, one, other)
    assert checked >= 10, "the generated data should withhold segments"
    assert withheld_for_overlap >= 1, "and some with k answers or more, for overlap"


# --- 4. reviews ------------------------------------------------------------------------------


def test_an_anonymous_review_shows_only_its_quarter_in_no_telling_order(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    # Ten answers: with twelve, healthcare's copy (answers 2-11) and the overall one (1-10)
    # would differ by one answer each way, and healthcare would be withheld for overlap.
    for number in range(10):
        industry = "retail" if number == 0 else "healthcare"
        answer(api, keys, number, 9, comment=f"review {number:02d}", industry=industry)
    reviews = api.data(METRICS, {"slug": "alpha-health"})["partner"]["reviews"]
    assert len(reviews) == 10  # published at 5 and 10 answers
    for review in reviews:
        assert review["anonymous"] is True
        assert review["submittedAt"] is None
        assert (review["respondentName"], review["respondentTitle"], review["company"]) == (
            None,
            None,
            None,
        )
        assert review["quarter"].startswith("20")
        assert not review["id"].isdigit()
    # Retail has one answer: its figures are withheld, so its one review names no industry,
    # and neither does any other anonymous review (it would stand out by its absence).
    assert {review["industry"] for review in reviews} == {None}
    order = [review["comment"] for review in reviews]
    assert order != sorted(order)
    assert order != sorted(order, reverse=True)


def test_market_insights_count_the_engagements_they_cover(
    db: Database, api: GraphQLClient, keys: dict[str, str]
) -> None:
    for number, score in enumerate([10, 9, 8, 7, 6]):
        answer(api, keys, number, score)
    market = api.data(MARKET)["marketInsights"]
    assert market["overall"]["engagementsCovered"] == 5  # one engagement per answer
    [peer] = [r for r in market["bySelectionReason"] if r["reason"] == "peer_referral"]
    assert peer["figures"]["engagementsCovered"] == 5
    assert peer["figures"]["responseCount"] == 5
