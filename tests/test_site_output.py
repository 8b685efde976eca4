"""`vouch site build --out DIR` replaces DIR only when it is empty, absent or an earlier
build's, whose files are all the build's own; it leaves nothing beside DIR."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import vouch, vouch_at
from tests.databases import Database


def contents(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def assert_refused(result: subprocess.CompletedProcess[str], folder: Path) -> None:
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert f"not building the site into {folder}" in result.stderr


@pytest.fixture
def sqlite_db(db: Database) -> Database:
    if db.backend != "sqlite":
        pytest.skip("SQLite only: the build reads the same value on PostgreSQL")
    return db


def test_a_folder_of_other_files_is_refused_and_left_as_it_was(
    sqlite_db: Database, tmp_path: Path
) -> None:
    # given: a folder of the operator's files
    mine = tmp_path / "www"
    (mine / "photos").mkdir(parents=True)
    (mine / "notes.txt").write_text("keep me")
    (mine / "photos" / "cat.jpg").write_bytes(b"\xff\xd8 cat")
    before = contents(mine)

    # when: the site is built into it
    result = vouch("site", "build", "--out", str(mine), db=sqlite_db, data_dir=tmp_path / "data")

    # then: one line says no, and every file is still there, nothing beside it
    assert_refused(result, mine)
    assert "notes.txt" in result.stderr
    assert contents(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "www"]


def test_the_data_folder_is_refused_and_its_database_kept(tmp_path: Path) -> None:
    # given: the data folder, which holds vouch.db
    data = tmp_path / "data"
    url = f"sqlite:///{data / 'vouch.db'}"
    assert vouch_at("db", "upgrade", url=url, data_dir=data).returncode == 0
    before = contents(data)

    # when: `--out` names the data folder itself
    result = vouch_at("site", "build", "--out", str(data), url=url, data_dir=data)

    # then: refused; the database is untouched (the data folder keeps the build's lock)
    assert_refused(result, data)
    assert "vouch.db" in result.stderr
    assert {name: digest for name, digest in contents(data).items() if "lock" not in name} == before


def test_a_file_added_to_an_earlier_build_stops_the_next_one(
    sqlite_db: Database, tmp_path: Path
) -> None:
    # given: a site built into an empty folder, with nothing left beside it
    www = tmp_path / "www"
    www.mkdir()
    data = tmp_path / "data"
    first = vouch("site", "build", "--out", str(www), db=sqlite_db, data_dir=data)
    assert first.returncode == 0, first.stderr
    assert (www / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "www"]

    # and: a rebuild over it is allowed
    again = vouch("site", "build", "--out", str(www), db=sqlite_db, data_dir=data)
    assert again.returncode == 0, again.stderr

    # when: the operator adds a file of their own, then builds again
    (www / "partners" / "robots.txt").write_text("User-agent: *")
    built = contents(www)
    result = vouch("site", "build", "--out", str(www), db=sqlite_db, data_dir=data)

    # then: refused, naming the file; the site and the file are as they were
    assert_refused(result, www)
    assert "partners/robots.txt" in result.stderr
    assert contents(www) == built
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "www"]
