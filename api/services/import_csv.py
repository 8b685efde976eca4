"""Reading a vendor's CSV export as a stream: bounded rows, a bounded count, line numbers.

The file may be anything an operator names (a 20 GB export, /dev/zero, a pipe): it is read
a line at a time, never past MAX_ROW_BYTES for one row (however many lines its quoted
cells span), and never past the row bound the caller gives. Memory stays that of a row.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from api.errors import DomainError, FieldProblem

REQUIRED_COLUMNS = ("partner_slug", "customer_name", "customer_domain", "industry", "status")
OPTIONAL_COLUMNS = (
    "products",
    "budget",
    "started_on",
    "ended_on",
    "selection_reason",
    "customer_country",
    "customer_size",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_ROW_BYTES = 2**16
"""One row, all its lines: a row of the longest values the checks accept takes under 2 KB."""
DEFAULT_MAX_ROWS = 200_000
"""Rows in one file unless the operator says more (`--max-rows`)."""


class CsvError(Exception):
    """The file cannot be read as the export it should be; the message says where."""


@dataclass(frozen=True)
class Layout:
    """The columns of one kind of export (`what` names it in messages)."""

    what: str  # "an engagements export"
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


ENGAGEMENTS = Layout("an engagements export", REQUIRED_COLUMNS, OPTIONAL_COLUMNS)


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file; the header is line 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    rows: Iterator[CsvRow]  # read as they are taken; CsvError mid-way


def read_csv(
    file: BinaryIO,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    on_bytes: Callable[[int], object] | None = None,
    layout: Layout = ENGAGEMENTS,
) -> CsvFile:
    """The header, checked now (a bad one raises DomainError), and the rows, as a stream."""
    lines = _Lines(file, on_bytes or (lambda _n: None), layout.what)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise CsvError(f"line {reader.line_num}: not valid CSV: {error}") from error
    if header is None:
        raise DomainError.one(
            "header",
            f"line 1: the file is empty; the header row needs {', '.join(layout.columns)}",
        )
    columns = tuple(name.strip().lower() for name in header)
    _check_header(columns, layout)
    return CsvFile(columns=columns, rows=_rows(reader, lines, max_rows))


class _Lines(Iterable[str]):
    """The file's lines as text for csv.reader, each row's bytes counted as they come."""

    def __init__(self, file: BinaryIO, on_bytes: Callable[[int], object], what: str) -> None:
        self.file, self.on_bytes, self.what = file, on_bytes, what
        self.number = 0
        self.row_start, self.row_bytes = 1, 0

    def next_row(self) -> None:
        self.row_start, self.row_bytes = self.number + 1, 0

    def __iter__(self) -> Iterator[str]:
        while line := self.file.readline(MAX_ROW_BYTES + 1 - self.row_bytes):
            self.number += 1
            self.row_bytes += len(line)
            self.on_bytes(len(line))
            if self.row_bytes > MAX_ROW_BYTES:
                raise CsvError(
                    f"line {self.row_start}: the row is longer than {MAX_ROW_BYTES:,} bytes; "
                    f"not {self.what}"
                )
            yield self._text(line)

    def _text(self, line: bytes) -> str:
        try:
            return line.decode("utf-8-sig" if self.number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise CsvError(
                f"not UTF-8 text (byte 0x{line[error.start]:02x} on line {self.number}); "
                "export the file as UTF-8"
            ) from error


def _rows(reader: Iterator[list[str]], lines: _Lines, max_rows: int) -> Iterator[CsvRow]:
    count = 0
    try:
        lines.next_row()
        for cells in reader:
            start = lines.row_start
            lines.next_row()
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > max_rows:
                raise CsvError(
                    f"more than {max_rows:,} rows (line {start}); split the file, or raise "
                    "the bound with --max-rows"
                )
            yield CsvRow(line=start, cells=tuple(cells))
    except csv.Error as error:
        raise CsvError(f"line {lines.number}: not valid CSV: {error}") from error


def _check_header(columns: tuple[str, ...], layout: Layout) -> None:
    problems = []
    unknown = [name for name in columns if name not in layout.columns]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} {_quoted(unknown)}; "
            f"the columns are {', '.join(layout.columns)}"
        )
    missing = [name for name in layout.required if name not in columns]
    if missing:
        problems.append(
            f"missing required column{'s' if len(missing) > 1 else ''} {_quoted(missing)}"
        )
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        problems.append(f"repeated column{'s' if len(repeated) > 1 else ''} {_quoted(repeated)}")
    if problems:
        raise DomainError([FieldProblem("header", f"line 1: {p}") for p in problems])


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)
