"""`vouch import memberships`: a vendor's partner program from a CSV file, all or nothing.

The rules of the engagement import (api.services.imports), with its reader and its row
checks: every row gets the checks of `setProgramMembership`, each problem comes with its
line in the file (the header is line 1), and the caller commits only a result without
problems. A row that changes nothing is counted as already present and writes nothing, so
importing a file again is a no-op. An empty annual_revenue or sponsored cell keeps what
the membership holds (a new one: 0, not sponsored).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import FieldProblem
from api.models import Partner, Vendor, VendorProgramMembership
from api.services.apikeys import Caller
from api.services.catalogue import MembershipChange, Outcome, apply_membership, check_membership
from api.services.import_csv import CsvFile, CsvRow, Layout
from api.services.imports import ImportProblem, ImportResult, batches, row_values
from api.validation import Checker

MEMBERSHIPS = Layout(
    "a memberships export", ("partner_slug", "tier"), ("annual_revenue", "sponsored")
)
_INTEGER = re.compile(r"^-?[0-9]{1,15}$")
_SPONSORED = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def import_memberships(*, session: Session, caller: Caller, source: CsvFile) -> ImportResult:
    """Set every row's membership in the session's transaction; bad rows are reported.

    Nothing is committed here: commit only when the result is `ok`, else roll back.
    """
    assert caller.role == "vendor", "an import acts for a vendor"
    vendor = session.get(Vendor, caller.vendor_id)
    assert vendor is not None
    problems: list[ImportProblem] = []
    outcomes: dict[Outcome | None, int] = dict.fromkeys(("new", "changed", "present", None), 0)
    first_line: dict[str, int] = {}  # partner slug -> the line that named it first
    order = {name: index for index, name in enumerate(source.columns)}  # problems by column
    for batch in batches(source.rows):
        read = [(row, *row_values(source.columns, row)) for row in batch]
        slugs = {values["partner_slug"] for _, values, _ in read if values is not None}
        partners: dict[str, int] = dict(
            session.execute(select(Partner.slug, Partner.id).where(Partner.slug.in_(slugs))).all()
        )
        existing = {
            row.partner_id: row
            for row in session.scalars(
                select(VendorProgramMembership).where(
                    VendorProgramMembership.vendor_id == vendor.id,
                    VendorProgramMembership.partner_id.in_(partners.values()),
                )
            )
        }
        for row, values, unreadable in read:
            found: Outcome | list[ImportProblem] = unreadable
            if values is not None:
                found = _row(session, caller, vendor, row, values, partners, existing, first_line)
            if isinstance(found, list):
                problems.extend(sorted(found, key=lambda p: order.get(p.field or "", len(order))))
                outcomes[None] += 1
            else:
                outcomes[found] += 1
    return ImportResult(
        rows=sum(outcomes.values()),
        recorded=outcomes["new"],
        changed=outcomes["changed"],
        present=outcomes["present"],
        refused=outcomes[None],
        problems=tuple(problems),
    )


def _row(
    session: Session,
    caller: Caller,
    vendor: Vendor,
    row: CsvRow,
    values: Mapping[str, str],
    partners: Mapping[str, int],
    existing: dict[int, VendorProgramMembership],
    first_line: dict[str, int],
) -> Outcome | list[ImportProblem]:
    """The row's outcome once applied, or its problems (then nothing of it is written)."""
    check = Checker()
    slug = values["partner_slug"]
    partner_id = partners.get(slug)
    if not slug:
        check.fail("partner_slug", "partner_slug is required")
    elif partner_id is None:
        check.fail("partner_slug", f"no partner with slug {slug!r}")
    elif slug in first_line:
        check.fail(
            "partner_slug", f"{slug!r} is on line {first_line[slug]} already: one row a partner"
        )
    if not values["tier"]:
        check.fail("tier", "tier is required")
    change = MembershipChange(
        tier=values["tier"] or None,
        annual_revenue=_revenue(values.get("annual_revenue") or None, check),
        sponsored=_sponsored(values.get("sponsored") or None, check),
    )
    check_membership(check, change, is_new=False)
    if check.problems:
        return [_at(row, problem) for problem in check.problems]
    assert partner_id is not None
    first_line[slug] = row.line
    membership, outcome = apply_membership(
        session, caller, vendor, partner_id, slug, existing.get(partner_id), change
    )
    existing[partner_id] = membership
    return outcome


def _at(row: CsvRow, problem: FieldProblem) -> ImportProblem:
    return ImportProblem(row.line, problem.field, problem.message)


def _revenue(cell: str | None, check: Checker) -> int | None:
    if cell is None:
        return None
    if not _INTEGER.match(cell):
        check.fail("annual_revenue", f"annual_revenue {cell!r} is not a whole number")
        return None
    return int(cell)  # its range is check_membership's


def _sponsored(cell: str | None, check: Checker) -> bool | None:
    if cell is None:
        return None
    if cell.lower() not in _SPONSORED:
        check.fail("sponsored", f"sponsored {cell!r} is not one of true, false, yes, no, 1, 0")
        return None
    return _SPONSORED[cell.lower()]
