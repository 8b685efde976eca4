"""API keys: random secrets shown once; the database keeps a prefix and a SHA-256 hash.

A key is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from api.db import DEADLINE_COLUMN, deadline_carried, deadline_values
from api.errors import AuthenticationError, DomainError, ErrorCode
from api.models import ApiKey, Partner, Vendor
from api.models.base import utcnow
from api.services import audit
from api.vocabulary import ROLES

KEY_SCHEME = "vouch"


@dataclass(frozen=True)
class Caller:
    """Who is calling, resolved once per request."""

    role: str  # "public", "partner", "vendor" or "admin"
    key_prefix: str | None = None
    partner_id: int | None = None
    partner_slug: str | None = None
    vendor_id: int | None = None
    vendor_slug: str | None = None
    # Where a caller without a key acts from (e.g. "cli:import"): the audit log's actor.
    source: str | None = None

    @property
    def actor(self) -> str:
        if self.key_prefix:
            return f"apikey:{self.key_prefix}"
        return self.source or self.role


PUBLIC = Caller(role="public")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    *,
    session: Session,
    role: str,
    partner_slug: str | None = None,
    vendor_slug: str | None = None,
    label: str | None = None,
    actor: str = "cli",
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plaintext, which is never stored."""
    if role not in ROLES:
        raise DomainError.one("role", f"role must be one of {', '.join(ROLES)}, got {role!r}")
    partner_id = _owner_id(session, Partner, "partner", partner_slug, needed=role == "partner")
    vendor_id = _owner_id(session, Vendor, "vendor", vendor_slug, needed=role == "vendor")
    prefix = secrets.token_hex(6)
    plaintext = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        prefix=prefix,
        key_hash=hash_key(plaintext),
        role=role,
        partner_id=partner_id,
        vendor_id=vendor_id,
        label=label,
    )
    session.add(key)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="apikey.create",
        entity_type="api_key",
        entity_id=prefix,
        details={"role": role, "partner": partner_slug, "vendor": vendor_slug},
    )
    return key, plaintext


def _owner_id(
    session: Session,
    model: type[Partner] | type[Vendor],
    field: str,
    slug: str | None,
    *,
    needed: bool,
) -> int | None:
    if not needed:
        if slug is not None:
            raise DomainError.one(field, f"only a {field} key names a {field}")
        return None
    if slug is None:
        raise DomainError.one(field, f"a {field} key needs --{field} SLUG")
    owner_id = session.scalar(select(model.id).where(model.slug == slug))
    if owner_id is None:
        raise DomainError.one(field, f"no {field} with slug {slug!r}", code=ErrorCode.NOT_FOUND)
    return owner_id


def revoke_key(*, session: Session, prefix: str, actor: str = "cli") -> None:
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise DomainError.one("prefix", f"no key with prefix {prefix!r}", code=ErrorCode.NOT_FOUND)
    key.revoked_at = utcnow()
    audit.record(
        session=session,
        actor=actor,
        action="apikey.revoke",
        entity_type="api_key",
        entity_id=prefix,
    )


@cache
def _key_statement(timeout: bool) -> Select[Any]:
    """A key's columns by its prefix, with its partner's or vendor's slug (and the request's
    timeout, api/db.DEADLINE_COLUMN): built once, as every keyed request reads it. Plain
    columns, not an ApiKey object: nothing in a request changes its key."""
    return (
        select(
            ApiKey.key_hash,
            ApiKey.revoked_at,
            ApiKey.role,
            ApiKey.prefix,
            ApiKey.partner_id,
            ApiKey.vendor_id,
            Partner.slug,
            Vendor.slug,
            *([DEADLINE_COLUMN] if timeout else []),
        )
        .outerjoin(Partner, Partner.id == ApiKey.partner_id)
        .outerjoin(Vendor, Vendor.id == ApiKey.vendor_id)
        .where(ApiKey.prefix == bindparam("prefix"))
    )


def authenticate(*, session: Session, presented: str, deadline: float | None = None) -> Caller:
    """Resolve a presented key into a caller, or raise AuthenticationError. On PostgreSQL
    the key's statement also sets the request's `deadline`, if given (api/db.py)."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_SCHEME:
        raise AuthenticationError("the API key is malformed")
    timeout = None if deadline is None else deadline_values(session, deadline)
    row = (
        session.connection()
        .execute(_key_statement(timeout is not None), {"prefix": parts[1], **(timeout or {})})
        .one_or_none()
    )
    if row is not None and timeout is not None and deadline is not None:
        deadline_carried(session, deadline)  # a select with no row set nothing
    if row is None or not hmac.compare_digest(row[0], hash_key(presented)):
        raise AuthenticationError("the API key is not valid")
    _hash, revoked_at, role, prefix, partner_id, vendor_id, partner_slug, vendor_slug = row[:8]
    if revoked_at is not None:
        raise AuthenticationError("the API key has been revoked")
    return Caller(
        role=role,
        key_prefix=prefix,
        partner_id=partner_id,
        partner_slug=partner_slug,
        vendor_id=vendor_id,
        vendor_slug=vendor_slug,
    )
