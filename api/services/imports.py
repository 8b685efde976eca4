"""`vouch import engagements`: a vendor's PRM export, checked row by row, all or nothing.

Every row gets the checks of the GraphQL mutation (`check_values` and `check_references`
of api.services.engagements). The caller sees every problem, each with its line in the
file (the header is line 1), and decides: commit the transaction only when there are
none, or roll it back (a dry run, or a file with problems).

The file is a stream (api.services.import_csv), taken BATCH_ROWS rows at a time: what a
batch names is looked up, and its new engagements written, with a few statements for the
whole batch (api.services.import_batch). Checking a row one query at a time cost a
40,000-row dry run 87 s of CPU; a dry run writes as an import does, then rolls back, so
it says exactly what the import would do.

Importing a file again adds only its new rows: a row whose engagement the vendor already
has, by its natural key (partner, customer domain, industry, start date), is checked like
any other, counted as already present and left as it is. A row whose engagement the
partner disputed is refused: an import counts as confirmed, so it must not bring back
unseen what the other side refused. The status, budget, end date and
products are not in the key: a later export of the same engagement may change them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, FieldProblem
from api.models import Vendor
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, check_references, check_values
from api.services.import_batch import Lookups, NewEngagement, customer_ids, present_keys, write
from api.services.import_csv import CsvFile, CsvRow
from api.validation import MAX_BUDGET

IMPORT_ACTOR = "cli:import"
BATCH_ROWS = 500
# engagements.budget is an INTEGER column: 32 bits on PostgreSQL.
_INTEGER = re.compile(r"^-?[0-9]+$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

Outcome = Literal["new", "present", "refused"]
DISPUTED = (
    "the partner disputed this engagement: an admin reviews it (disputedEngagements) "
    "and confirms it if it stands; remove the row to import the others"
)


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
class ImportResult:
    rows: int
    recorded: int  # new engagements
    problems: tuple[ImportProblem, ...]
    present: int = 0  # rows whose engagement was already there
    refused: int = 0  # rows with a problem
    changed: int = 0  # rows that changed what was there (memberships)

    @property
    def ok(self) -> bool:
        return not self.problems


def vendor_caller(session: Session, vendor_slug: str, *, source: str = IMPORT_ACTOR) -> Caller:
    """The vendor an import acts for, as if it had called with that vendor's key."""
    vendor_id = session.scalar(select(Vendor.id).where(Vendor.slug == vendor_slug))
    if vendor_id is None:
        raise DomainError.one(
            "vendor", f"no vendor with slug {vendor_slug!r}", code=ErrorCode.NOT_FOUND
        )
    return Caller(role="vendor", vendor_id=vendor_id, vendor_slug=vendor_slug, source=source)


def import_engagements(*, session: Session, caller: Caller, source: CsvFile) -> ImportResult:
    """Record every row in the session's transaction; bad rows are left out and reported.

    Nothing is committed here: commit only when the result is `ok`, else roll back.
    Reading the file may raise import_csv.CsvError mid-way: roll back then too.
    """
    assert caller.role == "vendor", "an import acts for a vendor"
    vendor = session.get(Vendor, caller.vendor_id)
    assert vendor is not None
    lookups = Lookups(session)
    problems: list[ImportProblem] = []
    outcomes: dict[Outcome, int] = dict.fromkeys(("new", "present", "refused"), 0)
    for batch in batches(source.rows):
        for outcome in _import_batch(
            session, caller, vendor, lookups, source.columns, batch, problems
        ):
            outcomes[outcome] += 1
    return ImportResult(
        rows=sum(outcomes.values()),
        recorded=outcomes["new"],
        present=outcomes["present"],
        refused=outcomes["refused"],
        problems=tuple(problems),
    )


def batches(rows: Iterator[CsvRow]) -> Iterator[list[CsvRow]]:
    while batch := list(islice(rows, BATCH_ROWS)):
        yield batch


@dataclass(frozen=True)
class _Checked:
    row: CsvRow
    draft: EngagementDraft | None  # None: not even a row of the header's columns
    problems: list[ImportProblem]
    unreadable: set[str | None]  # the cells the draft could not take (their problem is said)


