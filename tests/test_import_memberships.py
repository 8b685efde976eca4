"""`vouch import memberships`: a vendor's program from a CSV file, with the engagement
import's rules: every problem with its line, all or nothing, a second import a no-op."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from api.models import AuditEntry, Partner, VendorProgramMembership
from tests import factories
from tests.cli_runner import vouch
from tests.databases import Database

GOOD = """partner_slug,tier,annual_revenue,sponsored
alpha-health,gold,250000,true
bravo-retail,registered,,
charlie-systems,platinum,3000000,no
"""


@pytest.fixture
def partners(db: Database) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in ("alpha-health", "bravo-retail", "charlie-systems"):
            factories.partner(session, world, slug)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "program.csv"
    path.write_bytes(text.encode())
    return str(path)


def run(db: Database, tmp_path: Path, text: str, *more: str, vendor: str = "acme") -> Any:
    return vouch(
        "import", "memberships", write(tmp_path, text), "--vendor", vendor, *more,
        db=db, data_dir=tmp_path,
    )  # fmt: skip


def program(db: Database) -> list[tuple[str, str, str, int, bool]]:
    with db.session() as session:
        rows = session.execute(
            select(
                VendorProgramMembership.vendor_id,
                Partner.slug,
                VendorProgramMembership.tier,
                VendorProgramMembership.annual_revenue,
                VendorProgramMembership.sponsored,
            )
            .join(Partner, Partner.id == VendorProgramMembership.partner_id)
            .order_by(Partner.slug)
        )
        return [
            (str(v), slug, tier, revenue, sponsored) for v, slug, tier, revenue, sponsored in rows
        ]


def audit_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_a_good_file_sets_the_program_and_again_changes_nothing(
    db: Database, partners: None, tmp_path: Path
) -> None:
    first = run(db, tmp_path, "\ufeff" + GOOD)  # Excel's byte order mark

    assert first.returncode == 0, first.stderr
    assert "3 new, 0 changed, 0 already present" in first.stdout
    rows = program(db)
    assert [row[1:] for row in rows] == [
        ("alpha-health", "gold", 250_000, True),
        ("bravo-retail", "registered", 0, False),  # empty cells: a new one's defaults
        ("charlie-systems", "platinum", 3_000_000, False),
    ]
    assert audit_count(db) == 3

    again = run(db, tmp_path, GOOD)

    assert again.returncode == 0, again.stderr
    assert "0 new, 0 changed, 3 already present" in again.stdout
    assert program(db) == rows
    assert audit_count(db) == 3  # nothing written, not even to the audit log


def test_a_later_file_changes_what_it_names_and_empty_cells_keep_values(
    db: Database, partners: None, tmp_path: Path
) -> None:
    assert run(db, tmp_path, GOOD).returncode == 0
    later = (
        "partner_slug,tier,annual_revenue,sponsored\n"
        "alpha-health,platinum,,\n"
        "bravo-retail,registered,,\n"
    )

    result = run(db, tmp_path, later)

    assert result.returncode == 0, result.stderr
    assert "0 new, 1 changed, 1 already present" in result.stdout
    assert program(db)[0][1:] == ("alpha-health", "platinum", 250_000, True)


def test_one_bad_row_imports_nothing_and_each_problem_has_its_line(
    db: Database, partners: None, tmp_path: Path
) -> None:
    text = (
        "partner_slug,tier,annual_revenue,sponsored\n"
        "alpha-health,gold,100,true\n"
        "bravo-retail,diamond,-5,maybe\n"
        "nobody,silver,2000000001,\n"
        "alpha-health,silver,,\n"
        ",,12.5,\n"
    )

    result = run(db, tmp_path, text)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert problems == [
        "line 3: tier: tier must be one of registered, silver, gold, platinum, got 'diamond'",
        "line 3: annual_revenue: annual_revenue must be between 0 and 2,000,000,000, got -5",
        "line 3: sponsored: sponsored 'maybe' is not one of true, false, yes, no, 1, 0",
        "line 4: partner_slug: no partner with slug 'nobody'",
        "line 4: annual_revenue: annual_revenue must be between 0 and 2,000,000,000, "
        "got 2,000,000,001",
        "line 5: partner_slug: 'alpha-health' is on line 2 already: one row a partner",
        "line 6: partner_slug: partner_slug is required",
        "line 6: tier: tier is required",
        "line 6: annual_revenue: annual_revenue '12.5' is not a whole number",
    ]
    assert "9 problems in 4 of 5 rows; nothing imported" in result.stderr
    assert program(db) == []
    assert audit_count(db) == 0


def test_a_dry_run_checks_and_writes_nothing(db: Database, partners: None, tmp_path: Path) -> None:
    result = run(db, tmp_path, GOOD, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "3 rows OK: 3 new, 0 changed, 0 already present; dry run" in result.stdout
    assert program(db) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("partner_slug,annual_revenue\nalpha-health,5\n", "missing required column 'tier'"),
        ("partner_slug,tier,budget\nalpha-health,gold,5\n", "unknown column 'budget'"),
    ],
)
def test_a_file_of_other_columns_is_refused_whole(
    db: Database, partners: None, tmp_path: Path, text: str, message: str
) -> None:
    result = run(db, tmp_path, text)

    assert result.returncode == 1
    assert message in result.stderr
    assert "not a memberships export; nothing imported" in result.stderr
    assert program(db) == []


def test_an_unknown_vendor_is_refused(db: Database, partners: None, tmp_path: Path) -> None:
    result = run(db, tmp_path, GOOD, vendor="nope")

    assert result.returncode != 0
    assert "no vendor with slug 'nope'" in result.stderr
    assert "Traceback" not in result.stderr
    assert program(db) == []
