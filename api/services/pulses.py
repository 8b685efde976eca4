"""Pulse checks while an engagement is in progress: a vendor (or admin) sends a single-use
link to a contact at the customer, who answers in a minute; a worried answer puts the
engagement at risk for its vendor and partner only (api.metrics.pulse), and emits
`engagement.at_risk` when it was not at risk before."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError, FieldProblem
from api.metrics.pulse import at_risk
from api.models import Customer, Engagement, PulseCheck
from api.models.base import utcnow
from api.services import audit, pulse_publication
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
from api.vocabulary import PULSE_RISKS
from api.webhooks.events import emit

MAX_COMMENT = 2000
NOUN = "pulse check"


def _engagement_problems(engagement: Engagement) -> list[FieldProblem]:
    if engagement.status != "in_progress":
        return [FieldProblem("engagement_id", "pulse checks go out for engagements in progress")]
    if not counts(engagement):
        return [FieldProblem("engagement_id", "this engagement is not confirmed by both sides")]
    return []


def send_pulse(
    *,
    session: Session,
    engagement: Engagement,
    address: str,
    actor: str,
    moment: datetime,
    scheduled: bool = False,
) -> tuple[PulseCheck, str]:
    """Store a new link for `address` (already checked) and return it with its token."""
    token, token_hash = new_token()
    pulse = PulseCheck(
        engagement_id=engagement.id,
        email=address,
        token_hash=token_hash,
        created_at=moment,
        expires_at=moment + LINK_LIFETIME,
        scheduled=scheduled,
    )
    session.add(pulse)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="pulse.create",
        entity_type="pulse_check",
        entity_id=pulse.id,
        details={"engagement": engagement.id, "scheduled": scheduled},
    )
    return pulse, token


def create_pulse_check(
    *, session: Session, caller: Caller, engagement_id: int, email: str, now: datetime | None = None
) -> tuple[PulseCheck, str]:
    """A vendor's (or admin's) pulse check of its engagement in progress; the token once."""
    engagement = session.get(Engagement, engagement_id)
    if engagement is None:
        raise DomainError.one("engagement_id", f"no engagement {engagement_id}", code="NOT_FOUND")
    check_vendor_owns(caller, engagement)
    customer = session.get_one(Customer, engagement.customer_id)
    address, problems = customer_address(email, customer)
    problems += _engagement_problems(engagement)
    if problems:
        raise DomainError(problems)
    moment = (now or utcnow()).astimezone(UTC)
    return send_pulse(
        session=session, engagement=engagement, address=address, actor=caller.actor, moment=moment
    )


@dataclass(frozen=True)
class PulseAnswers:
    """What the customer sends: confidence 0-10, risks from PULSE_RISKS, a comment."""

    confidence: int
    risks: Sequence[str] = ()
    comment: str | None = None

    def checked(self) -> tuple[int, tuple[str, ...], str | None]:
        """The answers in their stored form, or every problem with them (VALIDATION)."""
        problems = []
        if not 0 <= self.confidence <= 10:
            problems.append(
                FieldProblem("confidence", f"confidence must be 0 to 10, got {self.confidence}")
            )
        unknown = sorted(set(self.risks) - set(PULSE_RISKS))
        if unknown:
            problems.append(
                FieldProblem(
                    "risks",
                    f"unknown risk {', '.join(map(repr, unknown))}: risks are "
                    f"{', '.join(PULSE_RISKS)}",
                )
            )
        comment = (self.comment or "").strip() or None
        if comment is not None and len(comment) > MAX_COMMENT:
            problems.append(
                FieldProblem("comment", f"comment is longer than {MAX_COMMENT} characters")
            )
        if problems:
            raise DomainError(problems)
        return self.confidence, tuple(r for r in PULSE_RISKS if r in self.risks), comment


def latest_answer(session: Session, engagement_id: int) -> PulseCheck | None:
    return session.scalars(
        select(PulseCheck)
        .where(PulseCheck.engagement_id == engagement_id, PulseCheck.used_at.is_not(None))
        .order_by(PulseCheck.used_at.desc(), PulseCheck.id.desc())
        .limit(1)
    ).first()


def submit_pulse(
    *, session: Session, token: str, answers: PulseAnswers, now: datetime | None = None
) -> PulseCheck:
    """Record the answer of a valid, unused, unexpired link; anything else changes nothing."""
    confidence, risks, comment = answers.checked()
    moment = (now or utcnow()).astimezone(UTC)
    found = session.scalar(select(PulseCheck).where(PulseCheck.token_hash == hash_token(token)))
    check_usable(found, moment, NOUN)
    assert found is not None
    pulse = found
    engagement = session.get_one(Engagement, pulse.engagement_id, with_for_update=True)
    if not counts(engagement):
        raise DomainError.one(
            "token", "this pulse's engagement is not confirmed by both sides", code="TOKEN_INVALID"
        )
    previous = latest_answer(session, engagement.id)
    worried = at_risk(confidence, risks, previous.confidence if previous else None)
    claim(
        session,
        PulseCheck,
        pulse,
        moment,
        NOUN,
        confidence=confidence,
        risks=",".join(risks) or None,
        comment=comment,
        at_risk=worried,
    )
    session.refresh(pulse)
    if worried and not (previous is not None and previous.at_risk):
        _became_at_risk(session, engagement, confidence, risks)
    pulse_publication.refresh(
        session=session, partner_id=engagement.partner_id, today=moment.date()
    )
    return pulse


def _became_at_risk(
    session: Session, engagement: Engagement, confidence: int, risks: tuple[str, ...]
) -> None:
    """The moment an engagement turns at risk: its vendor and partner are told (webhooks),
    and the audit log keeps when."""
    details: dict[str, object] = {"confidence": confidence, "risks": list(risks)}
    audit.record(
        session=session,
        actor="pulse",
        action="engagement.at_risk",
        entity_type="engagement",
        entity_id=engagement.id,
        details=details,
    )
    emit(
        session,
        "engagement.at_risk",
        vendor_id=engagement.vendor_id,
        partner_id=engagement.partner_id,
        payload={"engagement_id": engagement.id, **details},
    )
