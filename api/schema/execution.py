"""How an operation runs: within its time budget, each mutation field in its own savepoint.

This is the one place that decides what of a field's writes last. The request
(api/request_transaction.py) begins the transaction and ends it; here each top-level
mutation field runs, in order, inside a savepoint of its own:

- its payload came back with no errors: the savepoint is released and the write lasts;
- its payload reports errors (a refusal the client can act on): rolled back, and the
  payload says why; the other fields of the document are not affected.

A top-level error in any field (FORBIDDEN, NOT_FOUND, a bug, an error met inside a
payload's selection) undoes the whole document: every mutation field is non-null, as the
public contract has them, so the error nulls `data` and no payload is left to show what
lasted. The request's transaction is then rolled back (api/request_transaction.py), and
the answer says so (ReportOperation): in `a: ... b: ...`, `a` is never kept when `b` was
refused.

Between fields the request's deadline is checked: past it, the operation stops and the
whole transaction is rolled back (api/request_transaction.py), and the answer has no data.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLObjectType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.schema.context import Context


class RequestTimedOut(GraphQLError):
    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the request ran past its time budget of {budget:g} s and was cancelled; "
            "nothing it did was kept: ask for less (smaller pages, fewer fields)",
            extensions={"code": "TIMEOUT"},
        )


class VouchExecution(StrawberryGraphQLCoreExecutionContext):
    def execute_field(
        self, parent_type: GraphQLObjectType, source: Any, *args: Any, **kwargs: Any
    ) -> Any:
        context = self.context_value
        if not isinstance(context, Context):
            return super().execute_field(parent_type, source, *args, **kwargs)
        if context.out_of_time():
            raise RequestTimedOut(context.settings.request_timeout)
        if parent_type.name != "Mutation":
            return super().execute_field(parent_type, source, *args, **kwargs)
        errors_before = len(self.collected_errors.errors)
        context.refused = False
        savepoint = context.session.begin_nested()
        try:
            result = super().execute_field(parent_type, source, *args, **kwargs)
        except BaseException:
            savepoint.rollback()
            raise
        if self.is_awaitable(result):  # pragma: no cover - every mutation resolver is sync
            savepoint.rollback()
            raise TypeError("mutation resolvers must be synchronous to run in a savepoint")
        if context.refused or len(self.collected_errors.errors) > errors_before:
            savepoint.rollback()
        else:
            savepoint.commit()
        return result
