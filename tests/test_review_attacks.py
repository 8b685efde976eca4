"""Reviews undo no withholding (issue 18, item 1): each attack, run as a buyer would on the
public API alone, recovers nothing.

1. the scores on a withheld partner's reviews give back its NPS, and those on reviews
   dated in a withheld quarter or named in a withheld industry give back those figures;
2. a copy of 1 to 4 answers lets those answers through as reviews;
3. named reviews' scores, taken from the overall figures, leave the anonymous ones;
4. the hidden industry (quarter) of an anonymous review follows by elimination when the
   hidden ones are exactly those of the segments not shown.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.demo_data import load_demo_data
from api.metrics import K_ANONYMITY
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement
from api.services.figures_rebuild import rebuild
from api.services.surveys import SurveyAnswers, create_invitation, submit_response
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, invite, record, submit

FIGURES = "responseCount nps { value n } ratings { name mean n }"
PARTNER = f"""
query($slug: String!) {{
  partner(slug: $slug) {{
    metrics {{
      {FIGURES}
      byIndustry {{ industry {{ slug name }} figures {{ {FIGURES} }} }}
      byProduct {{ product {{ slug }} figures {{ {FIGURES} }} }}
      trend {{ quarter figures {{ {FIGURES} }} }}
    }}
    reviews(first: 50) {{
      id quarter submittedAt likelihoodToRecommend ratingOverall comment anonymous industry
    }}
  }}
}}
"""
SLUGS = """
query($after: String) {
  partners(first: 100, after: $after) {
    edges { node { slug metrics { responseCount } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
MARKET = "{ marketInsights { bySelectionReason { reason figures { responseCount } } } }"
ADMIN = Caller(role="admin")


def slugs(api: GraphQLClient, key: str | None = None) -> dict[str, int]:
    """Every partner's slug and its (public or, with an admin key, live) answer count."""
    found: dict[str, int] = {}
    after = None
    while True:
        page = api.data(SLUGS, {"after": after}, key=key)["partners"]
        found |= {e["node"]["slug"]: e["node"]["metrics"]["responseCount"] for e in page["edges"]}
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


def nps(scores: list[int]) -> float:
    return 100 * (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) / len(scores)


@pytest.fixture
def generated(db: Database) -> None:
    """A 40-partner demo directory, published as `vouch demo-data` publishes it."""
    load_demo_data(db.engine, partners=40, seed=7, progress=False)
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)


# --- 1 and 2: scores beside withheld figures; copies under k --------------------------------


def test_reviews_give_back_no_withheld_figure(
    generated: None, api: GraphQLClient, db: Database
) -> None:
    with db.session() as session, session.begin():
        admin = factories.key(session, "admin")
    live = slugs(api, admin)
    few = [slug for slug, n in live.items() if 0 < n < K_ANONYMITY]
    assert few, "the demo data should hold partners with 1 to 4 answers"

    # when: a buyer reads every partner's figures and reviews
    recovered: dict[str, Any] = {}
    for slug in live:
        partner = api.data(PARTNER, {"slug": slug})["partner"]
        metrics, reviews = partner["metrics"], partner["reviews"]
        scored = [r for r in reviews if r["likelihoodToRecommend"] is not None]
        # the attack: the scores on the reviews of a partner whose NPS is withheld ...
        if metrics["nps"] is None and scored:
            recovered[slug] = nps([r["likelihoodToRecommend"] for r in scored])
        # ... of a withheld quarter, and of a withheld industry
        for item in metrics["trend"]:
            if item["figures"]["nps"] is None:
                inside = [r for r in scored if r["quarter"] == item["quarter"]]
                if inside:
                    recovered[f"{slug} {item['quarter']}"] = [
                        r["likelihoodToRecommend"] for r in inside
                    ]
        for item in metrics["byIndustry"]:
            if item["figures"]["nps"] is None:
                inside = [r for r in scored if r["industry"] == item["industry"]["name"]]
                if inside:
                    recovered[f"{slug} {item['industry']['slug']}"] = [
                        r["likelihoodToRecommend"] for r in inside
                    ]

    # then: nothing
    assert recovered == {}


def test_no_published_figure_rests_on_one_to_four_answers(
    generated: None, api: GraphQLClient
) -> None:
    counts: dict[str, int] = {}
    for slug in slugs(api):
        metrics = api.data(PARTNER, {"slug": slug})["partner"]["metrics"]
        counts[slug] = metrics["responseCount"]
        for dimension, name in (("byIndustry", "industry"), ("byProduct", "product")):
            for item in metrics[dimension]:
                counts[f"{slug} {item[name]['slug']}"] = item["figures"]["responseCount"]
        for item in metrics["trend"]:
            counts[f"{slug} {item['quarter']}"] = item["figures"]["responseCount"]
    for item in api.data(MARKET)["marketInsights"]["bySelectionReason"]:
        counts[item["reason"]] = item["figures"]["responseCount"]

    small = {where: n for where, n in counts.items() if 0 < n < K_ANONYMITY}
    assert small == {}
    assert any(n >= K_ANONYMITY for n in counts.values())


def test_reviews_of_a_partner_under_five_answers_stay_unpublished(
    generated: None, api: GraphQLClient, db: Database
) -> None:
    with db.session() as session, session.begin():
        admin = factories.key(session, "admin")
    few = [slug for slug, n in slugs(api, admin).items() if 0 < n < K_ANONYMITY]
    shown = {slug: api.data(PARTNER, {"slug": slug})["partner"]["reviews"] for slug in few}
    assert {slug: reviews for slug, reviews in shown.items() if reviews} == {}


# --- 3: named scores taken from the totals ---------------------------------------------------


@pytest.fixture
def vendor_key(db: Database) -> str:
    """acme's key; alpha-health's key confirms what acme records (PARTNER_KEY)."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(
            session, world, "alpha-health", industries=("healthcare", "retail", "energy")
        )
        PARTNER_KEY["alpha-health"] = factories.key(session, "partner", partner="alpha-health")
        return factories.key(session, "vendor", vendor="acme")


PARTNER_KEY: dict[str, str] = {}


def answer(api: GraphQLClient, key: str, number: int, score: int, **values: Any) -> None:
    """One engagement recorded by acme and confirmed by alpha-health, and its answer."""
    domain = f"customer{number}.example"
    industry = values.pop("industry", "healthcare")
    engagement = record(
        api,
        key,
        PARTNER_KEY["alpha-health"],
        **engagement_input("alpha-health", customerDomain=domain, industry=industry),
    )
    token = invite(api, key, engagement, f"cio@{domain}")
    assert submit(api, token, likelihoodToRecommend=score, **values)["accepted"] is True


def test_named_scores_leave_no_anonymous_answer_by_subtraction(
    api: GraphQLClient, vendor_key: str
) -> None:
    # given: four named respondents and one anonymous one
    for number, (score, rating) in enumerate([(10, 5), (9, 4), (8, 4), (3, 2)]):
        answer(
            api,
            vendor_key,
            number,
            score,
            ratingOverall=rating,
            comment=f"named {number}",
            anonymous=False,
            respondentName=f"Person {number}",
        )
    answer(api, vendor_key, 4, 0, ratingOverall=1, comment="anonymous", anonymous=True)

    # when: a buyer takes the named reviews' answers from the published totals
    partner = api.data(PARTNER, {"slug": "alpha-health"})["partner"]
    metrics = partner["metrics"]
    assert metrics["responseCount"] == 5
    assert metrics["nps"] is not None
    [overall] = [r for r in metrics["ratings"] if r["name"] == "overall"]
    named = [r for r in partner["reviews"] if not r["anonymous"]]
    assert len(named) == 4
    ratings = [r["ratingOverall"] for r in named]
    scores = [r["likelihoodToRecommend"] for r in named]

    # then: the named reviews give no answer to take away, so nothing is left over
    assert ratings == [None] * 4
    assert scores == [None] * 4
    assert overall["mean"] == pytest.approx((5 + 4 + 4 + 2 + 1) / 5)  # the total still shows


# --- 4: elimination ----------------------------------------------------------------------------


def test_the_hidden_industry_of_an_anonymous_review_follows_by_no_elimination(
    api: GraphQLClient, vendor_key: str
) -> None:
    # given: two anonymous retail answers, three energy ones, then ten healthcare ones; the
    # overall figures are published at 5, 10 and 15 answers, healthcare's at 5 and 10.
    # Healthcare can be shown: the overall figures minus it leave five answers, and the
    # withheld industries hold five together (with retail alone beside healthcare, the
    # overall minus healthcare would leave two, and no industry could be shown at all).
    truth = {}
    for number in range(15):
        industry = "retail" if number < 2 else "energy" if number < 5 else "healthcare"
        truth[f"review {number:02d}"] = industry
        answer(api, vendor_key, number, 9, industry=industry, comment=f"review {number:02d}")

    # when: a buyer reads the reviews beside the industries whose figures are shown
    partner = api.data(PARTNER, {"slug": "alpha-health"})["partner"]
    shown = {
        item["industry"]["slug"]
        for item in partner["metrics"]["byIndustry"]
        if item["figures"]["nps"] is not None
    }
    assert shown == {"healthcare"}  # retail's two answers and energy's three are withheld
    reviews = partner["reviews"]
    assert len(reviews) == 15
    hidden = [r["comment"] for r in reviews if r["industry"] is None]

    # then: the reviews that hide their industry are not those of the withheld ones alone,
    # so "hidden, hence retail or energy" is wrong for most of them
    assert hidden
    assert {truth[comment] for comment in hidden} == {"healthcare", "retail", "energy"}
    assert all(r["industry"] is None for r in reviews if r["anonymous"])


def test_the_hidden_quarter_of_an_anonymous_review_follows_by_no_elimination(
    db: Database, api: GraphQLClient
) -> None:
    # given: eight anonymous answers in 2026-Q2, then two in 2026-Q3: the overall figures
    # count all ten, 2026-Q2's copy five (its next step is at ten), 2026-Q3 has none
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
    moments = [datetime(2026, 5, 1 + day, 10, tzinfo=UTC) for day in range(8)]
    moments += [datetime(2026, 7, 1 + day, 10, tzinfo=UTC) for day in range(2)]
    truth = {}
    for number, moment in enumerate(moments):
        truth[f"review {number}"] = "2026-Q2" if moment.month < 7 else "2026-Q3"
        with db.session() as session, session.begin():
            draft = EngagementDraft(
                partner_slug="alpha-health",
                customer_name=f"Customer {number}",
                customer_domain=f"customer{number}.example",
                industry="healthcare",
                status="completed",
            )
            engagement = record_engagement(session=session, caller=ADMIN, draft=draft)
            _, token = create_invitation(
                session=session,
                caller=ADMIN,
                engagement_id=engagement.id,
                email=f"cio@customer{number}.example",
                now=moment - timedelta(days=1),
            )
            answers = SurveyAnswers(likelihood_to_recommend=9, comment=f"review {number}")
            submit_response(session=session, token=token, answers=answers, now=moment)

    # when: a buyer reads the reviews beside the quarters whose figures are shown
    partner = api.data(PARTNER, {"slug": "alpha-health"})["partner"]
    shown = {
        item["quarter"]
        for item in partner["metrics"]["trend"]
        if item["figures"]["nps"] is not None
    }
    assert shown == {"2026-Q2"}
    reviews = partner["reviews"]
    assert len(reviews) == 10

    # then: no review dates itself in a quarter whose figures are not shown, and those
    # that hide their quarter are of both quarters, so elimination places none
    assert {r["quarter"] for r in reviews} <= shown | {None}
    hidden = [r["comment"] for r in reviews if r["quarter"] is None]
    assert {truth[comment] for comment in hidden} == {"2026-Q2", "2026-Q3"}
