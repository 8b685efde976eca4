"""The verification chain: invitations for completed engagements, single-use answers, voids."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, FieldProblem
from api.metrics import Answer
from api.models import Customer, Engagement, SurveyInvitation, SurveyResponse
from api.models.base import utcnow
from api.services import audit
from api.services.apikeys import Caller
from api.services.customer_links import (
    LINK_LIFETIME,
    check_usable,
    claim,
    customer_address,
    hash_token,
    new_token,
)
from api.services.engagement_agreement import counts
from api.services.engagements import check_vendor_owns
from api.services.figures import apply_response, count_invitation

MAX_COMMENT = 4000


def create_invitation(
    *, session: Session, caller: Caller, engagement_id: int, email: str, now: datetime | None = None
) -> tuple[SurveyInvitation, str]:
    """Invite a contact at the customer; returns the invitation and its token, shown once."""
    engagement = session.get(Engagement, engagement_id)
    if engagement is None:
        raise DomainError.one(
            "engagement_id", f"no engagement {engagement_id}", code=ErrorCode.NOT_FOUND
        )
    check_vendor_owns(caller, engagement)
    customer = session.get_one(Customer, engagement.customer_id)
    address, problems = customer_address(email, customer)
    if engagement.status != "completed":
        problems.append(
            FieldProblem("engagement_id", "surveys go out for completed engagements only")
        )
    if engagement.disputed_at is not None:
        problems.append(
            FieldProblem("engagement_id", "this engagement is disputed: it never counts")
        )
    elif not engagement.confirmed:
        other = "vendor" if engagement.recorded_by == "partner" else "partner"
        problems.append(
            FieldProblem("engagement_id", f"the {other} has not confirmed this engagement")
        )
    duplicate = session.scalar(
        select(SurveyInvitation.id).where(
            SurveyInvitation.engagement_id == engagement_id, SurveyInvitation.email == address
        )
    )
    if duplicate is not None:
        problems.append(FieldProblem("email", f"{address} was already invited for this engagement"))
    if problems:
        raise DomainError(problems)
    token, token_hash = new_token()
    created = now or utcnow()
    invitation = SurveyInvitation(
        engagement_id=engagement_id,
        email=address,
        token_hash=token_hash,
        created_at=created,
        expires_at=created + LINK_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    count_invitation(session=session, partner_id=engagement.partner_id)
    audit.record(
        session=session,
        actor=caller.actor,
        action="invitation.create",
        entity_type="survey_invitation",
        entity_id=invitation.id,
        details={"engagement": engagement_id},
    )
    return invitation, token


@dataclass(frozen=True, kw_only=True)
class SurveyAnswers:
    """What a respondent sends; names follow the GraphQL input (snake_case)."""

    likelihood_to_recommend: int
    vendor_likelihood_to_recommend: int | None = None
    # The ratings and outcomes answered, by column name (`rating_overall`, `went_live`).
    questions: Mapping[str, int | bool | None] = field(default_factory=dict)
    selection_reason: str | None = None
    comment: str | None = None
    respondent_name: str | None = None
    respondent_title: str | None = None
    anonymous: bool = True

    def answer(self) -> Answer:
        return Answer.of(
            likelihood_partner=self.likelihood_to_recommend,
            likelihood_vendor=self.vendor_likelihood_to_recommend,
            selection_reason=self.selection_reason,
            questions=self.questions,
        )


_ANSWER_FIELDS = {
    "likelihood_partner": "likelihood_to_recommend",
    "likelihood_vendor": "vendor_likelihood_to_recommend",
}


def _check_answers(answers: SurveyAnswers) -> Answer:
    try:
        answer = answers.answer()
    except ValueError as error:
        message = str(error)
        field = message.split(" ", 1)[0]
        name = _ANSWER_FIELDS.get(field, field)
        raise DomainError.one(name, message.replace(field, name, 1)) from error
    problems = []
    if answers.comment is not None and len(answers.comment) > MAX_COMMENT:
        problems.append(FieldProblem("comment", f"comment is longer than {MAX_COMMENT} characters"))
    for name in ("respondent_name", "respondent_title"):
        value = getattr(answers, name)
        if value is not None and len(value) > 200:
            problems.append(FieldProblem(name, f"{name} is longer than 200 characters"))
    if problems:
        raise DomainError(problems)
    return answer


def submit_response(
    *, session: Session, token: str, answers: SurveyAnswers, now: datetime | None = None
) -> SurveyResponse:
    """Record one response for a valid, unused, unexpired token; anything else changes nothing."""
    answer = _check_answers(answers)
    moment = (now or utcnow()).astimezone(UTC)
    invitation = session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == hash_token(token))
    )
    check_usable(invitation, moment, "survey")
    assert invitation is not None
    engagement = session.get_one(Engagement, invitation.engagement_id)
    if not counts(engagement):  # invitations wait for it; this keeps older links from counting
        raise DomainError.one(
            "token",
            "this survey's engagement is not confirmed by both sides",
            code=ErrorCode.TOKEN_INVALID,
        )
    claim(session, SurveyInvitation, invitation, moment, "survey")
    response = SurveyResponse(
        invitation_id=invitation.id,
        engagement_id=engagement.id,
        partner_id=engagement.partner_id,
        submitted_at=moment,
        likelihood_partner=answer.likelihood_partner,
        likelihood_vendor=answer.likelihood_vendor,
        **answer.questions(),
        selection_reason=answer.selection_reason,
        comment=(answers.comment or "").strip() or None,
        respondent_name=answers.respondent_name,
        respondent_title=answers.respondent_title,
        anonymous=answers.anonymous,
    )
    session.add(response)
    try:
        session.flush()
    except IntegrityError as error:  # the unique invitation_id: a racing submit won
        raise DomainError.one(
            "token", "this survey link has already been used", code=ErrorCode.TOKEN_USED
        ) from error
    apply_response(session=session, response=response, sign=+1)
    return response


def void_response(*, session: Session, actor: str, response_id: int, reason: str) -> SurveyResponse:
    """Take a fraudulent response out of every figure; the reason is kept in the audit log."""
    if len(reason.strip()) < 5:
        raise DomainError.one("reason", "give a reason of at least 5 characters for the audit log")
    response = session.get(SurveyResponse, response_id, with_for_update=True)
    if response is None:
        raise DomainError.one(
            "response_id", f"no survey response {response_id}", code=ErrorCode.NOT_FOUND
        )
    if response.voided:
        raise DomainError.one(
            "response_id", f"response {response_id} is already void", code=ErrorCode.ALREADY_VOID
        )
    response.voided = True
    response.void_reason = reason.strip()
    response.voided_at = utcnow()
    session.flush()
    apply_response(session=session, response=response, sign=-1)
    audit.record(
        session=session,
        actor=actor,
        action="response.void",
        entity_type="survey_response",
        entity_id=response_id,
        details={"reason": response.void_reason, "partner_id": response.partner_id},
    )
    return response
