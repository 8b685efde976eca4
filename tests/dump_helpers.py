"""Databases to dump: a filled source, and every table's rows to compare."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.engine import URL

from api.db import create_db_engine
from api.models import (
    AuditEntry,
    Base,
    ReviewReply,
    SurveyResponse,
    Vendor,
    Webhook,
    WebhookDelivery,
)
from tests.cli_runner import vouch_at


def fill(url: URL, data_dir: Path, *, partners: int = 25) -> None:
    """Demo data, figures published, keys, a void (audited), a reply and odd text."""
    for args in (
        ("db", "upgrade"),
        ("demo-data", "--partners", str(partners), "--seed", "7"),
        ("apikey", "create", "--role", "admin", "--label", "ops ✓"),
        ("responses", "void", "3", "--reason", "a test of the audit log"),
    ):
        done = vouch_at(*args, url=url, data_dir=data_dir)
        assert done.returncode == 0, done.stderr
    engine = create_db_engine(url)
    try:
        with engine.begin() as connection:
            response = connection.execute(
                select(SurveyResponse.id, SurveyResponse.partner_id).where(
                    SurveyResponse.voided.is_(False)
                )
            ).first()
            assert response is not None
            at = datetime(2026, 3, 4, 5, 6, 7, 891234, tzinfo=UTC)
            connection.execute(
                insert(ReviewReply).values(
                    response_id=response.id,
                    partner_id=response.partner_id,
                    body='Thanks — "quoted", emoji 🚀, newline\nand tab\t',
                    created_at=at,
                    updated_at=at,
                )
            )
            connection.execute(
                insert(AuditEntry).values(
                    at=at,
                    actor="test",
                    action="note",
                    entity_type="dump",
                    entity_id="1",
                    details={"nested": {"list": [1, 2.5, None, True]}, "text": "é"},
                )
            )
            vendor = connection.scalar(select(Vendor.id).order_by(Vendor.id).limit(1))
            webhook = connection.scalar(
                insert(Webhook)
                .values(
                    vendor_id=vendor,
                    url="https://hooks.example/vouch?x=ü",
                    events=["engagement.at_risk", "figures.published"],
                    salt="00ff" * 8,
                    created_at=at,
                )
                .returning(Webhook.id)
            )
            connection.execute(
                insert(WebhookDelivery).values(
                    delivery_id="6f1c2a56-3a5e-4c1e-9d53-0e6c7f3b8a11",
                    webhook_id=webhook,
                    event="engagement.at_risk",
                    body='{"data":{"engagement":{"id":"7"}},"event":"engagement.at_risk"}',
                    status="pending",
                    attempts=2,
                    next_attempt_at=at,
                    last_error="answered HTTP 503",
                    created_at=at,
                )
            )
    finally:
        engine.dispose()


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order, read back through the models' types."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*order))
            ]
    return found


def row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }
