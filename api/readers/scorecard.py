"""A vendor's partners and the vendor's own survey work with each, in three queries, and
their ranking scores in two more."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from api.models import Engagement, Partner, SurveyInvitation, Vendor, VendorProgramMembership
from api.readers.figures import EMPTY, overall_of
from api.readers.partner_figures import partner_figures


@dataclass(frozen=True)
class VendorWork:
    """Counts over the engagements this vendor recorded with one partner."""

    engagements: int = 0
    completed: int = 0
    not_surveyed: int = 0  # completed, and no invitation sent
    invitations: int = 0
    responses: int = 0  # invitations used


def vendor_by_slug(session: Session, slug: str) -> Vendor | None:
    return session.scalar(select(Vendor).where(Vendor.slug == slug))


def vendor_work(session: Session, vendor_id: int) -> dict[int, VendorWork]:
    """Every partner the vendor recorded an engagement with or lists in its program."""
    completed = Engagement.status == "completed"
    invited = exists().where(SurveyInvitation.engagement_id == Engagement.id)
    engagements = session.execute(
        select(
            Engagement.partner_id,
            func.count(Engagement.id),
            func.count(case((completed, 1))),
            func.count(case((completed & ~invited, 1))),
        )
        .where(Engagement.vendor_id == vendor_id)
        .group_by(Engagement.partner_id)
    ).all()
    surveys = {
        pid: (int(sent), int(used))
        for pid, sent, used in session.execute(
            select(
                Engagement.partner_id,
                func.count(SurveyInvitation.id),
                func.count(SurveyInvitation.used_at),
            )
            .join(SurveyInvitation, SurveyInvitation.engagement_id == Engagement.id)
            .where(Engagement.vendor_id == vendor_id)
            .group_by(Engagement.partner_id)
        ).all()
    }
    members = session.scalars(
        select(VendorProgramMembership.partner_id).where(
            VendorProgramMembership.vendor_id == vendor_id
        )
    ).all()
    work = {pid: VendorWork() for pid in members}
    for pid, total, done, unsurveyed in engagements:
        sent, used = surveys.get(pid, (0, 0))
        work[pid] = VendorWork(int(total), int(done), int(unsurveyed), sent, used)
    return work


def ranking_scores(
    session: Session, partner_ids: Sequence[int], market_nps: float, *, live: bool = False
) -> dict[int, tuple[float, str]]:
    """(ranking score, slug) of each partner, from its published figures (`live`: the
    operators' live ones): the scorecard's order."""
    overall = overall_of(session, partner_ids, live=live)
    rows = session.execute(select(Partner.id, Partner.slug).where(Partner.id.in_(partner_ids)))
    slugs: dict[int, str] = dict(rows.all())
    return {
        pid: (
            partner_figures(overall.get(pid, EMPTY), market_nps, live=live).ranking_score,
            slugs[pid],
        )
        for pid in partner_ids
    }
