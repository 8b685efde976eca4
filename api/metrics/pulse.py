"""Early warning from pulse checks: when an engagement in progress is at risk."""

from __future__ import annotations

from collections.abc import Sequence

WORRIED_AT_MOST = 6  # a confidence of 6 or below is a worry
DROP_OF = 3  # so is a fall of 3 points or more since the previous answer


def at_risk(confidence: int, risks: Sequence[str], previous: int | None) -> bool:
    """Whether an answer puts its engagement at risk: a low confidence, any named risk, or
    a fall of DROP_OF points since the engagement's previous answer (`previous`)."""
    fell = previous is not None and previous - confidence >= DROP_OF
    return confidence <= WORRIED_AT_MOST or bool(risks) or fell
