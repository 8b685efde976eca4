"""kill -9 in the middle of a bulk import or a load: the database holds no partial rows.

Each command runs as its own process (tests/paused_vouch.py) that stops once it has sent
part of its rows to the database in its open transaction; the test kills it there with
SIGKILL, as an out-of-memory killer or a pulled plug would, and counts the rows.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from api.services.imports import BATCH_ROWS
from api.settings import parse_database_url
from tests import factories
from tests.cli_runner import paused, vouch_at
from tests.databases import Database
from tests.dump_helpers import fill, row_counts

# Three batches of the import's: killed once the second is written, the third unread.
ROWS = 2 * BATCH_ROWS + 100


def killed_mid_way(table: str, inserts: int, *args: str, url: URL, data_dir: Path) -> None:
    """Run `vouch ARGS` until its INSERT number `inserts` into `table`, then SIGKILL it."""
    with paused(table, inserts, *args, url=url, data_dir=data_dir) as process:
        if url.get_backend_name() == "postgresql":
            assert writing(url), "the paused command has no write transaction open"
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL


def writing(url: URL) -> bool:
    """Whether a session of this PostgreSQL database holds a transaction that wrote rows."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return bool(connection.scalar(text(OPEN_WRITES)))
    finally:
        engine.dispose()


OPEN_WRITES = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND backend_xid IS NOT NULL"
)


def engagements_file(tmp_path: Path) -> Path:
    lines = ["partner_slug,customer_name,customer_domain,industry,status"]
    lines += [
        f"{('alpha-health', 'bravo-retail')[n % 2]},Customer {n},c{n}.example,"
        f"{('healthcare', 'retail', 'energy')[n % 3]},completed"
        for n in range(ROWS)
    ]
    path = tmp_path / "engagements.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_an_import_killed_mid_way_leaves_no_row(db: Database, tmp_path: Path) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")
        factories.partner(session, world, "bravo-retail")
    before = row_counts(db.engine)
    csv = engagements_file(tmp_path)

    killed_mid_way(
        "engagements", 2, "import", "engagements", str(csv), "--vendor", "acme",
        url=db.url, data_dir=tmp_path,
    )  # fmt: skip

    assert row_counts(db.engine) == before
    # And the same file imports whole afterwards.
    done = vouch_at("import", "engagements", str(csv), "--vendor", "acme", url=db.url, data_dir=tmp_path)  # fmt: skip  # noqa: E501
    assert done.returncode == 0, done.stderr
    assert row_counts(db.engine)["engagements"] == before["engagements"] + ROWS


def test_a_load_killed_mid_way_leaves_no_row(db: Database, tmp_path: Path) -> None:
    source = parse_database_url(f"sqlite:///{tmp_path / 'source.db'}")
    fill(source, tmp_path, partners=10)
    assert vouch_at("export", str(tmp_path / "dump"), url=source, data_dir=tmp_path).returncode == 0

    # survey_responses comes late: most tables are in by then, in the same transaction.
    killed_mid_way("survey_responses", 0, "load", str(tmp_path / "dump"), url=db.url, data_dir=tmp_path)  # fmt: skip  # noqa: E501

    assert set(row_counts(db.engine).values()) == {0}
    done = vouch_at("load", str(tmp_path / "dump"), url=db.url, data_dir=tmp_path)
    assert done.returncode == 0, done.stderr
