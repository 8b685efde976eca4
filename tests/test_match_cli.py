"""`vouch match`: the same ranking as the API, printed as a table."""

from __future__ import annotations

from pathlib import Path

from tests import factories
from tests.cli_runner import vouch
from tests.databases import Database
from tests.matching_world import answers, publish


def seed(db: Database) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        near = factories.partner(
            session, world, "near-clinic", offices=(("Oslo", "NO", 59.9, 10.7),)
        )
        far = factories.partner(
            session, world, "far-clinic", offices=(("Lima", "PE", -12.0, -77.0),)
        )
        answers(session, world, near.id, "healthcare", [10, 9, 9, 8, 10])
        answers(session, world, far.id, "healthcare", [10, 9, 9, 8, 10])
        publish(session)


def test_match_prints_a_table_best_first(db: Database, tmp_data_dir: Path) -> None:
    seed(db)
    result = vouch(
        "match",
        "--industry",
        "healthcare",
        "--product",
        "acme-crm",
        "--latitude",
        "59.9",
        "--longitude",
        "10.7",
        "--explain",
        db=db,
        data_dir=tmp_data_dir,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("near-clinic") < out.index("far-clinic")
    assert "proximity" in out
    assert "nearest office Oslo, NO, 0 km away" in out
    assert "5 verified engagements in healthcare" in out


def test_match_refuses_a_bad_need_in_one_line(db: Database, tmp_data_dir: Path) -> None:
    seed(db)
    result = vouch(
        "match",
        "--industry",
        "space-mining",
        "--weight",
        "proximity=-2",
        db=db,
        data_dir=tmp_data_dir,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("vouch: a weight must be between 0 and 100")
    assert "Traceback" not in result.stderr
    unknown = vouch("match", "--industry", "space-mining", db=db, data_dir=tmp_data_dir)
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "vouch: unknown industry slug 'space-mining'"
    nobody = vouch("match", "--language", "fi", db=db, data_dir=tmp_data_dir)
    assert nobody.returncode == 1
    assert "no partner passes" in nobody.stderr
