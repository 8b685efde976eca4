"""What a finished operation's answer says, and what the request log records of it.

- Time ran out (api/schema/execution.py): one TIMEOUT error, no data.
- The database could not be reached or was locked past its busy timeout: one log line;
  the request is answered 503 with Retry-After (api/app.py).
- A mutation document met a top-level error (FORBIDDEN, NOT_FOUND, a bug...): `data` is
  null, so nothing is shown that the rollback does not undo (api/schema/execution.py).

Whether the transaction is then committed or rolled back is decided in one place,
api/request_transaction.py, from the same answer.

Logs: a refusal (FORBIDDEN, VALIDATION, NOT_FOUND, ...) is one line with the request id,
code and operation name; only a bug logs a traceback, so clients cannot fill the log with
them. In production MaskUnexpectedErrors logs (and masks) bugs itself.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from graphql import GraphQLError
from sqlalchemy.exc import InterfaceError, OperationalError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from api.schema import root_fields
from api.schema.answer_parts import shape_of
from api.schema.context import Context
from api.schema.execution import RequestTimedOut

log = logging.getLogger("vouch.api")


def is_unavailable(error: BaseException | None) -> bool:
    """The database could not serve the request (down, unreachable, or locked)."""
    return isinstance(error, (OperationalError, InterfaceError))


def is_bug(error: GraphQLError) -> bool:
    """Neither a refusal nor a mistake in the request, nor the database being away."""
    original = error.original_error
    if original is None or isinstance(original, (GraphQLError, PermissionError)):
        return False
    return not is_unavailable(original)


class ReportOperation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        result = self.execution_context.result
        if not isinstance(context, Context):
            return
        _label(self.execution_context, context)
        if result is None or not result.errors:
            return
        name = self.execution_context.operation_name or "anonymous"
        if context.out_of_time() or any(_timed_out(e) for e in result.errors):
            log.warning("request %s: TIMEOUT (operation %s)", context.request_id, name)
            result.data = None
            result.errors = [RequestTimedOut(context.settings.request_timeout)]
            return
        if any(is_unavailable(error.original_error) for error in result.errors):
            log.warning("request %s: database unavailable (operation %s)", context.request_id, name)
            return
        if context.operation_type == "mutation":
            result.data = None  # and the transaction is rolled back (request_transaction.py)
        for error in result.errors:
            if is_bug(error):
                if not error.extensions:  # masked ones were logged by MaskUnexpectedErrors
                    log.error(
                        "unexpected error in request %s",
                        context.request_id,
                        exc_info=error.original_error,
                    )
                continue
            code = (error.extensions or {}).get("code", "GRAPHQL_VALIDATION")
            if code == "INTERNAL_SERVER_ERROR":
                continue  # a masked bug, logged with its traceback when it was masked
            log.info("request %s: %s (operation %s)", context.request_id, code, name)


def _label(execution: ExecutionContext, context: Context) -> None:
    """The operation's name, type and root field, and its errors' codes, for the request log
    and /metrics."""
    context.operation_name = execution.operation_name
    if execution.graphql_document is not None:
        with contextlib.suppress(RuntimeError, GraphQLError):
            context.operation_type = execution.operation_type.value
        context.root_field = root_fields.label(
            execution.schema._schema, execution.graphql_document, execution.operation_name
        )
        if context.caller.role == "public" and execution.query is not None:
            context.shown.shape = shape_of(
                execution.schema._schema,
                execution.graphql_document,
                execution.query,
                execution.operation_name,
            )
    errors = execution.result.errors if execution.result else None
    if errors:
        context.error_codes = tuple(
            str((error.extensions or {}).get("code", "GRAPHQL_VALIDATION")) for error in errors
        )


def _timed_out(error: GraphQLError) -> bool:
    return isinstance(error, RequestTimedOut) or isinstance(error.original_error, RequestTimedOut)
