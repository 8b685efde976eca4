"""`vouch export DIR` / `vouch load DIR`: the whole database, exactly, on either backend."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from api import migrations
from api.db import create_db_engine
from api.dump.format import MANIFEST
from api.models import Base
from api.settings import parse_database_url
from tests.cli_runner import vouch_at
from tests.databases import Database, throwaway_postgres
from tests.dump_helpers import every_row, fill, row_counts
from tests.outside_parts import unavailable

# What `vouch db upgrade` writes into an empty database (the change log's first row).
MIGRATED = {"change_log": 1}


def sqlite_url(folder: Path, name: str) -> URL:
    return parse_database_url(f"sqlite:///{folder / name}")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[URL, Path]:
    """A filled SQLite database and its dump."""
    folder = tmp_path_factory.mktemp("source")
    url = sqlite_url(folder, "source.db")
    fill(url, folder)
    done = vouch_at("export", str(folder / "dump"), url=url, data_dir=folder)
    assert done.returncode == 0, done.stderr
    return url, folder / "dump"


@pytest.fixture
def dump(source: tuple[URL, Path], tmp_path: Path) -> Path:
    """A copy of the source's dump, for a test to damage."""
    return Path(shutil.copytree(source[1], tmp_path / "dump"))


def test_export_writes_a_manifest_and_a_file_per_table(source: tuple[URL, Path]) -> None:
    manifest = json.loads((source[1] / MANIFEST).read_text())

    assert manifest["format"] == "vouch-dump"
    assert manifest["format_version"] == 1
    assert manifest["revision"] == migrations.head_revision()
    assert [t["name"] for t in manifest["tables"]] == [t.name for t in Base.metadata.sorted_tables]
    engine = create_db_engine(source[0])
    try:
        counts = row_counts(engine)
    finally:
        engine.dispose()
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == counts
    # Every table has rows, so the round trips below check every column type in use.
    assert [name for name, count in counts.items() if not count] == []
    for table in manifest["tables"]:
        lines = (source[1] / table["file"]).read_text().splitlines()
        assert len(lines) == table["rows"]


def test_sqlite_to_postgresql_and_back_reproduces_every_row(
    source: tuple[URL, Path], tmp_path: Path, postgres_reason: str | None
) -> None:
    if postgres_reason:
        unavailable(postgres_reason)
    url, first_dump = source
    with throwaway_postgres() as pg:
        # Given an empty PostgreSQL database, never migrated: load migrates it first.
        loaded = vouch_at("load", str(first_dump), url=pg, data_dir=tmp_path)
        assert loaded.returncode == 0, loaded.stderr
        assert "created the schema" in loaded.stdout
        assert_same_rows(url, pg)
        # Ids go on from the largest loaded (the sequences were moved past them).
        for then in (
            ("apikey", "create", "--role", "admin"),
            ("responses", "void", "5", "--reason", "after the load"),
        ):
            done = vouch_at(*then, url=pg, data_dir=tmp_path)
            assert done.returncode == 0, done.stderr
        again = vouch_at("export", str(tmp_path / "from-pg"), url=pg, data_dir=tmp_path)
        assert again.returncode == 0, again.stderr
        pg_rows = every_row_of(pg)
    back = sqlite_url(tmp_path, "back.db")
    assert vouch_at("load", str(tmp_path / "from-pg"), url=back, data_dir=tmp_path).returncode == 0
    assert every_row_of(back) == pg_rows


def test_a_dump_of_both_backends_is_the_same_bytes(
    source: tuple[URL, Path], tmp_path: Path, postgres_reason: str | None
) -> None:
    """What PostgreSQL gives back of a dump is byte for byte what SQLite wrote."""
    if postgres_reason:
        unavailable(postgres_reason)
    with throwaway_postgres() as pg:
        assert vouch_at("load", str(source[1]), url=pg, data_dir=tmp_path).returncode == 0
        done = vouch_at("export", str(tmp_path / "again"), url=pg, data_dir=tmp_path)
        assert done.returncode == 0, done.stderr
    first = json.loads((source[1] / MANIFEST).read_text())
    second = json.loads((tmp_path / "again" / MANIFEST).read_text())
    assert (first["backend"], second["backend"]) == ("sqlite", "postgresql")
    assert first["tables"] == second["tables"]


def every_row_of(url: URL) -> dict[str, list[tuple[object, ...]]]:
    engine = create_db_engine(url)
    try:
        return every_row(engine)
    finally:
        engine.dispose()


def assert_same_rows(a: URL, b: URL) -> None:
    left, right = every_row_of(a), every_row_of(b)
    for name in left:
        assert left[name] == right[name], f"table {name} differs"


def load(db: Database, folder: Path, tmp_path: Path) -> tuple[int, str]:
    done = vouch_at("load", str(folder), url=db.url, data_dir=tmp_path)
    return done.returncode, done.stdout + done.stderr


