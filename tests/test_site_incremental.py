"""Incremental `vouch site build`: a change shows in the next build, only the files it
touches are written again (the others stay the published ones' hard links), and the
result is byte for byte what a full build of the same data gives."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.demo_data import load_demo_data
from api.models import Partner, SurveyResponse, change_log
from api.services import changes
from api.services.apikeys import Caller
from api.services.figures_rebuild import rebuild
from api.services.partners import NewPartner, create_partner
from api.services.profile import update_profile
from api.services.surveys import void_response
from directory_site import build as build_module
from directory_site import content
from directory_site.build import build_site
from directory_site.build_lock import spare_folder
from tests import test_cache_parts
from tests.cli_runner import start, vouch
from tests.databases import Database, count_statements
from tests.server import GraphQLClient

# The served API and its seeded world, for a publication made as customers make it
served, client, keys = test_cache_parts.served, test_cache_parts.client, test_cache_parts.keys
publish_five_answers = test_cache_parts.publish_five_answers

# The manifest, and what every partner shows on the lists (directory_site/listed.py), kept
# in one file the build reads back: rewritten once any partner's changed.
ALWAYS = {".vouch-build/manifest.json", ".vouch-build/listed.jsonl", ".vouch-site"}
# The search box's static index is updated when a partner's record changes (its name,
# summary, industries, products or cities), with its state, and carried over when none did.
SEARCH = {"vouch-search/", ".vouch-build/search-state.json"}


def files(site: Path) -> dict[str, tuple[int, str]]:
    """Every file of the site: its inode and a hash of its bytes; the static search index
    (vouch-search/) as one entry."""
    found = {
        path.relative_to(site).as_posix(): (
            path.stat().st_ino,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
        for path in site.rglob("*")
        if path.is_file()
    }
    index = sorted((name, seen) for name, seen in found.items() if name.startswith("vouch-search/"))
    for name, _seen in index:
        del found[name]
    if index:
        inodes = hash(tuple(inode for _name, (inode, _digest) in index))
        found["vouch-search/"] = (inodes, repr([(name, digest) for name, (_i, digest) in index]))
    return found


def search_records(site: Path) -> list[list[str]]:
    """What the static search index shows of each partner: [page, name, summary]."""
    chunks = (site / "vouch-search" / "docs").glob("*.json.gz")
    return [row for path in chunks for row in json.loads(gzip.decompress(path.read_bytes()))]


def written(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> set[str]:
    """The files the build wrote, added or removed (a carried file keeps its inode)."""
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def showing(site: Path, slug: str) -> set[str]:
    """The pages that link to the partner's page (the lists and the home page it is on)."""
    return {
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if f"partners/{slug}.html" in path.read_text()
    }


def build(db: Database, out: Path, locks: Path, *, full: bool = False) -> str:
    with db.session() as session:
        return str(build_site(session, out, lock_dir=locks, full=full))


def _edit(db: Database, **changed: str) -> str:
    """The first partner's profile changed as a partner changes it; its slug."""
    with db.session() as session, session.begin():
        partner = session.scalars(select(Partner).order_by(Partner.id).limit(1)).one()
        update_profile(
            session=session,
            caller=Caller(role="admin"),
            slug=partner.slug,
            expected_version=partner.version,
            changes=changed,
        )
        return partner.slug


@pytest.fixture
def site(db: Database, tmp_path: Path) -> Path:
    """A demo directory of 20 partners, its site built once."""
    load_demo_data(db.engine, partners=20, seed=4, progress=False)
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)
    out = tmp_path / "site"
    assert build(db, out, tmp_path / "locks").startswith("full")
    return out


