"""The dump format: a manifest and one JSON Lines file per table, each line one row.

A row is a JSON object keyed by column name. JSON holds strings, numbers, booleans and
null as they are; the other column types are written as text a reader can parse anywhere:
datetimes and dates in ISO 8601 (datetimes with their UTC offset), binary in base64,
decimals as strings. JSON columns hold their value as it is.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Column, Table
from sqlalchemy.types import TypeDecorator

FORMAT = "vouch-dump"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BATCH_ROWS = 2000
BATCH_BYTES = 32 * 2**20
"""Rows read, written and inserted at a time, at most: memory stays flat whatever the
table size (and however long its rows)."""

Codec = Callable[[Any], Any]


class DumpError(Exception):
    """A dump cannot be written or loaded; the message says why, naming the file."""


@dataclass(frozen=True)
class TableEntry:
    name: str
    file: str
    columns: tuple[str, ...]
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    revision: str
    backend: str
    created_at: str
    tables: tuple[TableEntry, ...]

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables)

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "revision": self.revision,
            "backend": self.backend,
            "created_at": self.created_at,
            "tables": [
                {
                    "name": t.name,
                    "file": t.file,
                    "columns": list(t.columns),
                    "rows": t.rows,
                    "sha256": t.sha256,
                }
                for t in self.tables
            ],
        }
        return json.dumps(document, indent=2) + "\n"


def encoders(table: Table) -> dict[str, Codec]:
    """Python value -> JSON value, for the columns whose values JSON cannot hold as they are."""
    return {c.name: codec for c in table.columns if (codec := _codecs(c)[0]) is not _same}


def decoders(table: Table) -> dict[str, Codec]:
    """JSON value -> Python value, for the same columns."""
    return {c.name: codec for c in table.columns if (codec := _codecs(c)[1]) is not _same}


def _same(value: Any) -> Any:
    return value


def _optional(codec: Codec) -> Codec:
    return lambda value: None if value is None else codec(value)


def _codecs(column: Column[Any]) -> tuple[Codec, Codec]:
    # A TypeDecorator (UTCDateTime) stores through its implementation's type.
    stored = column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(stored, JSON):
        return _same, _same
    try:
        kind = stored.python_type
    except NotImplementedError:
        return _same, _same
    if kind is datetime:
        return _optional(datetime.isoformat), _optional(datetime.fromisoformat)
    if kind is date:
        return _optional(date.isoformat), _optional(date.fromisoformat)
    if kind is bytes:
        return _optional(lambda b: base64.b64encode(b).decode("ascii")), _optional(base64.b64decode)
    if kind is Decimal:
        return _optional(str), _optional(Decimal)
    return _same, _same


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_line(row: dict[str, Any]) -> bytes:
    return (_ENCODER.encode(row) + "\n").encode()
