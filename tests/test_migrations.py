"""The migrations build the models' schema on both backends, and go down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import URL

from api import migrations
from api.db import create_db_engine
from api.models import Base
from api.settings import parse_database_url
from tests.databases import throwaway_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_reason: str | None
) -> Iterator[URL]:
    if request.param == "postgresql":
        if postgres_reason:
            pytest.skip(postgres_reason)
        with throwaway_postgres() as url:
            yield url
    else:
        yield parse_database_url(f"sqlite:///{tmp_path / 'm.db'}")


def tables(url: URL) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_leaves_the_models_schema(empty_url: URL) -> None:
    migrations.upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)

    migrations.downgrade(empty_url)
    assert tables(empty_url) == set()

    migrations.upgrade(empty_url)
    migrations.check(empty_url)  # raises when models and migrations disagree
    assert tables(empty_url) == set(Base.metadata.tables)
