"""A partner rating a vendor's partner programme: one answer per partner, vendor and
quarter; a later answer in the same quarter replaces the earlier one.

Only a partner key answers, for its own partner, and only about a vendor it works with
(a membership of the vendor's programme, or an engagement with the vendor both sides
agreed happened), so no key can pile answers onto a vendor it never dealt with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from api.errors import DomainError, PermissionDenied
from api.metrics.quarters import quarter_of
from api.models import Engagement, ProgramFeedback, Vendor, VendorProgramMembership, agreed
from api.models.base import utcnow
from api.services import audit
from api.services.apikeys import Caller
from api.validation import Checker, check_range

MAX_COMMENT = 4000


@dataclass(frozen=True)
class ProgramAnswer:
    likelihood_to_recommend: int
    enablement: int | None = None
    support: int | None = None
    lead_sharing: int | None = None
    payments: int | None = None
    comment: str | None = None


def now() -> datetime:
    """The answer's time, whose quarter it counts in (a test moves it)."""
    return utcnow()


def _check(vendor_slug: str, vendor: Vendor | None, answer: ProgramAnswer) -> None:
    check = Checker()
    check.slug("vendor", vendor_slug, max_length=64)
    if vendor is None and not check.problems:
        check.fail("vendor", f"no vendor with slug {vendor_slug!r}")
    check_range(check, "likelihood_to_recommend", answer.likelihood_to_recommend, 0, 10)
    for name in ("enablement", "support", "lead_sharing", "payments"):
        check_range(check, name, getattr(answer, name), 1, 5)
    check.text("comment", answer.comment, max_length=MAX_COMMENT)
    if check.problems:
        raise DomainError(check.problems)


def works_with(session: Session, partner_id: int, vendor_id: int) -> bool:
    """Whether the partner is in the vendor's programme or has an agreed engagement with it."""
    member = exists().where(
        VendorProgramMembership.partner_id == partner_id,
        VendorProgramMembership.vendor_id == vendor_id,
    )
    engaged = exists().where(
        Engagement.partner_id == partner_id, Engagement.vendor_id == vendor_id, agreed()
    )
    return bool(session.scalar(select(member | engaged)))


def submit_feedback(
    *, session: Session, caller: Caller, vendor_slug: str, answer: ProgramAnswer
) -> ProgramFeedback:
    """Store the partner's answer for this quarter, replacing one it gave earlier in it."""
    if caller.role != "partner" or caller.partner_id is None:
        raise PermissionDenied("only a partner key rates a vendor's programme, for its partner")
    vendor = session.scalar(select(Vendor).where(Vendor.slug == vendor_slug))
    # The right first: a partner without it learns nothing of what else is wrong.
    if vendor is not None and not works_with(session, caller.partner_id, vendor.id):
        raise PermissionDenied(
            "a partner rates only the programme of a vendor it works with (a membership or "
            "an engagement both sides agreed)"
        )
    _check(vendor_slug, vendor, answer)
    assert vendor is not None  # else _check raised
    moment = now().astimezone(UTC)
    quarter = quarter_of(moment)
    row = session.scalar(
        select(ProgramFeedback)
        .where(
            ProgramFeedback.vendor_id == vendor.id,
            ProgramFeedback.partner_id == caller.partner_id,
            ProgramFeedback.quarter == quarter,
        )
        .with_for_update()
    )
    replaced = row is not None
    if row is None:
        row = ProgramFeedback(vendor_id=vendor.id, partner_id=caller.partner_id, quarter=quarter)
        session.add(row)
    row.likelihood_to_recommend = answer.likelihood_to_recommend
    row.enablement = answer.enablement
    row.support = answer.support
    row.lead_sharing = answer.lead_sharing
    row.payments = answer.payments
    comment = (answer.comment or "").strip()
    row.comment = comment or None
    row.submitted_at = moment
    session.flush()
    # The audit line names no score: the answer is the partner's, not the vendor's to read.
    audit.record(
        session=session,
        actor=caller.actor,
        action="program_feedback.replace" if replaced else "program_feedback.submit",
        entity_type="vendor",
        entity_id=vendor.slug,
        details={"quarter": quarter},
    )
    return row
