"""The audit log is append-only in the database itself, not only by convention."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from api.models import AuditEntry
from api.services import audit
from tests.databases import Database


def test_entries_can_be_added_but_never_changed_or_removed(db: Database) -> None:
    with db.session() as session, session.begin():
        audit.record(
            session=session, actor="cli", action="test.write", entity_type="t", entity_id=1
        )

    for statement in (
        update(AuditEntry).values(actor="someone else"),
        delete(AuditEntry),
    ):
        with db.session() as session, pytest.raises(DBAPIError, match="append-only"):
            session.execute(statement)

    with db.session() as session:
        assert session.scalars(select(AuditEntry.actor)).all() == ["cli"]
