"""Do the stored tallies equal a rebuild from the raw responses? The audit that the
incremental path (one transaction per submit or void) and `figures_rebuild.rebuild` (SQL
GROUP BY) agree, read by the tests and by the load benchmark after its traffic."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.orm import Session

from api.models import live_market, partner_tallies
from api.services.figures_rebuild import rebuild

# A tally table's rows: primary key -> the other columns.
Snapshot = dict[tuple[Any, ...], dict[str, Any]]


def tally_snapshot(session: Session, table: Table) -> Snapshot:
    """Every row of a tally table but the empty ones: a segment emptied by voids is the same
    as no segment."""
    keys = [column.name for column in table.primary_key.columns]
    return _snapshot(session, select(table), keys)


def _snapshot(session: Session, query: Select[Any], keys: list[str]) -> Snapshot:
    snapshot: Snapshot = {}
    for row in session.execute(query).mappings():
        values = {name: value for name, value in row.items() if name not in keys}
        counts = [value for value in values.values() if isinstance(value, int)]
        if all(count == 0 for count in counts) and values.get("latest_response_at") is None:
            continue
        snapshot[tuple(row[name] for name in keys)] = values
    return snapshot


def tally_snapshots(session: Session) -> tuple[Snapshot, Snapshot]:
    """The partner tallies and the live market figures summed from them."""
    market = _snapshot(session, live_market(), ["kind", "segment"])
    return tally_snapshot(session, partner_tallies), market


def figures_consistency(*, session: Session) -> list[str]:
    """One line per tally row that differs from a rebuild (none when they agree). The
    rebuild runs in a savepoint rolled back: nothing stored changes."""
    stored = tally_snapshots(session)
    savepoint = session.begin_nested()
    try:
        rebuild(session=session)
        rebuilt = tally_snapshots(session)
    finally:
        savepoint.rollback()
    problems = []
    for name, old, new in zip(("partner_tallies", "market"), stored, rebuilt, strict=True):
        for key in sorted(old.keys() | new.keys(), key=repr):
            if old.get(key) != new.get(key):
                problems.append(f"{name} {key}: stored {old.get(key)}, rebuilt {new.get(key)}")
    return problems
