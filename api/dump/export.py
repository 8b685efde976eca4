"""`vouch export DIR`: every table of the database, as it is at one moment, into DIR."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from api import migrations
from api.dump.format import (
    BATCH_ROWS,
    MANIFEST,
    Codec,
    DumpError,
    Manifest,
    TableEntry,
    encode_line,
    encoders,
)
from api.models import Base

Progress = Callable[[str, int], None]
"""Told (table name, rows just done) as the work goes; first (\"\", total rows) once."""


def export_database(engine: Engine, folder: Path, *, progress: Progress | None = None) -> Manifest:
    """Write every table's rows, then the manifest (a dump without one is incomplete)."""
    _prepare(folder)
    told = progress or (lambda _table, _rows: None)
    # One snapshot for every table, so the dump is consistent while the API keeps writing.
    # (SQLite: the BEGIN of api.db's recipe already reads one snapshot in WAL mode.)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        revision = _revision(connection)
        tables = Base.metadata.sorted_tables
        told("", sum(_count(connection, table) for table in tables))
        entries = tuple(_export_table(connection, table, folder, told) for table in tables)
        connection.rollback()
    manifest = Manifest(
        revision=revision,
        backend=engine.dialect.name,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        tables=entries,
    )
    partial = folder / f".{MANIFEST}.partial"
    partial.write_text(manifest.to_json(), encoding="utf-8")
    partial.replace(folder / MANIFEST)
    return manifest


def _prepare(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise DumpError(f"{folder} is a file, not a folder")
    if folder.exists() and any(folder.iterdir()):
        raise DumpError(f"{folder} is not empty: give a new or empty folder for the dump")
    folder.mkdir(parents=True, exist_ok=True)


def _revision(connection: Connection) -> str:
    found, head = migrations.current_revision(connection), migrations.head_revision()
    if found != head:
        at = f"at revision {found}" if found else "not migrated"
        raise DumpError(
            f"the database is {at}; this Vouch exports revision {head}: "
            "run `vouch db upgrade` first"
        )
    return head


def _count(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.count()).select_from(table)) or 0


def _export_table(connection: Connection, table: Table, folder: Path, told: Progress) -> TableEntry:
    file = f"{table.name}.jsonl"
    encode = encoders(table)
    order = list(table.primary_key.columns) or list(table.columns)
    digest, rows = hashlib.sha256(), 0
    result = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(
        select(table).order_by(*order)
    )
    names = tuple(column.name for column in table.columns)
    with (folder / file).open("wb") as out:
        for batch in result.partitions():
            chunk = b"".join(encode_line(_encoded(names, row, encode)) for row in batch)
            out.write(chunk)
            digest.update(chunk)
            rows += len(batch)
            told(table.name, len(batch))
    return TableEntry(
        name=table.name,
        file=file,
        columns=names,
        rows=rows,
        sha256=digest.hexdigest(),
    )


def _encoded(
    names: tuple[str, ...], row: Sequence[Any], encode: dict[str, Codec]
) -> dict[str, Any]:
    values = dict(zip(names, row, strict=True))
    for name, codec in encode.items():
        values[name] = codec(values[name])
    return values
