"""A dump's manifest.json, read as untrusted input: every field checked before any file is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from api.dump.files import is_plain_name, open_inside
from api.dump.format import FORMAT, FORMAT_VERSION, MANIFEST, DumpError, Manifest, TableEntry

MAX_MANIFEST_BYTES = 2**20
"""Some 200 times what the manifest of today's tables takes."""


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    hint = f"; is {folder} a folder `vouch export` wrote?"
    with open_inside(folder, MANIFEST, hint=hint) as file:
        data = file.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise DumpError(f"{path} is longer than {MAX_MANIFEST_BYTES:,} bytes: not a manifest")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = "nested too deep" if isinstance(error, RecursionError) else error
        raise DumpError(f"{path} is not a readable manifest: {reason}") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DumpError(f'{path} is not a Vouch dump manifest (no "format": "{FORMAT}")')
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise DumpError(
            f"{path} is in dump format {version!r}; this Vouch reads format {FORMAT_VERSION}: "
            "load it with the Vouch version that wrote it"
        )
    try:
        revision, backend, created_at = (
            _text(document, key) for key in ("revision", "backend", "created_at")
        )
        tables = document["tables"]
        if not isinstance(tables, list):
            raise TypeError("tables is not a list")
        entries = tuple(_entry(table) for table in tables)
    except (KeyError, TypeError, ValueError) as error:
        raise DumpError(f"{path} is damaged: {error} (missing or malformed)") from error
    _check_files(path, entries)
    return Manifest(revision=revision, backend=backend, created_at=created_at, tables=entries)


def _text(document: dict[str, Any], key: str) -> str:
    value = document[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not text")
    return value


def _entry(table: Any) -> TableEntry:
    if not isinstance(table, dict):
        raise TypeError(f"the table entry {table!r:.40} is not an object")
    name, file, sha256 = (_text(table, key) for key in ("name", "file", "sha256"))
    columns, rows = table["columns"], table["rows"]
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise TypeError(f"table {name}: columns is not a list of names")
    if type(rows) is not int or rows < 0:
        raise ValueError(f"table {name}: rows is not a count")
    return TableEntry(name=name, file=file, columns=tuple(columns), rows=rows, sha256=sha256)


def _check_files(path: Path, entries: tuple[TableEntry, ...]) -> None:
    """Each table once, each in a file of its own, named plainly (no folder, no `..`)."""
    tables: set[str] = set()
    files: dict[str, str] = {}
    for entry in entries:
        if entry.name in tables:
            raise DumpError(f"{path}: table {entry.name} is listed twice")
        tables.add(entry.name)
        if not is_plain_name(entry.file):
            raise DumpError(
                f"{path}: table {entry.name}: file {entry.file!r} is not a plain file name "
                "in the dump folder"
            )
        if entry.file in files:
            raise DumpError(
                f"{path}: table {entry.name}: file {entry.file!r} is table "
                f"{files[entry.file]}'s too"
            )
        files[entry.file] = entry.name
