"""The request's one transaction: its session, and its commit or rollback.

The operation runs in the request's transaction, within its time budget; each mutation
field in a savepoint of its own (api/schema/execution.py). Once it ends, the transaction
is committed, or rolled back when the request cannot stand (time ran out, a mutation
document met a top-level error) or the database went away: that request is a 503.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy.exc import InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.orm import Session, sessionmaker
from strawberry.http import GraphQLRequestData
from strawberry.schema import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api.db import statement_deadline
from api.request_unavailable import close_quietly, lost_connection, roll_back_quietly
from api.schema.context import Context


@contextlib.contextmanager
def request_session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """The request's session, closed quietly (api/request_unavailable.py)."""
    session = sessions()
    try:
        yield session
    finally:
        close_quietly(session)


def run_operation(
    schema: BaseSchema, data: GraphQLRequestData, context: Context, allowed: set[OperationType]
) -> ExecutionResult:
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
            if context.unavailable:
                # The database went away under a resolver: its flush failed, and the
                # session holds only a transaction to roll back (a commit would raise).
                roll_back_quietly(session)
            elif context.failed:
                session.rollback()
            else:
                session.commit()
            context.answered = not result.errors
    except (OperationalError, InterfaceError) as error:
        roll_back_quietly(session)
        context.unavailable, context.unavailable_error = True, error
        return ExecutionResult(data=None, errors=None)
    except PendingRollbackError as error:
        # A flush failed earlier in the operation; when it failed because the
        # connection was lost, the request could not be served: a 503, not a 500.
        roll_back_quietly(session)
        if not lost_connection(error):
            raise
        context.unavailable, context.unavailable_error = True, error
        return ExecutionResult(data=None, errors=None)
    except BaseException:
        roll_back_quietly(session)
        raise
    return result
