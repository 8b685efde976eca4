"""What production answers differently: bugs masked (and logged), no hints about the schema."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.execution import ExecutionResult

from api.schema.operation_report import is_bug
from api.schema.production_messages import literal_places, naming_the_argument, plain_message

log = logging.getLogger("vouch.api")

MASKED_MESSAGE = "Unexpected error."


class MaskUnexpectedErrors(MaskErrors):
    """Masks bugs; the answer carries the request id, the log the traceback under it."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=is_bug, error_message=MASKED_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = getattr(self.execution_context.context, "request_id", None)
        log.error(
            "unexpected error in request %s: %s",
            request_id,
            error.message,
            exc_info=error.original_error,
        )
        return GraphQLError(
            self.error_message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )


class HideSuggestions(SchemaExtension):
    """Drops "Did you mean ...?" and type names from every error, so a caller cannot map the
    schema by typos (api/schema/production_messages.py); names the argument of a literal
    value that was refused, as graphql-core does for a variable's.

    strawberry's `disable_field_suggestions` covers unknown fields only; graphql-core also
    suggests arguments, types, enum values and input fields, at validation and when it
    coerces variables, and strawberry passes no `hide_suggestions` to either.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        result = execution.result
        if not isinstance(result, (GraphQLExecutionResult, ExecutionResult)) or not result.errors:
            return
        types = execution.schema._schema.type_map
        document = execution.graphql_document
        places = literal_places(document) if document is not None else {}
        result.errors = [_plain(error, types, places) for error in result.errors]


def _plain(
    error: GraphQLError, types: Collection[str], places: dict[tuple[int, int], tuple[str, str]]
) -> GraphQLError:
    message = plain_message(error.message, types)
    if not message.startswith(("Variable '", "Argument '")):
        message = naming_the_argument(message, error.nodes, places)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=error.extensions,
    )
