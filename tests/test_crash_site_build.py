"""kill -9 in the middle of `vouch site build`: the previous site still serves, whole, and the
next build succeeds and clears what the killed one left. (The search index's kill test is in
tests/test_search_writers.py; the bulk import's and the load's in test_crash_import_and_load.)
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from api.demo_data import load_demo_data
from api.services.figures_rebuild import rebuild
from directory_site.build_lock import WORKING, SiteBusy, exclusive_build
from tests.cli_runner import start, vouch
from tests.databases import Database


def fingerprint(site: Path) -> dict[str, str]:
    return {
        str(path.relative_to(site)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in site.rglob("*")
        if path.is_file()
    }


def leftovers(data_dir: Path) -> list[str]:
    return sorted(p.name for p in data_dir.iterdir() if p.name.startswith(".site.") and p.is_dir())


def kill_mid_build(db: Database, data_dir: Path, *, group: bool = True) -> int:
    """Start `vouch site build`; SIGKILL it while its page writers fill the new site (with
    them, or alone); its process group's id."""
    build = start(
        "site",
        "build",
        "--full",  # every page written again: a build long enough to be killed mid-way
        url=db.url,
        data_dir=data_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # a group of its own: its page writers are found by it
    )
    deadline = time.monotonic() + 120
    while not list(data_dir.glob(".site.building-*/site/data/compare/*.json")):
        assert time.monotonic() < deadline, "the build never reached the partner pages"
        assert build.poll() is None, "the build ended before it could be killed"
        time.sleep(0.01)
    if group:
        os.killpg(build.pid, signal.SIGKILL)  # the build and its page writers: a pulled plug
    else:
        os.kill(build.pid, signal.SIGKILL)  # the build alone: an operator's kill -9
    assert build.wait(timeout=30) == -signal.SIGKILL
    return build.pid


def living_in_group(group: int) -> list[str]:
    """The processes of a process group that still run (not zombies): their command lines."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(command.decode(errors="replace"))
    return found


def test_a_killed_site_build_leaves_the_previous_site_and_the_next_build_cleans_up(
    db: Database, tmp_path: Path
) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only: the build reads the same figures value on PostgreSQL")
    # given: a built site
    load_demo_data(db.engine, partners=300, seed=1, progress=False)
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)
    first = vouch("site", "build", db=db, data_dir=tmp_path)
    assert first.returncode == 0, first.stderr
    site = tmp_path / "site"
    before = fingerprint(site)

    # when: the next build is killed while it writes the partner pages
    kill_mid_build(db, tmp_path)

    # then: the previous site is there, every file intact, beside the dead build's folder
    assert fingerprint(site) == before
    assert [name.split("-")[0] for name in leftovers(tmp_path)] == [".site.building"]

    # and the next build succeeds and removes the leftover
    again = vouch("site", "build", db=db, data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert leftovers(tmp_path) == []
    assert (site / "index.html").exists()
    assert fingerprint(site).keys() == before.keys()


def test_the_page_writers_die_with_a_killed_build_and_the_next_build_starts_at_once(
    db: Database, tmp_path: Path
) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only: the build reads the same figures value on PostgreSQL")
    # given: a directory big enough for the page writers to be busy (chunks of 250)
    load_demo_data(db.engine, partners=300, seed=2, progress=False)
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)

    # when: the build alone is killed while its page writers write
    group = kill_mid_build(db, tmp_path, group=False)

    # then: within seconds none of its processes is left
    deadline = time.monotonic() + 5
    while (survivors := living_in_group(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)  # whatever this test found, it leaves no orphans
    assert survivors == []

    # and: the next build takes the lock at once and succeeds
    with exclusive_build(tmp_path / "site", tmp_path / "locks", wait=0):
        pass
    again = vouch("site", "build", db=db, data_dir=tmp_path)
    assert again.returncode == 0, again.stderr
    assert leftovers(tmp_path) == []
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_cleanup_leaves_a_running_build_alone(tmp_path: Path) -> None:
    # given: a build in progress, holding the lock, with its working folder
    out, locks = tmp_path / "site", tmp_path / "data" / "locks"
    working = tmp_path / ".site.building-abc"
    with exclusive_build(out, locks):
        working.mkdir()
        (working / WORKING).touch()
        # when: a second build starts, then: it is refused and the folder stays
        with pytest.raises(SiteBusy), exclusive_build(out, locks, wait=0):
            pass
        assert working.is_dir()
    # once the first build is gone, the next one clears the folder
    with exclusive_build(out, locks, wait=0):
        assert not working.exists()
    # and the lock is not beside the site
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_a_site_caught_between_the_two_renames_is_put_back(tmp_path: Path) -> None:
    # given: killed after the site moved aside, before the new one moved in
    working = tmp_path / ".site.building-abc"
    (working / "old").mkdir(parents=True)
    (working / WORKING).touch()
    (working / "old" / "index.html").write_text("previous")
    # when: the next build takes the lock, then: the previous site is back in place
    with exclusive_build(tmp_path / "site", tmp_path / "locks", wait=0):
        assert (tmp_path / "site" / "index.html").read_text() == "previous"
        assert not working.exists()


def test_the_cleanup_leaves_a_folder_no_build_made(tmp_path: Path) -> None:
    # given: a folder of someone's that happens to look like a working folder
    mine = tmp_path / ".site.building-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    # when: a build takes the lock, then: the folder stays
    with exclusive_build(tmp_path / "site", tmp_path / "locks", wait=0):
        pass
    assert (mine / "notes.txt").read_text() == "keep me"
