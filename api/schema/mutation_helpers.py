"""Running a service from a mutation: expected failures become payload errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry

from api.errors import DomainError, PermissionDenied
from api.schema.context import Context
from api.schema.errors import ClientError, UserError, user_errors
from api.validation import MAX_ID, whole_number

T = TypeVar("T")


def run_service(context: Context, work: Callable[[], T]) -> tuple[T | None, list[UserError]]:
    """Run `work`; on a DomainError return its errors (the field's savepoint is rolled back,
    api/schema/execution.py); refuse on PermissionDenied."""
    try:
        return work(), []
    except DomainError as error:
        context.refused = True
        return None, user_errors(error)
    except PermissionDenied as error:
        raise ClientError(str(error), code="FORBIDDEN") from error


def parse_id(value: strawberry.ID, field: str) -> int:
    number = whole_number(str(value), maximum=MAX_ID)
    if number is None:
        shown = str(value) if len(str(value)) <= 40 else f"{str(value)[:40]}..."
        raise ClientError(f"{field} {shown!r} is not an id", code="VALIDATION", field=field)
    return number
