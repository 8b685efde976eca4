"""One shape for expected failures (UserError in payloads) and one for refusals."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from api.errors import DomainError, ErrorCode

strawberry.enum(ErrorCode, description="The stable code of an expected failure.")
for _value in ErrorCode.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = ErrorCode(_value.value).meaning


@strawberry.type
class UserError:
    field: str | None
    message: str
    code: ErrorCode

    def __post_init__(self) -> None:
        # A code given as its string ("NOT_FOUND") is kept as the member; any other raises.
        self.code = ErrorCode(self.code)


def user_errors(error: DomainError) -> list[UserError]:
    """The services name fields in snake_case; clients sent them in camelCase."""
    return [
        UserError(field=to_camel_case(p.field) if p.field else None, message=p.message, code=p.code)
        for p in error.problems
    ]


class ClientError(GraphQLError):
    """A refusal the caller should see as it is, even in production (never masked)."""

    def __init__(self, message: str, code: str, field: str | None = None) -> None:
        # An ErrorCode (invalid_argument) goes out as its plain string, like the others.
        extensions: dict[str, object] = {"code": str(code)}
        if field is not None:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


def invalid_argument(error: DomainError) -> ClientError:
    first = error.problems[0]
    return ClientError(str(error), code=first.code, field=first.field)
