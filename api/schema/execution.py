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

import contextlib
from functools import partial
from typing import Any

from graphql import GraphQLError, GraphQLObjectType, GraphQLOutputType
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.schema.context import Context
from api.schema.plain_fields import GiveUp, PlainFields, Planned, Simple, Step
from api.schema.sql_pages import plan_for


class RequestTimedOut(GraphQLError):
    def __init__(self, budget: float) -> None:
        super().__init__(
            f"the request ran past its time budget of {budget:g} s and was cancelled; "
            "nothing it did was kept: ask for less (smaller pages, fewer fields)",
            extensions={"code": "TIMEOUT"},
        )


class VouchExecution(StrawberryGraphQLCoreExecutionContext):
    use_plans = True
    """Whether a root field may be answered by one statement (api/schema/sql_pages.py);
    the tests turn it off to compare both ways."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plain fields are answered directly (api/schema/plain_fields.py), unless some
        # middleware must see every field or strawberry has exception handlers to call.
        middleware = self.middleware_manager
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        handlers = getattr(strawberry_schema, "exception_handlers", ())
        watched = bool(middleware and middleware.middlewares) or bool(handlers)
        self.plain = None if watched else PlainFields(self.collect_subfields, self._planned)

    def _planned(self, parent: GraphQLObjectType, details: Any) -> Planned | None:
        """A root field answered by one statement (api/schema/sql_pages.py), if it can be."""
        plan = plan_for(self, parent, details) if self.use_plans else None
        return None if plan is None else partial(plan.run, self)

    def execute_field(
        self, parent_type: GraphQLObjectType, source: Any, *args: Any, **kwargs: Any
    ) -> Any:
        self._check_deadline()
        if parent_type.name == "Mutation" and isinstance(self.context_value, Context):
            return self._mutation_field(parent_type, source, *args, **kwargs)
        return super().execute_field(parent_type, source, *args, **kwargs)

    def _check_deadline(self) -> None:
        context = self.context_value
        if isinstance(context, Context) and context.out_of_time():
            raise RequestTimedOut(context.settings.request_timeout)

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        grouped: Any,
        position_context: Any,
    ) -> Any:
        if self.plain is None:
            return super().execute_fields(parent_type, source, path, grouped, position_context)
        steps = self.plain.steps(parent_type, grouped)
        return self._run_steps(parent_type, source, path, steps, position_context)

    def _run_steps(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        steps: tuple[Step, ...],
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_fields, each field answered the quickest way it can be: a
        plain one read directly, a simple resolver called directly, any other (or a plain
        one the fast path is not sure of) the ordinary way. The deadline is checked once
        for the object, before its first field, as execute_field would."""
        self._check_deadline()
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        type_name = parent_type.name
        ordinary = super().execute_field
        try:
            for response_name, answer, simple, planned, details in steps:
                if answer is not None:
                    # Not sure of it (plain_fields.GiveUp, or any failure): the ordinary way.
                    with contextlib.suppress(Exception):
                        results[response_name] = answer(source)
                        continue
                field_path = Path(path, response_name, type_name)
                if planned is not None:
                    result = self._answer_planned(parent_type, planned, details, field_path)
                    if result is not Undefined:
                        results[response_name] = result
                        continue
                if simple is not None:
                    result = self._resolve_simply(
                        parent_type, source, simple, details, field_path, position_context
                    )
                else:
                    result = ordinary(parent_type, source, details, field_path, position_context)
                if result is not Undefined:
                    results[response_name] = result
                    if self.is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:  # pragma: no cover - as graphql-core's execute_fields does
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gathered(results, awaitable_fields)  # pragma: no cover - all sync

    def _answer_planned(
        self, parent_type: GraphQLObjectType, planned: Planned, details: Any, path: Path
    ) -> Any:
        """The field's answer from its plan; Undefined when the plan gives up (then the
        ordinary way answers). A failure (the database's) is the field's error, as a
        resolver's would be."""
        try:
            return planned(details)
        except GiveUp:
            return Undefined
        except Exception as raw_error:
            return_type = parent_type.fields[details[0].node.name.value].type
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    async def _gathered(  # pragma: no cover - every resolver is synchronous
        self, results: dict[str, Any], awaitable_fields: list[str]
    ) -> dict[str, Any]:
        awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
        results.update(zip(awaitable_fields, awaited, strict=True))
        return results

    def _resolve_simply(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        simple: Simple,
        details: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_field for a field whose resolver takes no arguments and
        is called without strawberry's per-call machinery (plain_fields.simple_resolver):
        the same resolve info, completion and error handling."""
        field_def, resolve = simple
        return_type = field_def.type
        info = self.build_resolve_info(field_def, to_nodes(details), parent_type, path)
        try:
            result = resolve(source, info)
            completed = self.complete_value(
                return_type, details, info, path, result, position_context
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        if self.is_awaitable(completed):  # pragma: no cover - every resolver is synchronous
            return self._awaited(completed, return_type, details, path)
        return completed

    async def _awaited(  # pragma: no cover - as graphql-core's execute_field does
        self, completed: Any, return_type: GraphQLOutputType, details: Any, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        details: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plain = self.plain
        if plain is not None:
            complete = plain.completion(return_type, details)
            if complete is not None:
                # Not sure of it (plain_fields.GiveUp, or any failure): the ordinary way answers.
                with contextlib.suppress(Exception):
                    return complete(result)
            elif (
                type(return_type) is GraphQLObjectType
                and position_context is None
                and result is not None
                and result is not Undefined
                and not isinstance(result, Exception)
            ):
                # What complete_object_value does when nothing is deferred.
                steps = plain.object_steps(return_type, details)
                if steps is not None:
                    return self._run_steps(return_type, result, path, steps, None)
        return super().complete_value(return_type, details, info, path, result, position_context)

    def _mutation_field(
        self, parent_type: GraphQLObjectType, source: Any, *args: Any, **kwargs: Any
    ) -> Any:
        context = self.context_value
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
