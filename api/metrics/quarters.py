"""Quarters, the time buckets of the trend and of anonymous reviews' dates."""

from __future__ import annotations

from datetime import datetime


def quarter_of(moment: datetime) -> str:
    """'2026-Q3' for a moment in July to September 2026 (of the moment's own time zone)."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
