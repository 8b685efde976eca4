"""How an operation runs: within its time budget, each mutation field in its own savepoint.

This is the one place that decides what of a request's writes last. The request
(api/app.py) begins the transaction and commits it at the end; here each top-level
mutation field runs inside a savepoint that is released when the field succeeded and
rolled back when it raised or its payload reported errors. So `a: updatePartnerProfile`
keeps its write when `b:` in the same document meets a version conflict, and no payload
claims a write that did not last.

Between fields the request's deadline is checked: past it, the operation stops and the
whole transaction is rolled back (see UnitOfWork).
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
        context.wrote = True
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
