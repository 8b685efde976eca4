"""The load bench's accounting, proved on a small run: a few clients of the bench's mixed
traffic for a few seconds against an in-test server, then every write the clients were told
was done is found in the database, and the figures equal a rebuild (bench/bench_load.py runs
the same code with 50 clients against four workers)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.db import session_factory
from api.demo_data import load_demo_data
from api.services.figures_rebuild import rebuild
from api.settings import Settings
from bench import load_traffic
from search_index import index_for
from tests.databases import Database
from tests.server import running_server


@pytest.fixture
def loaded_server(db: Database, tmp_path: Path) -> Iterator[str]:
    load_demo_data(db.engine, partners=12, seed=1, progress=False)
    with session_factory(db.engine)() as session, session.begin():
        rebuild(session=session, publish_all=True)
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="test")
    with session_factory(db.engine)() as session:
        index_for(settings.index_dir).build(session, None)
    with running_server(settings, db.engine) as url:
        yield url


def test_every_acknowledged_write_of_a_short_load_run_is_in_the_database(
    db: Database, loaded_server: str
) -> None:
    # given: partner and vendor keys, and survey invitations made through the API
    slugs, keys, vendor_key, need = load_traffic.make_keys(db.engine, partners=3)
    confirmers = load_traffic.confirming_keys(db.engine, slugs[:8])
    tokens = asyncio.run(
        load_traffic.make_tokens(
            loaded_server, vendor_key, need, confirmers, engagements=8, per_engagement=5
        )
    )
    world = load_traffic.World(slugs, keys, vendor_key, need, tokens)
    before = load_traffic.versions(db.engine, list(keys))

    # when: four clients send the bench's mix for a few seconds
    results = asyncio.run(load_traffic.run_clients(loaded_server, world, clients=4, seconds=4))

    # then: no errors, writes were acknowledged, and each of them is in the database
    assert results.server_errors == 0
    assert results.failures == []
    assert results.submitted
    assert results.updates
    assert set(results.samples) == set(load_traffic.MIX)
    assert load_traffic.missing_writes(db.engine, results, before) == []
    assert load_traffic.figures_differ_from_rebuild(db.engine) == []


def test_the_accounting_notices_a_lost_write(db: Database, loaded_server: str) -> None:
    # given: a run's results that claim a submit and an edit the database never saw
    slugs, keys, _vendor_key, _need = load_traffic.make_keys(db.engine, partners=1)
    before = load_traffic.versions(db.engine, list(keys))
    results = load_traffic.Results()
    results.submitted.add(10**9)
    results.updates[slugs[0]].append((before[slugs[0]] + 1, "never written"))

    # then: both are reported missing
    assert len(load_traffic.missing_writes(db.engine, results, before)) == 2


def test_more_clients_than_pool_connections_are_served_without_waiting_for_the_pool(
    db: Database, loaded_server: str
) -> None:
    # given: more concurrent requests than one process has connections (15) and threads (16)
    slugs, keys, vendor_key, need = load_traffic.make_keys(db.engine, partners=3)
    world = load_traffic.World(slugs, keys, vendor_key, need, tokens=[])

    # when: forty clients read and edit for a few seconds
    mix = {"list": 1, "partner": 1, "update": 1}
    results = asyncio.run(
        load_traffic.run_clients(loaded_server, world, clients=40, seconds=3, mix=mix)
    )

    # then: none waited out the pool's 30 s timeout (a 500) or a request timeout
    assert results.failures == []
    assert results.server_errors == 0
    assert max(max(samples) for samples in results.samples.values()) < 10
