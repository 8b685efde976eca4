"""Expected failures of the domain, each with a stable code the API passes on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class ErrorCode(StrEnum):
    """The closed list of codes an expected failure carries (GraphQL `ErrorCode`).

    A member's name is the string clients receive. A new code is a member here and its
    meaning in MEANINGS (the schema prints it); a code that is not a member raises where the
    error is made (`ErrorCode("NEW")`).
    """

    VALIDATION = "VALIDATION"
    NOT_FOUND = "NOT_FOUND"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    TOKEN_INVALID = "TOKEN_INVALID"  # noqa: S105 - codes, not secrets
    TOKEN_USED = "TOKEN_USED"  # noqa: S105
    TOKEN_EXPIRED = "TOKEN_EXPIRED"  # noqa: S105
    ALREADY_VOID = "ALREADY_VOID"
    ALREADY_CONFIRMED = "ALREADY_CONFIRMED"
    ALREADY_DISPUTED = "ALREADY_DISPUTED"
    DISPUTED = "DISPUTED"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS: Final[Mapping[ErrorCode, str]] = {
    ErrorCode.VALIDATION: "An input is wrong; `field` names it.",
    ErrorCode.NOT_FOUND: "What the input names does not exist.",
    ErrorCode.VERSION_CONFLICT: "expectedVersion is not the current version: read it again.",
    ErrorCode.TOKEN_INVALID: "A survey link never given out, or not usable yet.",
    ErrorCode.TOKEN_USED: "A survey link answered already (each is single use).",
    ErrorCode.TOKEN_EXPIRED: "A survey link past its lifetime.",
    ErrorCode.ALREADY_VOID: "The survey response was voided before.",
    ErrorCode.ALREADY_CONFIRMED: "Both sides agreed the engagement already.",
    ErrorCode.ALREADY_DISPUTED: "The engagement was refused already.",
    ErrorCode.DISPUTED: "The engagement was refused: only an admin can still confirm it.",
}


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
