"""Expected failures of the domain, each with a stable code the API passes on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    """The closed list of codes an expected failure carries (GraphQL `ErrorCode`).

    A member's name is the string clients receive, so adding one is one line here; a code
    that is not a member fails where the error is made (`ErrorCode("NEW")` raises).
    """

    VALIDATION = "VALIDATION"  # an input is wrong; `field` names it
    NOT_FOUND = "NOT_FOUND"  # what the input names does not exist
    VERSION_CONFLICT = "VERSION_CONFLICT"  # expectedVersion is not the current version
    # A survey link never given out (or not usable yet), answered already, past its lifetime.
    TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - a code, not a secret
    TOKEN_USED = "TOKEN_USED"  # noqa: S105
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105
    ALREADY_VOID = "ALREADY_VOID"  # a survey response voided before
    ALREADY_CONFIRMED = "ALREADY_CONFIRMED"  # an engagement both sides agreed already
    ALREADY_DISPUTED = "ALREADY_DISPUTED"  # an engagement refused already
    DISPUTED = "DISPUTED"  # a refused engagement: only an admin can still confirm it


@dataclass(frozen=True)
class FieldProblem:
    field: str | None
    message: str
    code: ErrorCode = ErrorCode.VALIDATION

    def __post_init__(self) -> None:
        # Callers outside the type checker may pass the code's string: keep the member.
        object.__setattr__(self, "code", ErrorCode(self.code))


class DomainError(Exception):
    """An expected failure: reported to the caller as data, never as a crash."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @classmethod
    def one(
        cls, field: str | None, message: str, code: ErrorCode | str = ErrorCode.VALIDATION
    ) -> DomainError:
        """`code` is a member of ErrorCode or its string ("NOT_FOUND"); any other raises."""
        return cls([FieldProblem(field, message, ErrorCode(code))])


class AuthenticationError(Exception):
    """The caller presented a key that is not valid (unknown, malformed or revoked)."""


class PermissionDenied(Exception):
    """The caller is known but may not do this (another vendor's engagement, say)."""
