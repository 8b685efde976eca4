"""Single-use links to a contact at a customer, shared by survey invitations and pulse
checks: a random token of 256 bits shown once, only its SHA-256 stored, an expiry, an
address on the customer's own domain, and one use claimed in one statement."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, FieldProblem
from api.models import Customer

LINK_LIFETIME = timedelta(days=30)
EMAIL = re.compile(r"^[^@\s]{1,64}@([a-z0-9.-]{1,253})$")


class Link(Protocol):
    """What a stored link row has (SurveyInvitation, PulseCheck)."""

    id: Any
    used_at: Any
    expires_at: Any


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash."""
    token = secrets.token_urlsafe(32)  # 256 bits
    return token, hash_token(token)


def customer_address(email: str, customer: Customer) -> tuple[str, list[FieldProblem]]:
    """The address, normalised, and what is wrong with it: it must be on the customer's
    domain (or a subdomain), so the sender cannot pick who answers."""
    address = email.strip().lower()
    match = EMAIL.match(address)
    if match is None:
        return address, [FieldProblem("email", f"email {email!r} is not an email address")]
    domain = customer.email_domain
    if not (match[1] == domain or match[1].endswith("." + domain)):
        return address, [FieldProblem("email", f"email must be on the customer's domain {domain}")]
    return address, []


def check_usable(link: Link | None, moment: datetime, noun: str) -> Link:
    """The link of a token, or TOKEN_INVALID, TOKEN_USED or TOKEN_EXPIRED."""
    if link is None:
        raise DomainError.one(
            "token", f"this {noun} link is not valid", code=ErrorCode.TOKEN_INVALID
        )
    if link.used_at is not None:
        raise DomainError.one(
            "token", f"this {noun} link has already been used", code=ErrorCode.TOKEN_USED
        )
    if link.expires_at <= moment:
        raise DomainError.one(
            "token", f"this {noun} link has expired", code=ErrorCode.TOKEN_EXPIRED
        )
    return link


def claim(
    session: Session, model: Any, link: Link, moment: datetime, noun: str, **values: Any
) -> None:
    """Mark the link used (and store `values` with it) in one statement: of two racing
    submits only one changes the row."""
    claimed = session.execute(
        update(model)
        .where(model.id == link.id, model.used_at.is_(None))
        .values(used_at=moment, **values)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise DomainError.one(
            "token", f"this {noun} link has already been used", code=ErrorCode.TOKEN_USED
        )
