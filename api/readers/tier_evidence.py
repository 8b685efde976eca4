"""Where a vendor's program tier and the evidence disagree, so the vendor can re-tier on
outcomes: a high-tier partner in the bottom quartile of verified customer success, or a
low-tier partner in the top quartile.

Verified customer success is the ranking score (the NPS of verified answers shrunk toward
the market's, api.metrics), from the published figures (an admin: the live ones). Only
the members of the vendor's program whose NPS is shown are judged: below K_ANONYMITY
answers the ranking score is the market's and says nothing of the partner. The quartiles
are over the judged members, by rank: with n of them (at least MIN_JUDGED) and
k = ceil(n / 4), the bottom quartile is every score at most the k-th lowest and the top
quartile every score at least the k-th highest; a score that is both (every score equal)
is in neither, the evidence not telling them apart. High tiers are the upper half of
PROGRAM_TIERS (gold, platinum), low tiers the lower half (registered, silver).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import Partner, VendorProgramMembership
from api.readers.figures import EMPTY, overall_of
from api.readers.partner_figures import partner_figures
from api.vocabulary import PROGRAM_TIERS

MIN_JUDGED = 4
"""Fewer judged members than this have no quartiles to speak of."""
LOW_TIERS = PROGRAM_TIERS[: len(PROGRAM_TIERS) // 2]
HIGH_TIERS = PROGRAM_TIERS[len(PROGRAM_TIERS) // 2 :]

Kind = Literal["high_tier_bottom_quartile", "low_tier_top_quartile"]


@dataclass(frozen=True)
class Member:
    partner_id: int
    slug: str
    tier: str
    ranking_score: float


@dataclass(frozen=True)
class TierMismatch:
    member: Member
    kind: Kind


@dataclass(frozen=True)
class TierCheck:
    judged: int  # members with a shown NPS
    not_judged: int  # members whose figures are withheld
    bottom_quartile_at_most: float | None  # None below MIN_JUDGED judged members
    top_quartile_at_least: float | None
    mismatches: tuple[TierMismatch, ...]  # high tiers in the bottom first, worst first


def tier_check(members: Sequence[Member], not_judged: int = 0) -> TierCheck:
    """The quartiles of the judged members' scores, and who sits in the wrong one."""
    count = len(members)
    if count < MIN_JUDGED:
        return TierCheck(count, not_judged, None, None, ())
    scores = sorted(member.ranking_score for member in members)
    k = math.ceil(count / 4)
    low, high = scores[k - 1], scores[count - k]
    bottom = sorted(
        (m for m in members if m.tier in HIGH_TIERS and m.ranking_score <= low < high),
        key=lambda m: (m.ranking_score, m.slug),
    )
    top = sorted(
        (m for m in members if m.tier in LOW_TIERS and m.ranking_score >= high > low),
        key=lambda m: (-m.ranking_score, m.slug),
    )
    mismatches = [TierMismatch(m, "high_tier_bottom_quartile") for m in bottom]
    mismatches += [TierMismatch(m, "low_tier_top_quartile") for m in top]
    return TierCheck(count, not_judged, low, high, tuple(mismatches))


def tier_evidence(
    session: Session, vendor_id: int, market_nps: float, *, live: bool = False
) -> TierCheck:
    """The vendor's program judged on its members' figures, in two statements."""
    rows = session.execute(
        select(Partner.id, Partner.slug, VendorProgramMembership.tier)
        .join(VendorProgramMembership, VendorProgramMembership.partner_id == Partner.id)
        .where(VendorProgramMembership.vendor_id == vendor_id)
    ).all()
    overall = overall_of(session, [row.id for row in rows], live=live)
    judged: list[Member] = []
    for partner_id, slug, tier in rows:
        figures = partner_figures(overall.get(partner_id, EMPTY), market_nps, live=live)
        if not figures.overall.nps.withheld:
            judged.append(Member(partner_id, slug, tier, figures.ranking_score))
    return tier_check(judged, not_judged=len(rows) - len(judged))
