"""Running a service from a mutation: expected failures become payload errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from api.errors import DomainError, PermissionDenied
from api.schema.context import Context
from api.schema.errors import ClientError, UserError, user_errors

T = TypeVar("T")


def run_service(context: Context, work: Callable[[], T]) -> tuple[T | None, list[UserError]]:
    """Run `work`; on a DomainError roll back and return its errors; refuse on PermissionDenied."""
    try:
        return work(), []
    except DomainError as error:
        context.session.rollback()
        return None, user_errors(error)
    except PermissionDenied as error:
        raise ClientError(str(error), code="FORBIDDEN") from error


def parse_id(value: strawberry.ID, field: str) -> int:
    if not str(value).isdigit():
        raise ClientError(f"{field} {value!r} is not an id", code="VALIDATION", field=field)
    return int(value)
