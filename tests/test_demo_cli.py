"""`vouch demo-data` fills a migrated database with a data set whose figures show."""

from __future__ import annotations

from pathlib import Path

from tests.cli_runner import vouch
from tests.databases import Database
from tests.server import GraphQLClient

FIGURES = """
{
  partners(first: 5) {
    totalCount
    edges { node { slug metrics { responseCount invitationCount rankingScore } } }
  }
  marketInsights { overall { responseCount nps { value } } }
}
"""


def test_demo_data_loads_and_its_figures_are_served(
    db: Database, api: GraphQLClient, tmp_path: Path
) -> None:
    result = vouch("demo-data", "--partners", "30", "--seed", "3", db=db, data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "live responses" in result.stdout
    data = api.data(FIGURES)
    assert data["partners"]["totalCount"] == 30
    scores = [edge["node"]["metrics"]["rankingScore"] for edge in data["partners"]["edges"]]
    assert scores == sorted(scores, reverse=True)
    assert any(e["node"]["metrics"]["responseCount"] > 0 for e in data["partners"]["edges"])
    assert data["marketInsights"]["overall"]["responseCount"] > 0

    again = vouch("demo-data", "--partners", "30", "--if-empty", db=db, data_dir=tmp_path)
    assert again.returncode == 0
    assert "already holds partners" in again.stdout
    assert api.data(FIGURES)["partners"]["totalCount"] == 30
