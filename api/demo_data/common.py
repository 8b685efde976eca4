"""Small shared pieces: the fixed clock, slugs, clamping and the row sink with its ids."""

from __future__ import annotations

import bisect
import math
import random
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection, Table, insert

from api.models import Base

# Every date derives from this anchor, never from today, so a seed always gives the same rows.
ANCHOR_DATE = date(2026, 10, 1)
ANCHOR = datetime(2026, 10, 1, tzinfo=UTC)
HISTORY_START = date(2021, 1, 1)

Row = dict[str, object]
T = TypeVar("T")

# Parents before children, so foreign keys hold at every insert.
TABLE_ORDER = (
    "industries",
    "vendors",
    "products",
    "partners",
    "offices",
    "partner_industries",
    "partner_products",
    "certifications",
    "partner_references",
    "vendor_program_memberships",
    "program_feedback",
    "customers",
    "engagements",
    "engagement_products",
    "survey_invitations",
    "survey_responses",
    "pulse_checks",
    "engagement_notes",
)

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def pick(rng: random.Random, items: Sequence[T]) -> T:
    """rng.choice without its overhead; the hot loops call this hundreds of thousands of times."""
    return items[int(rng.random() * len(items))]


def pick_weighted(rng: random.Random, items: Sequence[T], cum_weights: Sequence[float]) -> T:
    return items[bisect.bisect(cum_weights, rng.random() * cum_weights[-1])]


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from low to high, both included."""
    return low + int(rng.random() * (high - low + 1))


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def moment(day: date, rng: random.Random) -> datetime:
    """An aware UTC datetime on the given day, during (European or American) office hours."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return midnight + timedelta(seconds=between(rng, 7 * 3600, 21 * 3600 - 1))


def past_moment(day: date, rng: random.Random) -> datetime:
    """Like moment(), but never after the anchor."""
    return min(moment(day, rng), ANCHOR)


def round_to(value: float, step: int) -> int:
    return max(step, round(value / step) * step)


class RowSink:
    """Collects rows per table, assigns primary keys in Python, flushes in foreign-key order."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {name: Base.metadata.tables[name] for name in TABLE_ORDER}
        self.pending: dict[str, list[Row]] = {name: [] for name in TABLE_ORDER}
        self.counts: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)
        self._last_id: dict[str, int] = dict.fromkeys(TABLE_ORDER, 0)

    def new_id(self, table: str) -> int:
        self._last_id[table] += 1
        return self._last_id[table]

    def last_id(self, table: str) -> int:
        return self._last_id[table]

    def add(self, table: str, row: Row) -> None:
        self.pending[table].append(row)

    def flush(self, connection: Connection) -> None:
        for name in TABLE_ORDER:
            rows = self.pending[name]
            if rows:
                # executemany: one compiled statement, no round trip per row, no RETURNING.
                connection.execute(insert(self.tables[name]), rows)
                self.counts[name] += len(rows)
                self.pending[name] = []
