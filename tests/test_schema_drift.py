"""schema.graphql is the checked-in contract; it must match the code exactly."""

from __future__ import annotations

from pathlib import Path

from api.schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_checked_in_schema_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == str(schema) + "\n", (
        "schema.graphql is stale: run `make schema` and review the diff"
    )
