"""Every CSV file Vouch writes goes through `SafeWriter`: no cell runs as a spreadsheet formula.

Text is stored as given ("=HYPERLINK(...)" may be a customer's real name); only the file
changes. A text cell that starts as a formula would (OWASP, "CSV injection") gets a
leading single quote, which spreadsheets show as text; numbers and dates are left alone.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


class SafeWriter:
    """`csv.writer` whose text cells are neutralised; pass numbers as numbers."""

    def __init__(self, stream: SupportsWrite[str]) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
