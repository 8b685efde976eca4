from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api import migrations
from api.db import create_db_engine, session_factory
from api.settings import Settings
from search_index import ENGINES
from tests import factories, pg_cluster
from tests.databases import Database, migrated_database, postgres_unavailable_reason
from tests.outside_parts import unavailable
from tests.pg_cluster import Cluster
from tests.server import GraphQLClient, running_server

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=ENGINES)
def search_engine(request: pytest.FixtureRequest) -> str:
    """Each search engine VOUCH_SEARCH_ENGINE can name: the search tests run on both."""
    engine: str = request.param
    return engine


@pytest.fixture(scope="session")
def postgres_reason() -> str | None:
    return postgres_unavailable_reason()


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_reason: str | None,
) -> Iterator[Database]:
    """One migrated database per backend for the whole run."""
    if request.param == "postgresql" and postgres_reason:
        unavailable(postgres_reason)
    with migrated_database(request.param, tmp_path_factory.mktemp(request.param)) as db:
        yield db


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    """The backend's database, empty at the start of each test and wiped after it."""
    database.wipe()
    yield database
    database.wipe()


@pytest.fixture(scope="session")
def server_url(database: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("data"), database_url=database.url, environment="test"
    )
    with running_server(settings, database.engine) as url:
        yield url


@pytest.fixture
def api(db: Database, server_url: str) -> Iterator[GraphQLClient]:
    with httpx.Client(timeout=30) as http:
        yield GraphQLClient(base_url=server_url, http=http)


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    """Two partners, alpha-health (healthcare) and bravo-retail (retail), and a key for each,
    for the vendors acme and globex, and for an admin."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        factories.partner(session, world, "bravo-retail", industries=("retail",))
        return {
            "acme": factories.key(session, "vendor", vendor="acme"),
            "globex": factories.key(session, "vendor", vendor="globex"),
            "alpha": factories.key(session, "partner", partner="alpha-health"),
            "bravo": factories.key(session, "partner", partner="bravo-retail"),
            "admin": factories.key(session, "admin"),
        }


@pytest.fixture
def tmp_data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def stoppable_server(tmp_path: Path) -> Iterator[tuple[Cluster, GraphQLClient, str]]:
    """The API in production mode on a PostgreSQL cluster of its own, to stop and start;
    one partner, alpha-health, and a key for it."""
    reason = pg_cluster.unavailable_reason()
    if reason:
        unavailable(reason)
    with pg_cluster.own_cluster() as cluster:
        migrations.upgrade(cluster.url)
        engine = create_db_engine(cluster.url)
        try:
            with session_factory(engine)() as session, session.begin():
                world = factories.reference_data(session)
                factories.partner(session, world, "alpha-health")
                key = factories.key(session, "partner", partner="alpha-health")
            settings = Settings(
                data_dir=tmp_path, database_url=cluster.url, environment="production"
            )
            with running_server(settings, engine) as url, httpx.Client(timeout=30) as http:
                yield cluster, GraphQLClient(base_url=url, http=http), key
        finally:
            engine.dispose()
