"""Expected failures of the domain, each with a stable code the API passes on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str | None
    message: str
    code: str = "VALIDATION"


class DomainError(Exception):
    """An expected failure: reported to the caller as data, never as a crash."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @classmethod
    def one(cls, field: str | None, message: str, code: str = "VALIDATION") -> DomainError:
        return cls([FieldProblem(field, message, code)])


class AuthenticationError(Exception):
    """The caller presented a key that is not valid (unknown, malformed or revoked)."""


class PermissionDenied(Exception):
    """The caller is known but may not do this (another vendor's engagement, say)."""