def test_load_into_the_migrated_test_database(db: Database, dump: Path, tmp_path: Path) -> None:
    status, output = load(db, dump, tmp_path)

    assert status == 0, output
    assert "loaded" in output
    assert "created the schema" not in output


def set_revision(dump: Path, revision: str) -> None:
    manifest = json.loads((dump / MANIFEST).read_text())
    manifest["revision"] = revision
    (dump / MANIFEST).write_text(json.dumps(manifest))


def test_a_dump_of_an_unknown_revision_is_refused(db: Database, dump: Path, tmp_path: Path) -> None:
    set_revision(dump, "0999")

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert "schema revision '0999', which this Vouch does not know" in output
    assert row_counts(db.engine) == dict.fromkeys(row_counts(db.engine), 0)


def test_a_dump_of_an_older_revision_says_how_to_move_it(
    db: Database, dump: Path, tmp_path: Path
) -> None:
    set_revision(dump, "0001")

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert "run `vouch db upgrade` on the database it came from, export it again" in output


def test_load_refuses_a_database_that_holds_rows(db: Database, dump: Path, tmp_path: Path) -> None:
    assert load(db, dump, tmp_path)[0] == 0
    before = row_counts(db.engine)

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert "the database is not empty" in output
    assert row_counts(db.engine) == before


def test_a_truncated_file_is_named_and_nothing_is_loaded(
    db: Database, dump: Path, tmp_path: Path
) -> None:
    responses = dump / "survey_responses.jsonl"
    lines = responses.read_bytes().splitlines(keepends=True)
    responses.write_bytes(b"".join(lines[:-1]))

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert f"{responses} holds {len(lines) - 1} rows, the manifest says {len(lines)}" in output
    assert set(row_counts(db.engine).values()) == {0}


def test_a_damaged_last_file_rolls_back_every_table(
    db: Database, dump: Path, tmp_path: Path
) -> None:
    """The last file is checked after every other table is in: one transaction undoes all."""
    last = Base.metadata.sorted_tables[-1].name
    path = dump / f"{last}.jsonl"
    text = path.read_text()
    assert text, f"{last} is empty in the source: give it a row"
    # Still a valid row (so it is inserted), but not the bytes the manifest's sha256 names.
    path.write_text(text[:-1] + " \n")

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert f"{path} does not match its sha256 in the manifest" in output
    assert set(row_counts(db.engine).values()) == {0}


def test_a_line_that_is_not_a_row_is_named(db: Database, dump: Path, tmp_path: Path) -> None:
    path = dump / "partners.jsonl"
    path.write_bytes(path.read_bytes()[:-40] + b"\n")

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert f"{path}, line " in output
    assert "not a row of this table" in output
    assert set(row_counts(db.engine).values()) == {0}


def test_a_folder_without_a_manifest_is_not_a_dump(db: Database, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    status, output = load(db, tmp_path / "empty", tmp_path)

    assert status == 1
    assert "manifest.json: no such file" in output


def test_export_refuses_a_folder_that_holds_files(source: tuple[URL, Path], tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine")

    done = vouch_at("export", str(tmp_path / "full"), url=source[0], data_dir=tmp_path)

    assert done.returncode == 1
    assert "is not empty" in done.stderr
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["notes.txt"]


def test_export_refuses_a_database_never_migrated(tmp_path: Path) -> None:
    done = vouch_at(
        "export", str(tmp_path / "out"), url=sqlite_url(tmp_path, "new.db"), data_dir=tmp_path
    )

    assert done.returncode == 1
    # (The check every command makes first: tests/test_migrations.py.)
    assert "has no Vouch tables: run `vouch db upgrade`" in done.stderr


def test_a_row_the_database_refuses_is_named_and_nothing_is_loaded(
    db: Database, dump: Path, tmp_path: Path
) -> None:
    """A dump true to its manifest that breaks a constraint: a vendor twice (same id)."""
    path = dump / "vendors.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([*lines, lines[0]]))
    manifest = json.loads((dump / MANIFEST).read_text())
    for table in manifest["tables"]:
        if table["name"] == "vendors":
            table["rows"] += 1
            table["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (dump / MANIFEST).write_text(json.dumps(manifest))

    status, output = load(db, dump, tmp_path)

    assert status == 1
    assert f"{path}: the database refused a row" in output
    assert set(row_counts(db.engine).values()) == {0}


def test_both_show_a_progress_bar_on_a_terminal(
    source: tuple[URL, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rich draws its live bar only on a terminal; TTY_COMPATIBLE=1 makes stderr count as one.
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("NO_COLOR", "1")
    out = vouch_at("export", str(tmp_path / "d"), url=source[0], data_dir=tmp_path)
    back = vouch_at(
        "load", str(tmp_path / "d"), url=sqlite_url(tmp_path, "b.db"), data_dir=tmp_path
    )

    assert "reading the tables" in out.stderr
    assert "loading the tables" in back.stderr
    # The bars stay off standard output, which says what was done in one sentence.
    assert out.stdout.startswith("exported ")
    assert back.stdout.splitlines()[-1].startswith("loaded ")
