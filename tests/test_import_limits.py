"""`vouch import engagements` streams its file: bounded rows, bounded count, batched checks.

A file that is not an export at all (/dev/zero), a row of megabytes or more rows than the
bound are refused with one line, quickly, in bounded memory (the command runs with a 1 GB
cap on its address space), and nothing is imported. The checks look rows up in batches:
a dry run costs the same statements for 3 rows as for 300.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.models import Engagement
from api.services.import_csv import read_csv
from api.services.imports import import_engagements, vendor_caller
from tests import factories
from tests.cli_runner import vouch
from tests.databases import Database, count_statements

MEMORY_MB = 1024
HEADER = "partner_slug,customer_name,customer_domain,industry,status,products"


@pytest.fixture
def partners(db: Database) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")
        factories.partner(session, world, "bravo-retail")


def export(rows: int) -> str:
    """ROWS good rows: two partners, three industries, a product on every other row."""
    lines = [HEADER]
    lines += [
        f"{('alpha-health', 'bravo-retail')[n % 2]},Customer {n},c{n}.example,"
        f"{('healthcare', 'retail', 'energy')[n % 3]},completed,{'acme-crm' if n % 2 else ''}"
        for n in range(rows)
    ]
    return "\n".join(lines) + "\n"


def engagements(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Engagement)) or 0


def run_import(path: Path | str, db: Database | None, tmp_path: Path, *options: str) -> str:
    """The one line a refused import prints on standard error, checked to be quick."""
    started = time.monotonic()
    done = vouch(
        "import", "engagements", str(path), "--vendor", "acme", *options,
        db=db, data_dir=tmp_path, timeout=60, memory_mb=MEMORY_MB,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""
    return done.stderr


def test_dev_zero_is_refused_at_once_in_bounded_memory(tmp_path: Path) -> None:
    stderr = run_import("/dev/zero", None, tmp_path)

    assert stderr == (
        "vouch: /dev/zero: line 1: the row is longer than 65,536 bytes; "
        "not an engagements export; nothing imported\n"
    )


def test_an_over_long_row_is_refused_with_its_line(
    db: Database, partners: None, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(export(2) + "alpha-health," + "x" * 100_000 + ",x.example,retail,completed,\n")

    stderr = run_import(path, db, tmp_path)

    assert stderr == (
        f"vouch: {path}: line 4: the row is longer than 65,536 bytes; "
        "not an engagements export; nothing imported\n"
    )
    assert engagements(db) == 0


def test_a_quoted_cell_over_many_lines_is_bounded_as_one_row(
    db: Database, partners: None, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(export(1) + 'alpha-health,"' + "x\n" * 40_000 + '",x.example,retail,done,\n')

    stderr = run_import(path, db, tmp_path)

    assert stderr.startswith(f"vouch: {path}: line 3: the row is longer than 65,536 bytes; ")
    assert engagements(db) == 0


def test_more_rows_than_the_bound_are_refused(db: Database, partners: None, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(export(3))

    stderr = run_import(path, db, tmp_path, "--max-rows", "2")

    assert stderr == (
        f"vouch: {path}: more than 2 rows (line 4); split the file, or raise the bound "
        "with --max-rows; nothing imported\n"
    )
    assert engagements(db) == 0


def test_a_dry_run_costs_the_same_statements_for_3_rows_as_for_300(
    db: Database, partners: None, tmp_path: Path
) -> None:
    statements: dict[int, list[str]] = {}
    for rows in (3, 300):
        path = tmp_path / f"export-{rows}.csv"
        path.write_text(export(rows))
        with db.session() as session, path.open("rb") as file:
            caller = vendor_caller(session, "acme")
            with count_statements(db.engine) as statements[rows]:
                result = import_engagements(session=session, caller=caller, source=read_csv(file))
            session.rollback()
        assert (result.ok, result.recorded) == (True, rows)

    # 11: one of them tells matching, through the change log, whose delivery moved
    assert len(statements[3]) == len(statements[300]) == 11, statements[3]
