"""`vouch import engagements FILE`: a vendor's CSV export, streamed and checked, all or none."""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

from api.cli.common import CommandError, Commands, open_engine, plural, whole_number
from api.db import session_factory
from api.errors import DomainError
from api.services.import_csv import DEFAULT_MAX_ROWS, CsvError, CsvFile, Layout, read_csv
from api.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.services.apikeys import Caller
    from api.services.imports import ImportResult


class Importer(Protocol):
    def __call__(self, *, session: Session, caller: Caller, source: CsvFile) -> ImportResult: ...


# A progress bar only where it helps: small files finish before it could be read.
PROGRESS_FROM_BYTES = 2**18
MAX_ROWS_BOUND = 10**9


def engagements_import(args: argparse.Namespace, settings: Settings) -> None:
    from api.services.import_csv import ENGAGEMENTS
    from api.services.imports import import_engagements

    result = _import(args, settings, ENGAGEMENTS, import_engagements)
    counts = f"{result.recorded} new, {result.present} already present"
    if args.dry_run:
        print(f"{plural(result.rows, 'row')} OK: {counts}; dry run, nothing imported")
    else:
        imported = plural(result.recorded, "engagement")
        print(f"imported {imported} for vendor {args.vendor}: {counts}")


def memberships_import(args: argparse.Namespace, settings: Settings) -> None:
    from api.services.membership_import import MEMBERSHIPS, import_memberships

    result = _import(args, settings, MEMBERSHIPS, import_memberships)
    counts = f"{result.recorded} new, {result.changed} changed, {result.present} already present"
    if args.dry_run:
        print(f"{plural(result.rows, 'row')} OK: {counts}; dry run, nothing imported")
    else:
        print(f"imported the program of vendor {args.vendor}: {counts}")


def _import(
    args: argparse.Namespace, settings: Settings, layout: Layout, run: Importer
) -> ImportResult:
    """Read, check and write the whole file in one transaction, committed only when every
    row is good (and not a dry run); a file with a problem raises CommandError."""
    from api.services.imports import vendor_caller

    with _open(args.file) as file, _progress(_size(file), f"checking {args.file.name}") as seen:
        try:
            source = read_csv(file, max_rows=args.max_rows, on_bytes=seen, layout=layout)
        except DomainError as error:
            for header_problem in error.problems:
                print(header_problem.message, file=sys.stderr)
            raise CommandError(f"{args.file}: not {layout.what}; nothing imported") from error
        except CsvError as error:
            raise CommandError(f"{args.file}: {error}; nothing imported") from error
        with session_factory(open_engine(settings))() as session:
            caller = vendor_caller(session, args.vendor)
            try:
                result = run(session=session, caller=caller, source=source)
            except CsvError as error:
                session.rollback()
                raise CommandError(f"{args.file}: {error}; nothing imported") from error
            if result.ok and not args.dry_run:
                session.commit()
            else:
                session.rollback()
    if not result.rows:
        raise CommandError(f"{args.file}: nothing to import: the file has a header and no rows")
    if not result.ok:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        raise CommandError(
            f"{plural(len(result.problems), 'problem')} in {result.refused} of "
            f"{plural(result.rows, 'row')}; nothing imported"
        )
    return result


@contextmanager
def _open(path: Path) -> Iterator[BinaryIO]:
    try:
        file = path.open("rb")
    except FileNotFoundError as error:
        raise CommandError(f"{path}: no such file") from error
    except IsADirectoryError as error:
        raise CommandError(f"{path} is a folder, not a CSV file") from error
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from error
    with file:
        yield file


def _size(file: BinaryIO) -> int:
    """The file's size for the progress bar; 0 (no bar) for a pipe or a device."""
    status = os.fstat(file.fileno())
    return status.st_size if stat.S_ISREG(status.st_mode) else 0


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Told the bytes read as the rows are taken."""
    if total <= PROGRESS_FROM_BYTES:
        yield lambda _bytes: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda read: progress.advance(task, read)


def add_commands(commands: Commands) -> None:
    imports = commands.add_parser("import", help="import data files").add_subparsers(
        dest="import_command", required=True, metavar="WHAT"
    )
    engagements = imports.add_parser(
        "engagements",
        help="a vendor's engagements from a CSV export; all rows or none",
        description="Columns: partner_slug, customer_name, customer_domain, industry, status "
        "(required); products (slugs separated by ';'), budget, started_on, ended_on "
        "(YYYY-MM-DD), selection_reason, customer_country, customer_size. "
        "Every row is checked; if any has a problem, each is printed and nothing is imported. "
        "A row whose engagement the vendor already has (the same partner, customer_domain, "
        "industry and started_on) is counted as already present and left as it is, so "
        "importing a file again adds only its new rows. The file is read as a stream: a row "
        "longer than 64 KiB, or more rows than --max-rows, and nothing is imported.",
    )
    _file_arguments(engagements, "the vendor the engagements belong to")
    engagements.set_defaults(run=engagements_import)
    memberships = imports.add_parser(
        "memberships",
        help="a vendor's partner program (tier, revenue, sponsorship) from a CSV file; all "
        "rows or none",
        description="Columns: partner_slug, tier (registered, silver, gold or platinum) "
        "(required); annual_revenue (a whole number, 0 to 2,000,000,000), sponsored (true or "
        "false) (optional: an empty cell keeps what the membership holds; a new one has 0, "
        "not sponsored). Every row is checked as setProgramMembership checks it; if any has "
        "a problem, each is printed with its line and nothing is imported. A row that "
        "changes nothing is counted as already present, so importing a file again changes "
        "nothing. Tier, revenue and sponsorship never reach a figure, a ranking or a match.",
    )
    _file_arguments(memberships, "the vendor whose program it is")
    memberships.set_defaults(run=memberships_import)


def _file_arguments(parser: argparse.ArgumentParser, vendor_help: str) -> None:
    parser.add_argument(
        "file", type=Path, metavar="FILE.csv", help="the CSV file, UTF-8, with a header row"
    )
    parser.add_argument("--vendor", required=True, metavar="SLUG", help=vendor_help)
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    parser.add_argument(
        "--max-rows",
        type=whole_number("a row count", 1, MAX_ROWS_BOUND),
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"refuse a file of more than N rows (default: {DEFAULT_MAX_ROWS:,}); the check "
        "holds one batch of rows in memory at a time, whatever N",
    )
