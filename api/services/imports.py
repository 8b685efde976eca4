"""`vouch import engagements`: a vendor's PRM export, checked row by row, all or nothing.

Every row goes through `record_engagement`, the same checks as the GraphQL mutation, inside
a savepoint of its own, so a bad row is rolled back alone and the rows after it are still
checked. The caller sees every problem, each with its line in the file (the header is
line 1), and decides: commit the transaction only when there are none, or roll it back
(a dry run, or a file with problems).

Importing a file again adds only its new rows: a row whose engagement the vendor already
has, by its natural key (partner, customer domain, industry, start date), is checked like
any other, counted as already present and left as it is. The status, budget, end date and
products are not in the key: a later export of the same engagement may change them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem, PermissionDenied
from api.models import Customer, Engagement, Industry, Partner, Vendor
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement

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
IMPORT_ACTOR = "cli:import"
# engagements.budget is an INTEGER column: 32 bits on PostgreSQL.
MAX_BUDGET = 2**31 - 1
_INTEGER = re.compile(r"^-?[0-9]+$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Outcome = Literal["new", "present", "refused"]


@dataclass(frozen=True)
class ImportProblem:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"line {self.line}: {self.field}: {self.message}"
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class CsvRow:
    line: int  # where the row starts in the file; the header is line 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class CsvFile:
    columns: tuple[str, ...]
    rows: tuple[CsvRow, ...]


@dataclass(frozen=True)
class ImportResult:
    rows: int
    recorded: int  # new engagements
    problems: tuple[ImportProblem, ...]
    present: int = 0  # rows whose engagement was already there

    @property
    def ok(self) -> bool:
        return not self.problems


def vendor_caller(session: Session, vendor_slug: str, *, source: str = IMPORT_ACTOR) -> Caller:
    """The vendor an import acts for, as if it had called with that vendor's key."""
    vendor_id = session.scalar(select(Vendor.id).where(Vendor.slug == vendor_slug))
    if vendor_id is None:
        raise DomainError.one("vendor", f"no vendor with slug {vendor_slug!r}", code="NOT_FOUND")
    return Caller(role="vendor", vendor_id=vendor_id, vendor_slug=vendor_slug, source=source)


