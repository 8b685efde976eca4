"""One shape for expected failures (UserError in payloads) and one for refusals."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.utils.str_converters import to_camel_case

from api.errors import DomainError


@strawberry.type
class UserError:
    field: str | None
    message: str
    code: str


def user_errors(error: DomainError) -> list[UserError]:
    """The services name fields in snake_case; clients sent them in camelCase."""
    return [
        UserError(field=to_camel_case(p.field) if p.field else None, message=p.message, code=p.code)
        for p in error.problems
    ]


class ClientError(GraphQLError):
    """A refusal the caller should see as it is, even in production (never masked)."""

    def __init__(self, message: str, code: str, field: str | None = None) -> None:
        extensions: dict[str, object] = {"code": code}
        if field is not None:
            extensions["field"] = field
        super().__init__(message, extensions=extensions)


def invalid_argument(error: DomainError) -> ClientError:
    first = error.problems[0]
    return ClientError(str(error), code=first.code, field=first.field)
