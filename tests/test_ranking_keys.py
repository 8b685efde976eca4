"""The default order reads stored ranking keys, and is exactly the ranking score's order."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, select, update

from api.metrics import TALLY_COLUMNS, Tally, market_nps, ranking_score
from api.models import Partner, published_market, published_tallies, ranking_basis
from api.readers.partners import PartnerFilter, page_of_partners
from api.services import ranking_keys
from tests import factories
from tests.databases import Database, count_statements
from tests.server import GraphQLClient

RANKED = """
query($first: Int, $after: String) {
  partners(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { slug metrics { rankingScore } } }
  }
}
"""
RANKED_COUNTED = "{ partners(first: 20) { totalCount edges { node { slug } } } }"
BY_NAME = "{ partners(first: 20, orderBy: NAME) { edges { node { slug } } } }"
BY_NAME_COUNTED = "{ partners(first: 20, orderBy: NAME) { totalCount edges { node { slug } } } }"


def _tally(rng: random.Random) -> dict[str, int]:
    counts = [rng.choice((0, 0, 1, 2, 5)) for _ in range(11)]
    return {f"lp_{score}": count for score, count in enumerate(counts)} | {"n": sum(counts)}


def seed(db: Database, partners: int, seed_value: int) -> float:
    """Partners with published figures (some under 5 answers, some none); the market NPS."""
    rng = random.Random(seed_value)
    market = dict.fromkeys(TALLY_COLUMNS, 0)
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(partners):
            row = factories.partner(session, world, f"p-{number:03d}", name=f"P {number % 7}")
            if number % 5 == 0:
                continue  # never published
            tally = _tally(rng)
            session.execute(
                insert(published_tallies).values(
                    partner_id=row.id, kind="all", segment="", invitations=tally["n"], **tally
                )
            )
            for name, value in tally.items():
                market[name] += value
        session.execute(insert(published_market).values(kind="all", segment="", **market))
        session.flush()
        ranking_keys.rebase(session)
    return market_nps(Tally.from_row(market))


def exact_order(db: Database, market: float) -> list[str]:
    with db.session() as session:
        rows = session.execute(
            select(Partner.slug, Partner.name, Partner.id, published_tallies).outerjoin(
                published_tallies,
                (published_tallies.c.partner_id == Partner.id)
                & (published_tallies.c.kind == "all"),
            )
        ).all()
    scored = []
    for row in rows:
        counts = {name: getattr(row, name) or 0 for name in TALLY_COLUMNS}
        score = ranking_score(Tally.from_row(counts), market)
        scored.append((-score, row.name, row.id, row.slug))
    return [slug for *_, slug in sorted(scored)]


def move_basis(db: Database, by: float) -> None:
    """The basis drifts from the market, as it does between two rebases."""
    with db.session() as session, session.begin():
        session.execute(update(ranking_basis).values(market_nps=ranking_basis.c.market_nps + by))


@pytest.mark.parametrize("drift", [0.0, 2.5, -9.0])
def test_pages_follow_the_exact_ranking_score_whatever_the_basis(
    db: Database, drift: float
) -> None:
    market = seed(db, 60, seed_value=7)
    # the keys stay as they were; only the market they were worked out at moves away
    move_basis(db, drift)
    expected = exact_order(db, market)

    found: list[str] = []
    with db.session() as session:
        for offset in range(0, 60, 7):
            page = page_of_partners(
                session=session, wanted=PartnerFilter(), offset=offset, limit=7, market_nps=market
            )
            found += [row.slug for row in page.rows]
            assert page.has_next == (offset + 7 < 60)
            assert page.total == 60

    assert found == expected


def test_a_publication_moves_the_partners_key(db: Database, api: GraphQLClient) -> None:
    market = seed(db, 12, seed_value=3)
    with db.session() as session, session.begin():
        last = session.scalar(select(Partner.id).where(Partner.slug == "p-011"))
        session.execute(
            update(published_tallies)
            .where(published_tallies.c.partner_id == last)
            .values(
                lp_10=published_tallies.c.lp_10 + 40,
                n=published_tallies.c.n + 40,
                invitations=published_tallies.c.invitations + 40,
            )
        )
        ranking_keys.refresh(session, [last])

    data = api.data(RANKED, {"first": 3})

    assert data["partners"]["edges"][0]["node"]["slug"] == "p-011"
    assert [e["node"]["slug"] for e in data["partners"]["edges"]] == exact_order(db, market)[:3]


def test_the_list_queries_cost_a_fixed_number_of_statements(
    db: Database, api: GraphQLClient
) -> None:
    seed(db, 45, seed_value=11)
    # On PostgreSQL the version's statement also sets the statement_timeout (issue 25).

    for first in (5, 20, 40):
        with count_statements(db.engine) as ranked:
            api.data(RANKED, {"first": first})
        # the version, the market NPS, the window's bound (the stored keys), the page, the
        # published figures; not counted unless asked for.
        assert len(ranked) == 5, ranked

    with count_statements(db.engine) as counted:
        api.data(RANKED_COUNTED)
    # the version, the market NPS, the window's bound with the count, the page
    assert len(counted) == 4

    with count_statements(db.engine) as by_name:
        api.data(BY_NAME)
    assert len(by_name) == 2  # the version and the page: no market, no count

    with count_statements(db.engine) as by_name_counted:
        api.data(BY_NAME_COUNTED)
    assert len(by_name_counted) == 2  # the version and the page with its count
