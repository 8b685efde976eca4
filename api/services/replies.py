"""A partner's public reply to a review of its own. The review itself is never touched."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import DomainError, PermissionDenied
from api.models import Partner, ReviewReply, SurveyResponse
from api.services import audit
from api.services.apikeys import Caller

MAX_REPLY = 2000


def reply_to_review(
    *, session: Session, caller: Caller, response_id: int, body: str
) -> ReviewReply:
    """Post, or replace, the one reply to a published review of the caller's partner."""
    response = session.get(SurveyResponse, response_id)
    if response is None or response.voided or not response.comment:
        raise DomainError.one("review_id", f"no published review {response_id}", code="NOT_FOUND")
    if caller.role != "admin" and caller.partner_id != response.partner_id:
        raise PermissionDenied("a partner replies only to reviews of its own")
    text = body.strip()
    if not text or len(text) > MAX_REPLY:
        raise DomainError.one("body", f"a reply has 1 to {MAX_REPLY} characters")
    reply = session.get(ReviewReply, response_id)
    before = reply.body if reply else None
    if reply is None:
        reply = ReviewReply(response_id=response_id, partner_id=response.partner_id, body=text)
        session.add(reply)
    else:
        reply.body = text
    session.flush()
    partner = session.get_one(Partner, response.partner_id)
    audit.record(
        session=session,
        actor=caller.actor,
        action="review.reply",
        entity_type="partner",
        entity_id=partner.slug,
        details={"review": response_id, "before": before, "after": text},
    )
    return reply
