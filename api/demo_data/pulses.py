"""Pulse checks on the demo's engagements in progress: one every 30 days since the start,
most answered; a weaker partner's customers are less confident, so some are at risk.

They draw from their own generator (seeded from the demo's seed), so adding them left
every other demo row as it was.
"""

from __future__ import annotations

import random
from datetime import timedelta

from api.demo_data.common import ANCHOR, ANCHOR_DATE, RowSink, between, moment
from api.demo_data.engagements import Ongoing
from api.demo_data.surveys import token_hash
from api.metrics.pulse import at_risk
from api.vocabulary import PULSE_RISKS

EVERY = timedelta(days=30)
LIFETIME = timedelta(days=30)
MAX_CHECKS = 6
ANSWER_SHARE = 0.85
NOTE_SHARE = 0.5  # of the engagements at risk, those whose partner answered with a note
NOTES = (
    "We have added a senior consultant to the team from next week.",
    "Scope is agreed again with the customer; the plan follows on Friday.",
    "A steering meeting with the customer's sponsor is booked for Monday.",
    "The data migration slipped; we run a second team to catch up.",
)


class PulseFactory:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"pulses-{seed}")

    def pulses(self, sink: RowSink, engagement: Ongoing) -> None:
        rng = self.rng
        contact = f"pm@{engagement.email_domain}"
        mood = 8.6 + 0.7 * engagement.partner.quality + rng.gauss(0.0, 0.6)
        previous: int | None = None
        worried_at = None
        sent_on = engagement.started_on + timedelta(days=between(rng, 3, 10))
        for _ in range(MAX_CHECKS):
            if sent_on >= ANCHOR_DATE:
                break
            created = moment(sent_on, rng)
            row: dict[str, object] = {
                "id": sink.new_id("pulse_checks"),
                "engagement_id": engagement.id,
                "email": contact,
                "token_hash": token_hash(rng),
                "created_at": created,
                "expires_at": created + LIFETIME,
                "scheduled": previous is not None,
                "used_at": None,
                "confidence": None,
                "risks": None,
                "comment": None,
                "at_risk": None,
            }
            if rng.random() < ANSWER_SHARE:
                mood += rng.gauss(-0.1, 0.6)
                confidence = max(0, min(10, round(mood)))
                worry = 0.6 if confidence <= 6 else 0.04
                risks = sorted(
                    {r for r in rng.sample(PULSE_RISKS, 2) if rng.random() < worry},
                    key=PULSE_RISKS.index,
                )
                answered = created + timedelta(hours=between(rng, 1, 72))
                row.update(
                    used_at=min(answered, ANCHOR - timedelta(minutes=1)),
                    confidence=confidence,
                    risks=",".join(risks) or None,
                    at_risk=at_risk(confidence, risks, previous),
                )
                previous = confidence
                worried_at = answered if row["at_risk"] else None
            sink.add("pulse_checks", row)
            sent_on += EVERY
        if worried_at is not None and rng.random() < NOTE_SHARE:
            sink.add(
                "engagement_notes",
                {
                    "id": sink.new_id("engagement_notes"),
                    "engagement_id": engagement.id,
                    "author": "partner",
                    "note": NOTES[int(rng.random() * len(NOTES))],
                    "created_at": min(worried_at + timedelta(hours=6), ANCHOR),
                },
            )