def same_as_full(db: Database, site: Path, tmp_path: Path) -> None:
    full = tmp_path / "full"
    assert build(db, full, tmp_path / "locks", full=True).startswith("full")
    ours = {name: digest for name, (_inode, digest) in files(site).items()}
    theirs = {name: digest for name, (_inode, digest) in files(full).items()}
    # The build's own record differs only in the missing change ids it still looks for: a
    # full build looks back GAP_LOOKBACK ids, an incremental one keeps every id it has not
    # seen since its first build (ids of rows other tests wiped are missing here too).
    manifest = ".vouch-build/manifest.json"
    assert ours.pop(manifest)
    assert theirs.pop(manifest)
    records = [json.loads((folder / manifest).read_text()) for folder in (site, full)]
    gaps = [set(record["place"].pop("gaps")) for record in records]
    assert gaps[1] <= gaps[0]
    assert records[0] == records[1]
    assert ours == theirs


def test_an_edit_rewrites_the_partner_page_and_the_pages_listing_it_only(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: a built site, and a partner's summary edited since
    slug = _edit(db, summary="Now with a brand new summary")
    listing = showing(site, slug) - {f"partners/{slug}.html"}
    before = files(site)

    # when: the next build runs
    how = build(db, site, tmp_path / "locks")

    # then: it was incremental, the summary shows, and only the partner's page, the pages
    # that list it (its summary is in every list row) and the index files were written
    assert how.startswith("incremental, 1 partner pages redone")
    lists = [p for p in listing if p.split("/")[0] in ("industries", "products", "countries")]
    assert f"; {len(lists)} lists redone:" in how, (how, lists)
    assert "Now with a brand new summary" in (site / "partners" / f"{slug}.html").read_text()
    assert listing
    assert all("Now with a brand new summary" in (site / p).read_text() for p in listing)
    assert written(before, files(site)) == {f"partners/{slug}.html", *listing, *ALWAYS, *SEARCH}
    # and the static search has the new summary
    assert "brand new summary" in json.dumps(search_records(site))
    same_as_full(db, site, tmp_path)


def test_a_new_partner_gets_its_page_and_joins_the_counts(
    db: Database, site: Path, tmp_path: Path
) -> None:
    with db.session() as session, session.begin():
        create_partner(
            session=session,
            actor="test",
            new=NewPartner(slug="newcomer-labs", name="Newcomer Labs", summary="Brand new"),
        )
    before = files(site)

    how = build(db, site, tmp_path / "locks")

    assert how.startswith("incremental, 1 partner pages redone")
    assert "Newcomer Labs" in (site / "partners" / "newcomer-labs.html").read_text()
    names = json.loads((site / "data" / "names.json").read_text())
    assert {"slug": "newcomer-labs", "name": "Newcomer Labs"} in names
    assert "21 partners" in (site / "index.html").read_text()
    # 20 partners before: the home page, the open data (4 files) and the new partner's two
    assert written(before, files(site)) == {
        "partners/newcomer-labs.html",
        "data/compare/newcomer-labs.json",
        "index.html",
        "open-data.html",
        "data/names.json",
        "data/partners.json",
        "data/partners.csv",
        ".vouch-build/open-data.sha256",  # the open data's fingerprint, kept with it
        *ALWAYS,
        *SEARCH,
    }
    same_as_full(db, site, tmp_path)


def test_a_withdrawn_answer_and_a_gone_partner_show_in_the_next_build(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: an answer voided (its figures withdrawn, the market moves) ...
    with db.session() as session, session.begin():
        response = session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).first()
        assert response is not None
        void_response(session=session, actor="test", response_id=response.id, reason="fraud!")
    how = build(db, site, tmp_path / "locks")
    assert how.startswith("incremental")
    same_as_full(db, site, tmp_path)

    # ... then a partner that was built removed (its row gone, the change recorded)
    with db.session() as session, session.begin():
        create_partner(
            session=session, actor="test", new=NewPartner(slug="short-lived", name="Short Lived")
        )
    build(db, site, tmp_path / "locks")
    slug = "short-lived"
    with db.session() as session, session.begin():
        gone = session.scalars(select(Partner).where(Partner.slug == slug)).one()
        changes.record(session, partner_id=gone.id, reason="profile")
        session.delete(gone)
    before = files(site)
    assert f"partners/{slug}.html" in before

    how = build(db, site, tmp_path / "locks")

    assert "1 gone or moved" in how
    after = files(site)
    assert f"partners/{slug}.html" not in after
    assert f"data/compare/{slug}.json" not in after
    assert f"/partners/{slug}.html" not in json.dumps(search_records(site))
    same_as_full(db, site, tmp_path)


def test_nothing_changed_writes_nothing_but_the_records(
    db: Database, site: Path, tmp_path: Path
) -> None:
    before = files(site)
    how = build(db, site, tmp_path / "locks")
    assert how.startswith("incremental, 0 partner pages redone")
    assert written(before, files(site)) <= ALWAYS


def test_full_redoes_every_file_and_a_change_to_everyone_forces_it(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # --full from the command line: every file written again, the same bytes
    before = files(site)
    result = vouch("site", "build", "--full", "--out", str(site), db=db, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "built the site at" in result.stdout
    after = files(site)
    assert {name for name in after if after[name][0] == before.get(name, (0, ""))[0]} == set()
    assert {n: d for n, (_i, d) in after.items()} == {n: d for n, (_i, d) in before.items()}
    # a change to every partner (a figures rebuild records one) makes the next one full
    with db.session() as session, session.begin():
        changes.record(session, partner_id=None, reason="everything")
    assert build(db, site, tmp_path / "locks").startswith("full: change")


def test_a_killed_incremental_build_leaves_the_previous_site(
    db: Database, site: Path, tmp_path: Path
) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only: the build reads the same figures value on PostgreSQL")
    # given: every partner changed since the last build (so the build has work to do)
    with db.session() as session, session.begin():
        for partner_id in session.scalars(select(Partner.id)):
            changes.record(session, partner_id=partner_id, reason="profile")
    before = files(site)
    # when: the incremental build is killed once it started carrying the site over
    build_process = start(
        "site",
        "build",
        "--out",
        str(site),
        url=db.url,
        data_dir=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".site.building-*/site/index.html")):
        assert time.monotonic() < deadline, "the build never started carrying the site over"
        if build_process.poll() is not None:
            pytest.skip("the build ended before it could be killed")
        time.sleep(0.005)
    os.killpg(build_process.pid, signal.SIGKILL)
    build_process.wait(timeout=30)
    # then: the published site is untouched, bytes and inodes
    assert files(site) == before
    # and the next build redoes what the killed one did not
    result = vouch("site", "build", "--out", str(site), db=db, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "incremental, 20 partner pages redone" in result.stdout
    same_as_full(db, site, tmp_path)


def test_a_publication_shows_in_the_next_incremental_build(
    db: Database, client: GraphQLClient, keys: dict[str, str], tmp_path: Path
) -> None:
    # given: a site built while alpha-health had no answers
    out, locks = tmp_path / "site", tmp_path / "locks"
    assert build(db, out, locks).startswith("full")
    page = out / "partners" / "alpha-health.html"
    assert "not published yet: fewer than 5 verified answers" in page.read_text()

    # when: its first five answers are submitted through the API (a publication, and the
    # market's first figures: every partner page reads the market)
    publish_five_answers(client, keys, "alpha-health")
    how = build(db, out, locks)

    # then: the next build is incremental and shows them, as a full build would
    assert how.startswith("incremental")
    assert "not published yet: fewer than 5 verified answers" not in page.read_text()
    assert "<td>5 (last published " in page.read_text()
    same_as_full(db, out, tmp_path)


def test_a_database_restored_from_an_older_backup_gets_a_full_build(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: a site built after an edit (so it stands on that change-log row) ...
    with db.session() as session, session.begin():
        first, second = session.scalars(select(Partner).order_by(Partner.id).limit(2)).all()
        update_profile(
            session=session,
            caller=Caller(role="admin"),
            slug=first.slug,
            expected_version=first.version,
            changes={"summary": "Edited before the backup was restored"},
        )
    assert build(db, site, tmp_path / "locks").startswith("incremental")
    # ... then the database restored from a backup older than that edit (its row gone), and
    # an edit made after the restore (SQLite gives its row the same id again)
    with db.session() as session, session.begin():
        top = session.scalar(select(func.max(change_log.c.id)))
        session.execute(change_log.delete().where(change_log.c.id >= top))
        update_profile(
            session=session,
            caller=Caller(role="admin"),
            slug=second.slug,
            expected_version=second.version,
            changes={"summary": "Edited after the restore"},
        )
        slug = second.slug

    # when: the next build runs
    how = build(db, site, tmp_path / "locks")

    # then: it knows the log is not the one it stood on, builds everything, and shows the edit
    assert how.startswith("full: the change log is not the one the site was built from")
    assert "Edited after the restore" in (site / "partners" / f"{slug}.html").read_text()


def _offices_read(statements: list[str]) -> int:
    """How many batches of partners' offices the statements read."""
    return sum(bool(re.search(r"\bFROM offices\s", statement)) for statement in statements)


def test_an_incremental_build_reads_from_the_database_only_the_partners_that_changed(
    db: Database, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: 20 partners read 5 at a time, and one partner's summary edited since the build
    monkeypatch.setattr(content, "BATCH", 5)
    _edit(db, summary="Read again, alone")

    # when: the next build runs
    with count_statements(db.engine) as statements:
        how = build(db, site, tmp_path / "locks")

    # then: the lists' reads (offices among them) are one batch, the edited partner's; the
    # other 19 come from what the published site kept of them, and the result is a full
    # build's (which reads all four batches)
    assert how.startswith("incremental, 1 partner pages redone"), how
    assert _offices_read(statements) == 1
    same_as_full(db, site, tmp_path)
    with count_statements(db.engine) as statements:
        build(db, tmp_path / "again", tmp_path / "locks", full=True)
    assert _offices_read(statements) == 4


def test_an_edit_no_list_shows_rewrites_the_partner_page_and_no_list(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: a partner's description edited (its page shows it and the search box searches
    # it, as the API does; no list or the open data shows it)
    before = files(site)
    slug = _edit(db, description="A description only its own page shows.")

    # when: the next build runs
    how = build(db, site, tmp_path / "locks")

    # then: no list was made again; its page, the search index and the build's record are
    # all that was written
    assert "; 0 lists redone:" in how, how
    assert "A description only its own page shows." in (site / f"partners/{slug}.html").read_text()
    assert written(before, files(site)) == {f"partners/{slug}.html"} | ALWAYS | SEARCH
    same_as_full(db, site, tmp_path)


def test_a_damaged_record_of_the_lists_makes_the_build_read_every_partner(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: what the published site kept of every partner's lists cut short (a disk that
    # filled, a hand that edited it), and an edit since
    kept = site / ".vouch-build" / "listed.jsonl"
    lines = kept.read_text().splitlines()
    kept.write_text("\n".join(lines[: len(lines) // 2]) + '\n["not a row"\n')
    slug = _edit(db, summary="Shown though the record was damaged")

    # when: the next build runs
    build(db, site, tmp_path / "locks")

    # then: every list still shows every partner, as a full build does
    assert "Shown though the record was damaged" in (site / "index.html").read_text() or any(
        "Shown though the record was damaged" in (site / page).read_text()
        for page in showing(site, slug)
        if page != f"partners/{slug}.html"
    )
    same_as_full(db, site, tmp_path)


def test_a_large_directory_s_search_index_is_written_by_a_process_the_same(
    db: Database, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the static index written by a process of its own from the first record on
    # (as from 20,000 partners), and a summary edited since the thread-written build
    monkeypatch.setattr(build_module, "SEARCH_IN_A_PROCESS", 1)
    _edit(db, summary="Written by a worker process")

    # when: the next build runs
    build(db, site, tmp_path / "locks")

    # then: the index holds the new summary, and is what a full build's thread writes
    assert "Written by a worker process" in json.dumps(search_records(site))
    monkeypatch.setattr(build_module, "SEARCH_IN_A_PROCESS", 10**9)
    same_as_full(db, site, tmp_path)


def test_an_edit_writes_the_search_files_it_changed_and_carries_the_others(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: every file of the published static search index: its inode and bytes
    def index_files() -> dict[str, tuple[int, bytes]]:
        folder = site / "vouch-search"
        return {
            path.relative_to(folder).as_posix(): (path.stat().st_ino, path.read_bytes())
            for path in folder.rglob("*")
            if path.is_file()
        }

    before = index_files()

    # when: a partner's summary is edited, and the next build runs
    _edit(db, summary="A record of its own in the search index")
    build(db, site, tmp_path / "locks")

    # then: the files whose bytes changed were written (the edited partner's words, its
    # chunk of hits, the index's token); every other file is the published one itself
    after = index_files()
    assert before.keys() == after.keys()
    changed = {name for name in after if after[name][1] != before[name][1]}
    assert {"index.json", "docs/0.json.gz"} <= changed
    assert any(name.startswith("terms/") for name in changed)
    kept = after.keys() - changed
    assert kept, "an edit rewrote every file of the static index"
    assert all(after[name][0] == before[name][0] for name in kept)
    assert "A record of its own in the search index" in json.dumps(search_records(site))
    same_as_full(db, site, tmp_path)


def test_the_open_data_is_carried_when_unchanged_and_made_again_when_missing(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: a summary edited (the open data shows no summary) and, in the published
    # site, its CSV gone
    before = files(site)
    (site / "data" / "partners.csv").unlink()
    _edit(db, summary="A summary the open data does not show.")

    # when: the next build runs
    build(db, site, tmp_path / "locks")

    # then: the CSV is there again, the JSON files are the published ones (carried, not
    # made again), and the whole is what a full build makes
    after = files(site)
    assert after["data/partners.csv"][1] == before["data/partners.csv"][1]
    assert after["data/partners.json"] == before["data/partners.json"]
    assert after["data/names.json"] == before["data/names.json"]
    same_as_full(db, site, tmp_path)


def test_the_site_a_build_replaced_is_the_next_one_s_start(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: after the full build no spare site is kept (it would be a second copy of
    # every file); after an incremental one the site it replaced is, in the data folder
    locks = tmp_path / "locks"
    spare = spare_folder(site, locks)
    assert not spare.exists()
    _edit(db, summary="First of two edits")
    build(db, site, locks)
    assert spare.is_dir()
    assert not any(p.name.endswith(".spare") for p in site.parent.iterdir())

    # and: the spare damaged as a killed build could leave it (a file of its own, a
    # folder gone, a page with other bytes)
    (spare / "stray.html").write_text("not a page of the site")
    shutil.rmtree(spare / "countries")
    page = next((spare / "partners").glob("*.html"))
    page.unlink()
    page.write_text("other bytes")
    before = files(site)

    # when: a second edit, and the next build starts from the spare
    slug = _edit(db, summary="Second of two edits")
    how = build(db, site, locks)

    # then: the site is what a full build makes, its untouched files the published
    # ones (the same inodes), and the damage is gone
    assert how.startswith("incremental, 1 partner pages redone"), how
    after = files(site)
    assert not (site / "stray.html").exists()
    assert (site / "countries").is_dir()
    assert "Second of two edits" in (site / "partners" / f"{slug}.html").read_text()
    kept = [name for name in after if name in before and after[name] == before[name]]
    assert f"partners/{page.name}" in kept or page.name == f"{slug}.html"
    assert len(kept) > len(after) // 2
    same_as_full(db, site, tmp_path)

    # and: a full build drops the spare
    build(db, site, locks, full=True)
    assert not spare.exists()


def test_an_edit_the_open_data_shows_writes_it_again(
    db: Database, site: Path, tmp_path: Path
) -> None:
    # given: a partner's website edited (the open data shows it; no list does)
    slug = _edit(db, website="https://a-new-address.example")

    # when: the next build runs (incremental: the rows of the published site are kept)
    how = build(db, site, tmp_path / "locks")

    # then: the open data has the new address, as a full build's would
    assert how.startswith("incremental, 1 partner pages redone"), how
    rows = json.loads((site / "data" / "partners.json").read_text())
    assert {"slug": slug, "website": "https://a-new-address.example"}.items() <= next(
        row for row in rows if row["slug"] == slug
    ).items()
    assert "https://a-new-address.example" in (site / "data" / "partners.csv").read_text()
    same_as_full(db, site, tmp_path)
