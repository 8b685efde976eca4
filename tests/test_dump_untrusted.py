"""`vouch load` of a dump someone tampered with: it reads only what a dump may hold.

The manifest names each table's file: only a plain file name, a regular file inside the
dump folder, each table once. Lines are read with a bound on their length and parsed with
a bound on their nesting. Every refusal is one line naming the file, exit status 1, and
nothing written to the database. The loads run with a 1 GB cap on their memory, so a
read without bound fails here instead of taking the machine's memory.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.dump.format import MANIFEST
from tests.cli_runner import vouch_at
from tests.databases import Database
from tests.dump_helpers import row_counts

MEMORY_MB = 1024
TIMEOUT = 60


@pytest.fixture(scope="module")
def empty_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dump of a freshly migrated SQLite database: every table, most with no row."""
    folder = tmp_path_factory.mktemp("empty")
    url = f"sqlite:///{folder / 'source.db'}"
    for args in (("db", "upgrade"), ("export", str(folder / "dump"))):
        done = vouch_at(*args, url=url, data_dir=folder)
        assert done.returncode == 0, done.stderr
    return folder / "dump"


@pytest.fixture
def dump(empty_dump: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(empty_dump, tmp_path / "dump"))


def edit_manifest(dump: Path, change: Callable[[dict[str, Any]], None]) -> None:
    manifest = json.loads((dump / MANIFEST).read_text())
    change(manifest)
    (dump / MANIFEST).write_text(json.dumps(manifest))


def set_file(dump: Path, table: str, file: str) -> None:
    def change(manifest: dict[str, Any]) -> None:
        (entry,) = [t for t in manifest["tables"] if t["name"] == table]
        entry["file"] = file

    edit_manifest(dump, change)


def load(dump: Path, url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return vouch_at(
        "load", str(dump), url=url, data_dir=tmp_path, timeout=TIMEOUT, memory_mb=MEMORY_MB
    )


def refusal(done: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused load prints."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def refused_before_any_write(dump: Path, tmp_path: Path) -> str:
    """Load into a SQLite file that does not exist yet: a refusal must not even create it."""
    target = tmp_path / "target.db"
    line = refusal(load(dump, f"sqlite:///{target}", tmp_path))
    assert not target.exists()
    return line


@pytest.mark.parametrize(
    "file",
    [
        "../outside.jsonl",
        "{tmp}/outside.jsonl",
        "/proc/self/environ",
        "/dev/zero",
        "nested/vendors.jsonl",
        ".",
        "",
    ],
    ids=["parent", "absolute", "proc", "dev-zero", "subfolder", "folder", "empty"],
)
def test_a_file_that_is_not_a_plain_name_in_the_dump_is_refused(
    dump: Path, tmp_path: Path, file: str
) -> None:
    # Each names an empty file (as the vendors file is): a load that follows it succeeds.
    (tmp_path / "outside.jsonl").write_bytes(b"")
    (dump / "nested").mkdir()
    (dump / "nested" / "vendors.jsonl").write_bytes(b"")
    set_file(dump, "vendors", file.format(tmp=tmp_path))

    line = refused_before_any_write(dump, tmp_path)

    assert line.startswith(f"vouch: {dump / MANIFEST}: table vendors: file ")
    assert "is not a plain file name" in line


@pytest.mark.parametrize(
    "make",
    [
        lambda path, outside: path.symlink_to(outside),
        lambda path, outside: path.symlink_to("/dev/zero"),
        lambda path, outside: os.mkfifo(path),
    ],
    ids=["link-outside", "link-dev-zero", "fifo"],
)
def test_a_table_file_that_is_a_link_out_or_not_a_regular_file_is_refused(
    dump: Path, tmp_path: Path, make: Callable[[Path, Path], None]
) -> None:
    (tmp_path / "outside.jsonl").write_bytes(b"")
    (dump / "vendors.jsonl").unlink()
    make(dump / "vendors.jsonl", tmp_path / "outside.jsonl")

    line = refused_before_any_write(dump, tmp_path)

    assert line.startswith(f"vouch: {dump / 'vendors.jsonl'}: ")
    assert "not a regular file inside the dump folder" in line


def test_a_manifest_that_is_not_a_regular_file_is_refused(dump: Path, tmp_path: Path) -> None:
    (dump / MANIFEST).unlink()
    (dump / MANIFEST).symlink_to("/dev/zero")

    line = refused_before_any_write(dump, tmp_path)

    assert line.startswith(f"vouch: {dump / MANIFEST}: ")
    assert "not a regular file inside the dump folder" in line


def test_a_table_listed_twice_is_refused(dump: Path, tmp_path: Path) -> None:
    def twice(manifest: dict[str, Any]) -> None:
        (vendors,) = [t for t in manifest["tables"] if t["name"] == "vendors"]
        manifest["tables"].append(dict(vendors))

    edit_manifest(dump, twice)

    line = refused_before_any_write(dump, tmp_path)

    assert line == f"vouch: {dump / MANIFEST}: table vendors is listed twice"


def test_a_line_nested_too_deep_is_named(db: Database, dump: Path, tmp_path: Path) -> None:
    (dump / "vendors.jsonl").write_bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n")

    done = load(dump, db.url.render_as_string(False), tmp_path)

    line = refusal(done)
    assert line == (
        f"vouch: {dump / 'vendors.jsonl'}, line 1: nested deeper than 100 levels; "
        "the file is damaged; nothing was loaded"
    )
    assert set(row_counts(db.engine).values()) == {0}


def test_an_over_long_line_is_refused(db: Database, dump: Path, tmp_path: Path) -> None:
    vendors = dump / "vendors.jsonl"
    vendors.write_bytes(b'{"name": "' + b"x" * 3_000_000 + b'"}\n')

    done = load(dump, db.url.render_as_string(False), tmp_path)

    assert refusal(done) == (
        f"vouch: {vendors}, line 1: longer than 1,048,576 bytes; the file is damaged; "
        "nothing was loaded"
    )
    assert set(row_counts(db.engine).values()) == {0}
