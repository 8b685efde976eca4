"""load_demo_data: the whole generated data set, in one transaction, with bulk inserts."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection, Engine, func, select, text

from api.demo_data.common import TABLE_ORDER, RowSink
from api.demo_data.engagements import EngagementFactory
from api.demo_data.partners import PartnerFactory
from api.demo_data.pulses import PulseFactory
from api.demo_data.reference import add_reference_data
from api.demo_data.surveys import SurveyFactory

# Partners generated between two flushes: about 5,000 engagements' worth of rows.
PARTNERS_PER_BATCH = 250


@dataclass(frozen=True)
class DemoSummary:
    """How many rows the demo data added to each table."""

    industries: int
    vendors: int
    products: int
    partners: int
    offices: int
    partner_industries: int
    partner_products: int
    certifications: int
    references: int
    memberships: int
    program_feedback: int
    customers: int
    engagements: int
    engagement_products: int
    invitations: int
    responses: int
    pulse_checks: int

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> DemoSummary:
        return cls(
            industries=counts["industries"],
            vendors=counts["vendors"],
            products=counts["products"],
            partners=counts["partners"],
            offices=counts["offices"],
            partner_industries=counts["partner_industries"],
            partner_products=counts["partner_products"],
            certifications=counts["certifications"],
            references=counts["partner_references"],
            memberships=counts["vendor_program_memberships"],
            program_feedback=counts["program_feedback"],
            customers=counts["customers"],
            engagements=counts["engagements"],
            engagement_products=counts["engagement_products"],
            invitations=counts["survey_invitations"],
            responses=counts["survey_responses"],
            pulse_checks=counts["pulse_checks"],
        )


def load_demo_data(
    engine: Engine, *, partners: int = 500, seed: int = 1, progress: bool = True
) -> DemoSummary:
    """Fill an empty database (schema created, no partners) with a realistic data set.

    The same seed and partner count always give exactly the same rows. The stored figure
    tallies are left alone: the caller rebuilds them (`vouch demo-data` does).
    """
    if partners < 0:
        raise ValueError(f"partners must be zero or more, not {partners}")
    rng = random.Random(seed)
    sink = RowSink()
    with engine.begin() as connection:
        _check_empty(connection, sink)
        catalog = add_reference_data(sink)
        sink.flush(connection)
        partner_factory = PartnerFactory(rng, catalog)
        engagement_factory = EngagementFactory(rng, catalog)
        survey_factory = SurveyFactory(rng)
        pulse_factory = PulseFactory(seed)
        with _progress_bar(progress, partners) as advance:
            for start in range(0, partners, PARTNERS_PER_BATCH):
                batch = min(PARTNERS_PER_BATCH, partners - start)
                for _ in range(batch):
                    traits = partner_factory.create(sink)
                    for engagement in engagement_factory.create(sink, traits):
                        survey_factory.survey(sink, engagement)
                    for ongoing in engagement_factory.take_in_progress():
                        pulse_factory.pulses(sink, ongoing)
                sink.flush(connection)
                advance(batch)
        _advance_sequences(connection, sink)
    return DemoSummary.from_counts(sink.counts)


def _check_empty(connection: Connection, sink: RowSink) -> None:
    partner_count = _count(connection, sink, "partners")
    if partner_count:
        raise ValueError(
            f"the database already holds {partner_count} partners; "
            "demo data loads into an empty database"
        )
    for name in TABLE_ORDER:
        rows = _count(connection, sink, name)
        if rows:
            raise ValueError(
                f"the table {name} already holds {rows} rows; "
                "demo data loads into an empty database"
            )


def _count(connection: Connection, sink: RowSink, table: str) -> int:
    query = select(func.count()).select_from(sink.tables[table])
    return connection.execute(query).scalar_one()


def _advance_sequences(connection: Connection, sink: RowSink) -> None:
    """PostgreSQL: ids were given explicitly, so move each id sequence past them."""
    if connection.dialect.name != "postgresql":
        return
    statement = text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)")
    for name in TABLE_ORDER:
        if "id" in sink.tables[name].c and sink.last_id(name):
            connection.execute(statement, {"table": name, "last": sink.last_id(name)})


@contextmanager
def _progress_bar(enabled: bool, total: int) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda _done: None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    # On standard error, as every progress bar of the command line: stdout is the summary.
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("generating demo partners", total=total)
        yield lambda done: bar.advance(task, done)