def _import_batch(
    session: Session,
    caller: Caller,
    vendor: Vendor,
    lookups: Lookups,
    columns: tuple[str, ...],
    batch: list[CsvRow],
    problems: list[ImportProblem],
) -> list[Outcome]:
    checked = [_read_row(columns, row) for row in batch]
    drafts = [c.draft for c in checked if c.draft is not None]
    lookups.load(drafts)
    customers = customer_ids(session, (d.customer_domain.lower() for d in drafts))
    present, disputed = present_keys(session, vendor, customers)
    order = {name: index for index, name in enumerate(columns)}
    outcomes: list[Outcome] = []
    new: list[tuple[int, NewEngagement]] = []
    for row in checked:
        found = row.problems + _check(row, vendor, lookups)
        if not found and row.draft is not None and lookups.key(row.draft) in disputed:
            # The partner said it did not happen: an import must not overrule that unseen.
            found = [ImportProblem(row.row.line, None, DISPUTED)]
        if found or row.draft is None:
            problems.extend(sorted(found, key=lambda p: order.get(p.field or "", len(order))))
            outcomes.append("refused")
        elif (key := lookups.key(row.draft)) in present:
            outcomes.append("present")  # checked in full all the same
        else:
            present.add(key)  # a second row of the same engagement in the file is present
            partner_id, industry_id = key[0], key[2]
            assert partner_id is not None  # else check_references said so
            assert industry_id is not None
            new.append(
                (len(outcomes), NewEngagement(row.row.line, row.draft, partner_id, industry_id))
            )
            outcomes.append("new")
    written = [n for _, n in new]
    if new and not _write_batch(session, caller, vendor, lookups, written, customers, problems):
        for index, _ in new:
            outcomes[index] = "refused"
    return outcomes


def _check(row: _Checked, vendor: Vendor, lookups: Lookups) -> list[ImportProblem]:
    if row.draft is None:
        return []
    draft = row.draft
    check = check_values(draft)
    partner_id, industry_id = (
        lookups.partners[draft.partner_slug],
        lookups.industries[draft.industry],
    )
    check_references(check, draft, vendor, partner_id, industry_id, lookups.products)
    return [
        ImportProblem(row.row.line, p.field, p.message)
        for p in check.problems
        if p.field not in row.unreadable
    ]


def _write_batch(
    session: Session,
    caller: Caller,
    vendor: Vendor,
    lookups: Lookups,
    new: list[NewEngagement],
    customers: dict[str, int],
    problems: list[ImportProblem],
) -> bool:
    """Write in a savepoint of its own: a batch the database refuses is rolled back alone,
    and the batches after it are still checked."""
    savepoint = session.begin_nested()
    try:
        write(session, caller, vendor, lookups, new, customers)
    except (IntegrityError, DataError) as error:
        savepoint.rollback()
        reason = str(error.orig or error).strip().splitlines()[0]
        first, last = new[0].line, new[-1].line
        problems.append(
            ImportProblem(
                first, None, f"the database refused a row of lines {first} to {last}: {reason}"
            )
        )
        return False
    savepoint.commit()
    return True


def row_values(
    columns: tuple[str, ...], row: CsvRow
) -> tuple[dict[str, str] | None, list[ImportProblem]]:
    """The row's cells by column, stripped; None (and why) for a row no import can read."""
    if len(row.cells) != len(columns):
        message = f"the row has {len(row.cells)} cells; the header has {len(columns)} columns"
        return None, [ImportProblem(row.line, None, message)]
    # SQLite would store a NUL and PostgreSQL refuse it: refused here, on both.
    nul = [
        ImportProblem(row.line, name, f"{name} holds a NUL character (0x00); remove it")
        for name, cell in zip(columns, row.cells, strict=True)
        if "\x00" in cell
    ]
    if nul:
        return None, nul
    return {name: cell.strip() for name, cell in zip(columns, row.cells, strict=True)}, []


def _read_row(columns: tuple[str, ...], row: CsvRow) -> _Checked:
    values, unreadable = row_values(columns, row)
    if values is None:
        return _Checked(row, None, unreadable, set())
    draft, bad_cells = _draft(values)
    found = [ImportProblem(row.line, p.field, p.message) for p in bad_cells]
    return _Checked(row, draft, found, {p.field for p in bad_cells})


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
        problems.append(FieldProblem("budget", f"budget {cell} is above the limit {MAX_BUDGET:,}"))
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
