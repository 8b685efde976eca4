"""The request's one transaction: its session, and its commit or rollback.

The operation runs in the request's transaction, within its time budget; each mutation
field in a savepoint of its own (api/schema/execution.py). Once it ends, the transaction
is committed, or rolled back when the request cannot stand (time ran out, a mutation
document met a top-level error) or the database went away: that request is a 503. This
is the one place that ends the transaction and says what became of the request
(Context.outcome); the app answers by it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.orm import Session, sessionmaker
from strawberry.http import GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.db import statement_deadline
from api.request_unavailable import close_quietly, lost_connection, reason, roll_back_quietly
from api.schema.context import Context, Outcome
from api.schema.execution import RequestTimedOut
from api.schema.operation_report import is_unavailable

log = logging.getLogger("vouch.api")


@contextlib.contextmanager
def request_session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """The request's session, closed quietly (api/request_unavailable.py)."""
    session = sessions()
    try:
        yield session
    finally:
        close_quietly(session)


def run_operation(
    schema: BaseSchema,
    data: GraphQLRequestData,
    context: Context,
    allowed: set[OperationType],
    first: Callable[[], None] | None = None,
) -> ExecutionResult:
    """The operation, then the end of its transaction; what became of it is context.outcome.

    `first`, if given, runs before it in the same worker step, as the request's first
    statement: a public request's data version (nothing kept could answer it), or a keyed
    one's key and its rate limit (api/app.py). A database that cannot answer it makes the
    request unavailable; what else it raises (a wrong key, a limit) leaves with the
    request unrun, for the app to answer.
    """
    if first is not None:
        try:
            first()
        except (OperationalError, DBAPIError) as error:
            roll_back_quietly(context.session)
            result, context.outcome = _unavailable(context, error)
            return result
    result, context.outcome = _run(schema, data, context, allowed)
    return result


def _run(
    schema: BaseSchema, data: GraphQLRequestData, context: Context, allowed: set[OperationType]
) -> tuple[ExecutionResult, Outcome]:
    session = context.session
    try:
        with statement_deadline(session, context.deadline):
            result = schema.execute_sync(
                data.query,
                variable_values=data.variables,
                context_value=context,
                operation_name=data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=data.extensions,
            )
            return result, _end(session, result, context.operation_type)
    except (OperationalError, InterfaceError) as error:
        roll_back_quietly(session)
        return _unavailable(context, error)
    except PendingRollbackError as error:
        # A flush failed earlier in the operation; when it failed because the
        # connection was lost, the request could not be served: a 503, not a 500.
        roll_back_quietly(session)
        if not lost_connection(error):
            raise
        return _unavailable(context, error)
    except BaseException:
        roll_back_quietly(session)
        raise


def _end(session: Session, result: ExecutionResult, operation_type: str | None) -> Outcome:
    """Commit, or roll back what the answer does not show."""
    errors = result.errors or []
    if any(is_unavailable(error.original_error) for error in errors):
        # The database went away under a resolver: its flush failed, and the session
        # holds only a transaction to roll back (a commit would raise).
        roll_back_quietly(session)
        return Outcome.UNAVAILABLE
    mutation = operation_type == "mutation"
    # A timed-out answer is one TIMEOUT error, a failed mutation document has no data
    # (api/schema/operation_report.py): nothing of either is kept.
    if errors and (mutation or any(isinstance(error, RequestTimedOut) for error in errors)):
        session.rollback()
        return Outcome.ROLLED_BACK
    session.commit()
    return Outcome.COMMITTED if errors or mutation else Outcome.ANSWERED


def _unavailable(context: Context, error: Exception) -> tuple[ExecutionResult, Outcome]:
    log.warning("request %s: database unavailable: %s", context.request_id, reason(error))
    return ExecutionResult(data=None, errors=None), Outcome.UNAVAILABLE
