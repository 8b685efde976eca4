"""A partner's public reply to a review of its own. The review itself is never touched."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, PermissionDenied
from api.models import Partner, ReviewReply, SurveyResponse
from api.services import audit, changes
from api.services.apikeys import Caller

MAX_REPLY = 2000


def reply_to_review(*, session: Session, caller: Caller, review_key: str, body: str) -> ReviewReply:
    """Post, or replace, the one reply to a review of the caller's partner (by its public id)."""
    response = session.scalar(select(SurveyResponse).where(SurveyResponse.review_key == review_key))
    if response is None or response.voided or not response.comment:
        shown = review_key[:40]
        raise DomainError.one(
            "review_id", f"no published review {shown!r}", code=ErrorCode.NOT_FOUND
        )
    response_id = response.id
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
    changes.record(session, partner_id=response.partner_id, reason="reply")
    partner = session.get_one(Partner, response.partner_id)
    audit.record(
        session=session,
        actor=caller.actor,
        action="review.reply",
        entity_type="partner",
        entity_id=partner.slug,
        details={"review": review_key, "before": before, "after": text},
    )
    return reply
