"""Several writers, a killed build, and a transaction that commits late."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from api.models import Partner
from search_index import Filters, SearchIndex, store
from search_index.engines import engine_named
from tests import factories
from tests.cli_runner import ROOT, paused
from tests.databases import Database
from tests.paused_vouch import SEARCH_INDEX


def _partners(db: Database, count: int) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number in range(count):
            factories.partner(session, world, f"partner-{number:04d}", industries=("retail",))


def _slugs(index: SearchIndex, db: Database, text: str) -> list[str]:
    with db.session() as session:
        page = index.search(
            session, text, filters=Filters(), offset=0, limit=50, order="relevance", market_nps=0
        )
    return [hit.slug for hit in page.hits]


def _rename(db: Database, slug: str, summary: str) -> None:
    from api.services import changes

    with db.session() as session, session.begin():
        partner = session.scalar(select(Partner).where(Partner.slug == slug))
        assert partner is not None
        partner.summary = summary
        changes.record(session, partner_id=partner.id, reason="profile")


def test_two_writer_processes_lose_no_update(
    db: Database, tmp_path: Path, search_engine: str
) -> None:
    _partners(db, 20)
    root = tmp_path / "index"
    with db.session() as session:
        SearchIndex(root, engine_named(search_engine)).build(session)
    stop = tmp_path / "stop"
    url = db.url.render_as_string(hide_password=False)
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.index_writer", str(root), url, str(stop), search_engine],
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    try:
        for number in range(20):
            _rename(db, f"partner-{number:04d}", f"codeword{number}x")
            time.sleep(0.05)
    finally:
        stop.touch()
        codes = [writer.wait(timeout=120) for writer in writers]
    assert codes == [0, 0]
    reader = SearchIndex(
        root, engine_named(search_engine)
    )  # a fresh process's view: it must have nothing left to do
    with db.session() as session:
        assert reader.backlog(session) == 0
    for number in range(20):
        assert _slugs(reader, db, f"codeword{number}x") == [f"partner-{number:04d}"]
    assert len(_slugs(reader, db, "retail")) == 20  # no partner lost or doubled


def test_a_killed_build_leaves_the_previous_index_serving(
    db: Database, tmp_path: Path, search_engine: str
) -> None:
    _partners(db, 600)
    root = tmp_path / "index"
    index = SearchIndex(root, engine_named(search_engine))
    with db.session() as session:
        index.build(session)
    before = store.current(root)
    # Paused once 250 of the 600 partners are in the new folder, however fast it builds.
    engine = {"VOUCH_SEARCH_ENGINE": search_engine}
    with paused(
        SEARCH_INDEX, 250, "index", "build", url=db.url, data_dir=tmp_path, settings=engine
    ) as build:
        assert list(root.glob(f"index-*{store.BUILDING}"))
        build.send_signal(signal.SIGKILL)
        assert build.wait(timeout=30) == -signal.SIGKILL
    assert store.current(root) == before
    assert _slugs(SearchIndex(root, engine_named(search_engine)), db, "partner-0042") == [
        "partner-0042"
    ]
    with db.session() as session:
        index.build(session)  # the next build clears what the killed one left
    assert not list(root.glob(f"index-*{store.BUILDING}"))
    assert [p.name for p in root.glob("index-*")] == [store.current(root).name]  # type: ignore[union-attr]


@pytest.mark.postgres
def test_a_change_committed_late_is_applied_by_a_later_sync(
    db: Database, tmp_path: Path, search_engine: str
) -> None:
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer, so ids commit in order")
    from api.services import changes

    _partners(db, 2)
    index = SearchIndex(tmp_path / "index", engine_named(search_engine))
    with db.session() as session:
        index.build(session)
    with db.session() as slow:  # closed (rolled back) even when an assertion fails
        slow.begin()
        early = slow.scalar(select(Partner).where(Partner.slug == "partner-0000"))
        assert early is not None
        early.summary = "latecomer"
        changes.record(slow, partner_id=early.id, reason="profile")  # takes the lower id
        slow.flush()
        _rename(db, "partner-0001", "punctual")  # a higher id, committed first
        assert _slugs(index, db, "punctual") == ["partner-0001"]
        assert _slugs(index, db, "latecomer") == []  # not committed: not seen, not lost
        slow.commit()
    assert _slugs(index, db, "latecomer") == ["partner-0000"]
