"""Quarters and days: the time buckets the public sees (trend, reviews, publication dates)."""

from __future__ import annotations

from datetime import UTC, datetime


def quarter_of(moment: datetime) -> str:
    """'2026-Q3' for a moment in July to September 2026 (of the moment's own time zone)."""
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def day_of(moment: datetime | None) -> datetime | None:
    """The start (00:00 UTC) of the moment's UTC day: no public time is finer than a day,
    since an exact second (of the newest answer, of a publication that the fifth new answer
    set off) pins which respondent answered when."""
    if moment is None:
        return None
    day = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return day.replace(hour=0, minute=0, second=0, microsecond=0)
