"""Checks on values that come from outside; each failure names its field."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from api.countries import ISO_COUNTRY_CODES
from api.errors import FieldProblem

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Checker:
    """Collects every problem of one input, so the caller sees them all at once."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def fail(self, field: str, message: str) -> None:
        self.problems.append(FieldProblem(field, message))

    def text(
        self, field: str, value: str | None, *, max_length: int, required: bool = False
    ) -> None:
        if value is None or not value.strip():
            if required:
                self.fail(field, f"{field} is required")
            return
        if len(value) > max_length:
            self.fail(field, f"{field} is {len(value)} characters long; the limit is {max_length}")

    def slug(self, field: str, value: str, *, max_length: int = 80) -> None:
        if not SLUG.match(value) or len(value) > max_length:
            self.fail(
                field,
                f"{field} {value!r} must be lowercase letters, digits and single hyphens, "
                f"at most {max_length} characters",
            )

    def url(self, field: str, value: str | None) -> None:
        if value is None or value == "":
            return
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            self.fail(field, f"{field} must be an http or https URL, got {value!r}")
        elif len(value) > 300:
            self.fail(field, f"{field} is longer than 300 characters")

    def country(self, field: str, value: str | None) -> None:
        if value is not None and value not in ISO_COUNTRY_CODES:
            self.fail(field, f"{field} {value!r} is not an ISO 3166-1 alpha-2 code such as 'US'")


def check_range(check: Checker, field: str, value: float | None, low: float, high: float) -> None:
    if value is not None and not low <= value <= high:
        check.fail(field, f"{field} must be between {low:g} and {high:g}, got {value:g}")


MAX_ID = 2**31 - 1
"""The largest id a table holds (its key is a 32-bit integer on PostgreSQL)."""

MAX_BUDGET = 2_000_000_000
"""The largest budget anywhere: an engagement's (from the API or an import), a need's in
matching, a partner's minimum project budget (the columns are 32-bit integers on
PostgreSQL; a round figure reads better in a message)."""


MAX_ANNUAL_REVENUE = 2_000_000_000
"""The largest annual revenue a program membership records (a 32-bit integer column)."""


def whole_number(text: str, *, maximum: int) -> int | None:
    """The number ASCII digits spell, when it is at most `maximum`; else None.

    str.isdigit() also takes '²' and Arabic-Indic digits, and int() reads thousands of
    digits: neither may reach a query.
    """
    if not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None
