"""A partner editing its own profile (or an admin doing it for support), never a figure.

Every edit names the version it was made against: a stale one is refused with the current
version, so two editors never silently overwrite each other. Every change bumps the
version and lands in the audit log with a diff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.errors import DomainError, ErrorCode, FieldProblem, PermissionDenied
from api.models import Partner
from api.services import audit, changes
from api.services.apikeys import Caller
from api.validation import MAX_BUDGET, Checker, check_range
from api.vocabulary import CAPABILITIES, EMPLOYEE_BANDS, PARTNER_TYPES

MAX_DESCRIPTION = 20_000  # characters of Markdown
MAX_RATE = 100_000  # per hour, in the partner's currency
MAX_CAPACITY = 1000  # projects at once
LANGUAGE = re.compile(r"^[a-z]{2}$")

# The profile fields a partner may change, and nothing else.
PROFILE_FIELDS = (
    "summary",
    "description",
    "website",
    "headquarters_city",
    "headquarters_country",
    "employee_band",
    "founded_year",
    "partner_types",
    "languages",
    "capabilities",
    "hourly_rate_min",
    "hourly_rate_max",
    "min_project_budget",
    "delivery_capacity",
)
# Lists are stored as lists: null clears one to empty (the columns hold no NULL).
LIST_FIELDS = frozenset({"partner_types", "languages", "capabilities"})


def check_may_edit(caller: Caller, slug: str) -> None:
    if caller.role == "admin" or (caller.role == "partner" and caller.partner_slug == slug):
        return
    raise PermissionDenied("a partner key may change only its own partner's profile")


def begin_edit(*, session: Session, caller: Caller, slug: str, expected_version: int) -> Partner:
    """The partner, locked for this transaction, if the caller may edit it at that version."""
    check_may_edit(caller, slug)
    partner = session.scalars(
        select(Partner)
        .where(Partner.slug == slug)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if partner is None:
        raise DomainError.one("slug", f"no partner with slug {slug!r}", code=ErrorCode.NOT_FOUND)
    if partner.version != expected_version:
        raise VersionConflict(partner)
    return partner


class VersionConflict(DomainError):
    """The profile changed since the editor read it; `partner` is its current state."""

    def __init__(self, partner: Partner) -> None:
        super().__init__(
            [
                FieldProblem(
                    "expected_version",
                    f"the profile is at version {partner.version}: reload it, then apply "
                    "your change again",
                    code=ErrorCode.VERSION_CONFLICT,
                )
            ]
        )
        self.partner = partner


def finish_edit(
    *, session: Session, caller: Caller, partner: Partner, action: str, details: dict[str, Any]
) -> Partner:
    partner.version += 1
    partner.updated_at = datetime.now(UTC)
    session.flush()
    changes.record(session, partner_id=partner.id, reason="profile")
    audit.record(
        session=session,
        actor=caller.actor,
        action=action,
        entity_type="partner",
        entity_id=partner.slug,
        details={**details, "version": partner.version},
    )
    return partner


def _check_profile(changes: Mapping[str, Any], partner: Partner) -> Checker:
    check = Checker()
    check.text("summary", changes.get("summary"), max_length=300)
    check.text("description", changes.get("description"), max_length=MAX_DESCRIPTION)
    check.url("website", changes.get("website"))
    check.text("headquarters_city", changes.get("headquarters_city"), max_length=120)
    check.country("headquarters_country", changes.get("headquarters_country"))
    band = changes.get("employee_band")
    if band is not None and band not in EMPLOYEE_BANDS:
        check.fail("employee_band", f"employee_band must be one of {', '.join(EMPLOYEE_BANDS)}")
    check_range(check, "founded_year", changes.get("founded_year"), 1800, datetime.now(UTC).year)
    for kind in changes.get("partner_types") or ():
        if kind not in PARTNER_TYPES:
            check.fail("partner_types", f"partner_types must be among {', '.join(PARTNER_TYPES)}")
    for capability in changes.get("capabilities") or ():
        if capability not in CAPABILITIES:
            check.fail("capabilities", f"capabilities must be among {', '.join(CAPABILITIES)}")
            break
    languages = changes.get("languages") or ()
    if len(languages) > 30 or any(not LANGUAGE.match(code) for code in languages):
        check.fail("languages", "languages are ISO 639-1 codes such as 'en' (at most 30)")
    for name in ("hourly_rate_min", "hourly_rate_max"):
        check_range(check, name, changes.get(name), 0, MAX_RATE)
    check_range(check, "min_project_budget", changes.get("min_project_budget"), 0, MAX_BUDGET)
    check_range(check, "delivery_capacity", changes.get("delivery_capacity"), 1, MAX_CAPACITY)
    low = changes.get("hourly_rate_min", partner.hourly_rate_min)
    high = changes.get("hourly_rate_max", partner.hourly_rate_max)
    if (low is None) != (high is None) or (low is not None and high is not None and low > high):
        check.fail("hourly_rate_max", "give both hourly rates, the minimum not above the maximum")
    return check


def update_profile(
    *,
    session: Session,
    caller: Caller,
    slug: str,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Partner:
    """Apply the given fields (None clears one); the others stay as they are."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError.one(None, f"not profile fields: {', '.join(sorted(unknown))}")
    partner = begin_edit(
        session=session, caller=caller, slug=slug, expected_version=expected_version
    )
    check = _check_profile(changes, partner)
    if check.problems:
        raise DomainError(check.problems)
    diff: dict[str, list[Any]] = {}
    for name, value in changes.items():
        if isinstance(value, str):
            value = value.strip() or None
        if name in LIST_FIELDS:
            value = sorted(set(value or ()))
        before = getattr(partner, name)
        if before != value:
            diff[name] = [before, value]
            setattr(partner, name, value)
    if not diff:
        return partner
    return finish_edit(
        session=session,
        caller=caller,
        partner=partner,
        action="partner.update",
        details={"diff": diff},
    )
