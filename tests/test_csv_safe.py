"""Any CSV Vouch writes shows text that looks like a formula as text (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.csv_safe import FORMULA_STARTS, SafeWriter, neutralise

ROOT = Path(__file__).resolve().parent.parent


def written(rows: Iterable[Iterable[object]]) -> list[list[str]]:
    """The rows as a spreadsheet would read them back from the file."""
    stream = io.StringIO(newline="")
    SafeWriter(stream).writerows(rows)
    return list(csv.reader(io.StringIO(stream.getvalue(), newline="")))


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1 555 0100", "'+1 555 0100"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Mercy = Health", "Mercy = Health"),
        ("'quoted", "'quoted"),
        ("", ""),
    ],
)
def test_a_cell_that_starts_like_a_formula_gets_a_leading_quote(cell: str, expected: str) -> None:
    assert neutralise(cell) == expected


def test_numbers_and_dates_are_written_as_they_are() -> None:
    assert written([[-5, 2.5, date(2024, 1, 15), None, "-5"]]) == [
        ["-5", "2.5", "2024-01-15", "", "'-5"]
    ]


@given(st.text())
def test_no_text_starts_like_a_formula_once_neutralised(text: str) -> None:
    cell = neutralise(text)

    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, f"'{text}")


@given(st.lists(st.lists(st.text(), min_size=1, max_size=5), max_size=5))
def test_every_cell_comes_back_from_the_file_neutralised(rows: list[list[str]]) -> None:
    assert written(rows) == [[neutralise(cell) for cell in row] for row in rows]


def test_vouch_writes_csv_only_through_the_safe_writer() -> None:
    plain_writer = re.compile(r"\bcsv\.(writer|DictWriter)\b|\bfrom csv import\b")
    writers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "api").rglob("*.py")
        if plain_writer.search(path.read_text())
    ]

    assert writers == ["api/csv_safe.py"]
