"""What partners say of each vendor's programme, as the public sees it: per vendor and
quarter, never per partner.

A quarter is published once it has ended (its answers can no longer change, so two
snapshots of it never differ), from K_ANONYMITY answering partners. Quarters of a vendor
are decided oldest first and a decision never changes: a quarter whose partners differ
from those of an earlier published quarter by 1 to K_ANONYMITY - 1 either way is withheld
(api.metrics.withholding's overlap rule), so comparing quarters never isolates a partner
who joined or left. Each 1-5 theme follows the same rules over the partners who rated it.
Comments show only in a published quarter, unattributed and sorted by their text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.metrics import K_ANONYMITY, Figure, is_withheld, nps_figure
from api.metrics.quarters import quarter_of
from api.metrics.withholding import overlap_exposed
from api.models import PROGRAM_THEMES, ProgramFeedback
from api.models.base import utcnow

OVERLAP_REASON = (
    f"its answering partners differ from an earlier published quarter's by 1 to "
    f"{K_ANONYMITY - 1}, which would single out their answers"
)


def now() -> datetime:
    """Quarters before this moment's are published (a test moves it)."""
    return utcnow()


@dataclass(frozen=True)
class ProgramQuarter:
    """One vendor's quarter as the public sees it."""

    quarter: str
    partners: int
    nps: Figure
    ratings: dict[str, Figure]  # theme -> mean 1-5, in PROGRAM_THEMES' order
    comments: tuple[str, ...] = ()
    withheld_reason: str | None = None

    @property
    def published(self) -> bool:
        return self.withheld_reason is None


@dataclass
class QuarterAnswers:
    """One vendor's answers of one quarter, by partner."""

    likelihood: dict[int, int] = field(default_factory=dict)  # partner id -> 0..10
    themes: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    comments: list[str] = field(default_factory=list)


def program_quarters(
    session: Session, vendor_ids: Sequence[int] | None = None, *, moment: datetime | None = None
) -> dict[int, list[ProgramQuarter]]:
    """Every ended quarter with answers, oldest first, per vendor (None: every vendor), in
    one query."""
    current = quarter_of(moment or now())
    f = ProgramFeedback
    query = select(
        f.vendor_id,
        f.partner_id,
        f.quarter,
        f.likelihood_to_recommend,
        f.comment,
        *(getattr(f, theme) for theme in PROGRAM_THEMES),
    ).where(f.quarter < current)
    if vendor_ids is not None:
        query = query.where(f.vendor_id.in_(vendor_ids))
    found: dict[int, dict[str, QuarterAnswers]] = defaultdict(lambda: defaultdict(QuarterAnswers))
    for vendor_id, partner_id, quarter, likelihood, comment, *themes in session.execute(query):
        bucket = found[vendor_id][quarter]
        bucket.likelihood[partner_id] = likelihood
        for theme, value in zip(PROGRAM_THEMES, themes, strict=True):
            if value is not None:
                bucket.themes[theme][partner_id] = value
        if comment:
            bucket.comments.append(comment)
    return {vendor_id: decide(quarters) for vendor_id, quarters in found.items()}


def latest_published(quarters: Sequence[ProgramQuarter]) -> ProgramQuarter | None:
    """The newest published quarter; else the newest withheld one (which shows nothing)."""
    published = [q for q in quarters if q.published]
    if published:
        return published[-1]
    return quarters[-1] if quarters else None


def decide(quarters: dict[str, QuarterAnswers]) -> list[ProgramQuarter]:
    """Each quarter's public view, oldest first; a quarter's decision reads only the
    quarters before it, so an ended quarter's view never changes."""
    shown: list[set[int]] = []
    shown_themes: dict[str, list[set[int]]] = defaultdict(list)
    decided = []
    for label in sorted(quarters):
        bucket = quarters[label]
        partners = set(bucket.likelihood)
        reason = None
        if is_withheld(len(partners)):
            reason = f"fewer than {K_ANONYMITY} partners answered ({len(partners)})"
        elif any(overlap_exposed(partners, earlier) for earlier in shown):
            reason = OVERLAP_REASON
        if reason is not None:
            decided.append(_withheld(label, bucket, reason))
            continue
        shown.append(partners)
        decided.append(
            ProgramQuarter(
                quarter=label,
                partners=len(partners),
                nps=nps_figure(_counts(bucket.likelihood.values())),
                ratings={
                    theme: _theme(bucket.themes.get(theme, {}), shown_themes[theme])
                    for theme in PROGRAM_THEMES
                },
                comments=tuple(sorted(bucket.comments)),
            )
        )
    return decided


def _withheld(label: str, bucket: QuarterAnswers, reason: str) -> ProgramQuarter:
    n = len(bucket.likelihood)
    return ProgramQuarter(
        quarter=label,
        partners=n,
        nps=Figure(n=n, withheld_reason=reason),
        ratings={
            theme: Figure(n=len(bucket.themes.get(theme, {})), withheld_reason=reason)
            for theme in PROGRAM_THEMES
        },
        withheld_reason=reason,
    )


def _theme(answers: dict[int, int], earlier: list[set[int]]) -> Figure:
    """The theme's mean, under the quarter's rules applied to the partners who rated it."""
    n = len(answers)
    if is_withheld(n):
        return Figure.withheld_for(n)
    raters = set(answers)
    if any(overlap_exposed(raters, before) for before in earlier):
        return Figure(n=n, withheld_reason=OVERLAP_REASON)
    earlier.append(raters)
    return Figure(n=n, value=sum(answers.values()) / n)


def _counts(values: Any) -> list[int]:
    counts = [0] * 11
    for value in values:
        counts[value] += 1
    return counts
