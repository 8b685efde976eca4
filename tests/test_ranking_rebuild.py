"""A figures rebuild leaves the ranked list and ranked search exactly as it found them.

The stored ranking keys (api/services/ranking_keys.py) are a function of the published
figures alone: publishing answer by answer and rebuilding everything from the responses
give the same keys, so no order moves while no published figure did.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.models import Partner
from api.services.figures_rebuild import rebuild
from api.settings import Settings
from search_index import index_for
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient, running_server
from tests.survey_flow import responses

RANKED_PAGE = """
query($after: String) {
  partners(first: 3, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { slug metrics { rankingScore } } }
  }
}
"""
RANKED_SEARCH = """
{ search(query: "", first: 100, orderBy: RANKING_SCORE) { edges { node { slug } } } }
"""
# Each partner's engagements, in the order they are answered: one list of scores each.
# Published in steps of five: (n, promoters, detractors) and the score (n NPS + 10 m)/(n + 10)
# at the market m = 100 (24 - 16) / 50 = 16.
ANSWERS: dict[str, list[list[int]]] = {
    "aspen": [[10, 10, 9, 9, 8]],  # 5, 4, 0: NPS 80, (400 + 160) / 15 = 37.33
    "beech": [[0, 3, 6, 9, 10], [10, 10, 10, 9, 9]],  # 10, 7, 3: 40, 560 / 20 = 28
    "cherry": [[7, 8, 7, 8, 9]],  # 5, 1, 0: 20, 260 / 15 = 17.33
    "damson": [[10, 9, 9, 10, 2], [0, 1, 2, 3, 4]],  # 10, 4, 6: -20, -40 / 20 = -2
    "eucalyptus": [[9, 9]],  # under five: the market, 16
    "fir": [],  # the market, 16
    "ginkgo": [[5, 6, 10, 10, 10], [8, 8, 8, 8, 8], [10, 10, 10, 0, 0]],  # 15, 6, 4: 14.4
    "hazel": [[3, 3, 3, 9, 10]],  # 5, 2, 3: -20, 60 / 15 = 4
}
RANKED = ["aspen", "beech", "cherry", "eucalyptus", "fir", "ginkgo", "hazel", "damson"]


@dataclass
class Directory:
    api: GraphQLClient
    db: Database

    def ranked(self) -> list[tuple[str, float]]:
        """Every partner in the default order, page by page as a client walks it."""
        found: list[tuple[str, float]] = []
        after = None
        while True:
            page: dict[str, Any] = self.api.data(RANKED_PAGE, {"after": after})["partners"]
            found += [
                (e["node"]["slug"], e["node"]["metrics"]["rankingScore"]) for e in page["edges"]
            ]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    def searched(self) -> list[str]:
        return [e["node"]["slug"] for e in self.api.data(RANKED_SEARCH)["search"]["edges"]]

    def keys(self) -> dict[str, float]:
        with self.db.session() as session:
            rows = session.execute(select(Partner.slug, Partner.ranking_key)).all()
            return dict(rows)


@pytest.fixture
def directory(db: Database, tmp_path: Path) -> Iterator[Directory]:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in ANSWERS:
            factories.partner(session, world, slug, name=f"{slug.title()} Partners")
        key = factories.key(session, "admin")  # an admin's records count at once
    settings = Settings(data_dir=tmp_path / "data", database_url=db.url, environment="test")
    with db.session() as session:
        index_for(settings.index_dir).build(session)
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        api = GraphQLClient(url, http)
        # Round by round, so that the market moves between one partner's publications.
        for round_number in range(3):
            for slug, engagements in ANSWERS.items():
                if round_number < len(engagements):
                    responses(api, key, slug, engagements[round_number], partner_key=None)
        yield Directory(api, db)


def test_a_rebuild_after_publication_changes_no_key_and_no_order(directory: Directory) -> None:
    # given: figures published answer by answer through the survey, as buyers read them
    ranked, searched, keys = directory.ranked(), directory.searched(), directory.keys()
    assert [slug for slug, _ in ranked] == RANKED
    assert sorted(searched) == sorted(RANKED)

    # when: the operator rebuilds every figure from the responses
    with directory.db.session() as session, session.begin():
        rebuild(session=session)

    # then: the same published figures, so the same keys, list and search order
    assert directory.keys() == keys
    assert directory.ranked() == ranked
    assert directory.searched() == searched
