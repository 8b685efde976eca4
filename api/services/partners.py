"""Creating and changing partners."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError
from api.models import Partner
from api.services import audit, changes
from api.validation import Checker


@dataclass(frozen=True)
class NewPartner:
    slug: str
    name: str
    summary: str | None = None
    website: str | None = None


def create_partner(*, session: Session, actor: str, new: NewPartner) -> Partner:
    check = Checker()
    check.slug("slug", new.slug)
    check.text("name", new.name, max_length=200, required=True)
    check.text("summary", new.summary, max_length=300)
    check.url("website", new.website)
    if check.problems:
        raise DomainError(check.problems)
    if session.scalar(select(Partner.id).where(Partner.slug == new.slug)) is not None:
        raise DomainError.one("slug", f"a partner with slug {new.slug!r} already exists")
    partner = Partner(
        slug=new.slug,
        name=new.name.strip(),
        summary=new.summary,
        website=new.website or None,
        partner_types=[],
        languages=[],
        capabilities=[],
        version=1,
    )
    session.add(partner)
    session.flush()
    changes.record(session, partner_id=partner.id, reason="created")
    audit.record(
        session=session,
        actor=actor,
        action="partner.create",
        entity_type="partner",
        entity_id=new.slug,
        details={"name": partner.name, "summary": new.summary, "website": new.website},
    )
    return partner
