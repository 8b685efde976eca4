"""Text the database cannot store is refused before it gets there.

PostgreSQL text cannot hold a NUL character; rather than fail deep in a query, a document
whose string literals or variables contain one is refused at validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule

NUL = "\x00"
MESSAGE = "text must not contain NUL characters (\\u0000)"


class NoNulInStrings(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            self.report_error(GraphQLError(MESSAGE, node, extensions={"code": "VALIDATION"}))


def has_nul(value: object) -> bool:
    """Whether a decoded JSON value (the request's variables) holds a NUL anywhere."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False
