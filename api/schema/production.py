"""What production answers differently: bugs masked (and logged), no hints about the schema."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.execution import ExecutionResult

from api.schema.unit_of_work import is_bug

log = logging.getLogger("vouch.api")

MASKED_MESSAGE = "Unexpected error."

# graphql-core's hints (" Did you mean 'partners'?", " Did you mean the enum value 'NAME'?")
# name fields, arguments, types and enum values a caller did not ask about.
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


# graphql-core's messages also name the types of what a caller touched ("Field 'partner' of
# type 'Partner' must have a selection of subfields"): enough for a tool such as
# clairvoyance to map the schema from the outside, type by type. The SDL is public, but
# introspection is off in production, and the shorter message serves the client as well.
_TYPE_HINTS = [
    (re.compile(r" (?:of|on) type '[^']*'"), ""),
    (re.compile(r" since type '[^']*' has no subfields"), ""),
    (re.compile(r"Expected value of type '[^']*'"), "Expected a value of another type"),
    (
        re.compile(r" used in position expecting type '[^']*'"),
        " used where another type is expected",
    ),
    (re.compile(r" is not defined by type '[^']*'"), " is not defined here"),
    (re.compile(r"'[A-Z]\w*\.(?=\w)"), "'"),  # 'Query.partner(slug:)' -> 'partner(slug:)'
]


def without_suggestions(message: str) -> str:
    """The message without "Did you mean" hints, nor the schema types it names."""
    message = _SUGGESTION.sub("", message)
    for pattern, replacement in _TYPE_HINTS:
        message = pattern.sub(replacement, message)
    return message


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
    schema by typos.

    strawberry's `disable_field_suggestions` covers unknown fields only; graphql-core also
    suggests arguments, types, enum values and input fields, at validation and when it
    coerces variables, and strawberry passes no `hide_suggestions` to either.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if not isinstance(result, (GraphQLExecutionResult, ExecutionResult)) or not result.errors:
            return
        result.errors = [_hidden(error) for error in result.errors]


def _hidden(error: GraphQLError) -> GraphQLError:
    message = without_suggestions(error.message)
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
