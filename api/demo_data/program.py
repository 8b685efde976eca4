"""Generated programme feedback and delivery capacities, each from a generator of its own
(seeded by the partner's slug), so the other draws of the data set stay as they were."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from api.demo_data.common import RowSink, between, moment, pick
from api.demo_data.reference import Vendor

# The ended quarters before the data set's anchor date (2026-10-01), and their first days.
QUARTERS = (
    ("2026-Q1", date(2026, 1, 1)),
    ("2026-Q2", date(2026, 4, 1)),
    ("2026-Q3", date(2026, 7, 1)),
)
ANSWER_ODDS = 0.6  # a partner answers a vendor's quarterly question this often
COMMENT_ODDS = 0.25
COMMENTS = (
    "Enablement material is good, but certification exams lag behind new releases.",
    "Leads come late and without enough context to act on.",
    "Partner managers change too often to build a relationship.",
    "Payments arrive on time and the margins are fair.",
    "Support escalations take weeks; customers notice.",
    "Meh. The programme does what it says, nothing more.",
    "Co-selling works well when the account team is involved early.",
    "Deal registration conflicts with the vendor's own direct sales.",
)


def delivery_capacity(slug: str, band: int) -> int | None:
    """Projects a partner says it can run at once: about three in four declare one, more
    the larger they are."""
    rng = random.Random(f"capacity:{slug}")
    if rng.random() < 0.25:
        return None
    return between(rng, 1 + band, 3 + 3 * band)


def add_program_feedback(
    sink: RowSink, partner_id: int, slug: str, vendors: Sequence[Vendor]
) -> None:
    """The partner's answers about each vendor it works with, some quarters."""
    for vendor in vendors:
        rng = random.Random(f"program:{slug}:{vendor.spec.slug}")
        for quarter, first_day in QUARTERS:
            if rng.random() >= ANSWER_ODDS:
                continue
            mood = 1.5 * vendor.spec.satisfaction + rng.gauss(0.0, 1.0)
            sink.add(
                "program_feedback",
                {
                    "id": sink.new_id("program_feedback"),
                    "vendor_id": vendor.id,
                    "partner_id": partner_id,
                    "quarter": quarter,
                    "likelihood_to_recommend": _clamp(round(7 + 1.6 * mood), 0, 10),
                    "enablement": _theme(rng, mood),
                    "support": _theme(rng, mood),
                    "lead_sharing": _theme(rng, mood - 0.6),
                    "payments": _theme(rng, mood + 0.3),
                    "comment": pick(rng, COMMENTS) if rng.random() < COMMENT_ODDS else None,
                    "submitted_at": moment(first_day + timedelta(days=between(rng, 0, 88)), rng),
                },
            )


def _theme(rng: random.Random, mood: float) -> int | None:
    if rng.random() < 0.1:
        return None  # left blank
    return _clamp(round(3.4 + 0.8 * mood + rng.gauss(0.0, 0.7)), 1, 5)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