def read_csv(text: str) -> CsvFile:
    """Split the file into rows with their line numbers; a bad header raises DomainError."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise _header_error(f"the file is empty; the header row needs {', '.join(COLUMNS)}")
        columns = tuple(name.strip().lower() for name in header)
        _check_header(columns)
        rows = []
        previous_end = reader.line_num
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if any(cell.strip() for cell in cells):
                rows.append(CsvRow(line=start, cells=tuple(cells)))
    except csv.Error as error:
        raise DomainError.one(None, f"line {reader.line_num}: not valid CSV: {error}") from error
    return CsvFile(columns=columns, rows=tuple(rows))


def _header_error(message: str) -> DomainError:
    return DomainError.one("header", f"line 1: {message}")


def _check_header(columns: tuple[str, ...]) -> None:
    problems = []
    unknown = [name for name in columns if name not in COLUMNS]
    if unknown:
        problems.append(
            f"unknown column{'s' if len(unknown) > 1 else ''} {_quoted(unknown)}; "
            f"the columns are {', '.join(COLUMNS)}"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
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


def import_engagements(
    *,
    session: Session,
    caller: Caller,
    source: str | CsvFile,
    on_row: Callable[[], object] | None = None,
) -> ImportResult:
    """Record every row in the session's transaction; bad rows are rolled back and reported.

    Nothing is committed here: commit only when the result is `ok`, else roll back.
    """
    file = read_csv(source) if isinstance(source, str) else source
    problems: list[ImportProblem] = []
    outcomes: list[Outcome] = []
    for row in file.rows:
        outcome, found = _import_row(session, caller, file.columns, row)
        problems += found
        outcomes.append(outcome)
        if on_row is not None:
            on_row()
    return ImportResult(
        rows=len(file.rows),
        recorded=outcomes.count("new"),
        present=outcomes.count("present"),
        problems=tuple(problems),
    )


def _import_row(
    session: Session, caller: Caller, columns: tuple[str, ...], row: CsvRow
) -> tuple[Outcome, list[ImportProblem]]:
    if len(row.cells) != len(columns):
        message = f"the row has {len(row.cells)} cells; the header has {len(columns)} columns"
        return "refused", [ImportProblem(row.line, None, message)]
    # SQLite would store a NUL and PostgreSQL refuse it: refused here, on both.
    nul = [
        ImportProblem(row.line, name, f"{name} holds a NUL character (0x00); remove it")
        for name, cell in zip(columns, row.cells, strict=True)
        if "\x00" in cell
    ]
    if nul:
        return "refused", nul
    values = {name: cell.strip() for name, cell in zip(columns, row.cells, strict=True)}
    draft, bad_cells = _draft(values)
    found = [ImportProblem(row.line, p.field, p.message) for p in bad_cells]
    flagged = {p.field for p in bad_cells}
    present = _already_present(session, caller, draft)
    savepoint = session.begin_nested()
    try:
        record_engagement(session=session, caller=caller, draft=draft)
    except DomainError as error:
        savepoint.rollback()
        found += [
            ImportProblem(row.line, p.field, p.message)
            for p in error.problems
            if p.field not in flagged
        ]
    except PermissionDenied as error:
        savepoint.rollback()
        found.append(ImportProblem(row.line, None, str(error)))
    except (IntegrityError, DataError) as error:
        savepoint.rollback()
        reason = str(error.orig or error).strip().splitlines()[0]
        found.append(ImportProblem(row.line, None, f"the database refused the row: {reason}"))
    else:
        # A row already present is checked in full all the same; its new copy goes.
        if found or present:
            savepoint.rollback()
        else:
            savepoint.commit()
    order = {name: index for index, name in enumerate(columns)}
    outcome: Outcome = "refused" if found else "present" if present else "new"
    return outcome, sorted(found, key=lambda p: order.get(p.field or "", len(order)))


def _already_present(session: Session, caller: Caller, draft: EngagementDraft) -> bool:
    """Whether the vendor has confirmed this engagement before, by its natural key."""
    query = (
        select(Engagement.id)
        .join(Partner, Partner.id == Engagement.partner_id)
        .join(Customer, Customer.id == Engagement.customer_id)
        .join(Industry, Industry.id == Engagement.industry_id)
        .where(
            Engagement.vendor_id == caller.vendor_id,
            Engagement.confirmed.is_(True),
            Partner.slug == draft.partner_slug,
            Customer.email_domain == draft.customer_domain.lower(),
            Industry.slug == draft.industry,
            Engagement.started_on.is_not_distinct_from(draft.started_on),
        )
        .limit(1)
    )
    return session.scalar(query) is not None


def _draft(values: Mapping[str, str]) -> tuple[EngagementDraft, list[FieldProblem]]:
    """The row as a draft for `record_engagement`, and the cells that are not even readable."""
    problems: list[FieldProblem] = []

    def required(name: str) -> str:
        if not values[name]:
            problems.append(FieldProblem(name, f"{name} is required"))
        return values[name]

    def optional(name: str) -> str | None:
        return values.get(name) or None

    draft = EngagementDraft(
        partner_slug=required("partner_slug"),
        customer_name=required("customer_name"),
        customer_domain=required("customer_domain"),
        industry=required("industry"),
        status=required("status"),
        products=tuple(
            slug.strip() for slug in (optional("products") or "").split(";") if slug.strip()
        ),
        budget=_budget(optional("budget"), problems),
        started_on=_date("started_on", optional("started_on"), problems),
        ended_on=_date("ended_on", optional("ended_on"), problems),
        selection_reason=optional("selection_reason"),
        customer_country=optional("customer_country"),
        customer_size=optional("customer_size"),
    )
    return draft, problems


def _budget(cell: str | None, problems: list[FieldProblem]) -> int | None:
    if cell is None:
        return None
    if not _INTEGER.match(cell):
        problems.append(FieldProblem("budget", f"budget {cell!r} is not a whole number"))
        return None
    amount = int(cell)
    if amount > MAX_BUDGET:
        problems.append(FieldProblem("budget", f"budget {cell} is above the limit {MAX_BUDGET}"))
        return None
    return amount  # a negative amount is the service's to refuse


def _date(name: str, cell: str | None, problems: list[FieldProblem]) -> date | None:
    if cell is None:
        return None
    try:
        if not _ISO_DATE.match(cell):
            raise ValueError(cell)
        return date.fromisoformat(cell)
    except ValueError:
        problems.append(FieldProblem(name, f"{name} {cell!r} is not a date in the form YYYY-MM-DD"))
        return None
