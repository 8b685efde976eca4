"""Plain rows for the hot read paths: a tuple a row, no ORM identity map nor object state.

A page of partners with its offices and industries is read as columns into these named
tuples: the ORM would build and track an object a row (its state, its identity-map
entry) that a read never changes. Each holds the columns its readers use, named as the
model's attributes, so a model object and a row read alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Executable, Row
from sqlalchemy.orm import Session

from api.models import Industry, Office, Partner


def plain_rows(
    session: Session, statement: Executable, parameters: Mapping[str, Any]
) -> Sequence[Row[Any]]:
    """The rows of a Core statement through the session's connection: what
    session.execute gives, without its ORM step (about a seventh of a statement's time).
    Pending changes are flushed first, as session.execute's autoflush would."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, parameters).all()


class PartnerRow(NamedTuple):
    id: int
    slug: str
    name: str
    summary: str | None
    description: str | None
    website: str | None
    version: int
    headquarters_city: str | None
    headquarters_country: str | None
    employee_band: str | None
    founded_year: int | None
    partner_types: list[str]
    languages: list[str]
    capabilities: list[str]
    hourly_rate_min: int | None
    hourly_rate_max: int | None
    min_project_budget: int | None
    delivery_capacity: int | None


class OfficeRow(NamedTuple):
    id: int
    partner_id: int
    city: str
    country: str
    latitude: float
    longitude: float
    is_headquarters: bool


class IndustryRow(NamedTuple):
    id: int
    slug: str
    name: str


def columns_of(row_type: type[tuple[Any, ...]], model: type[object]) -> list[ColumnElement[Any]]:
    """The model's columns a row type holds, in its order."""
    return [getattr(model, name) for name in row_type._fields]  # type: ignore[attr-defined]


PARTNER_COLUMNS = columns_of(PartnerRow, Partner)
OFFICE_COLUMNS = columns_of(OfficeRow, Office)
INDUSTRY_COLUMNS = columns_of(IndustryRow, Industry)
