"""Text the database cannot store is refused before it gets there.

PostgreSQL text cannot hold a NUL character, and no database driver encodes a lone UTF-16
surrogate ("\\ud800" in JSON) as UTF-8: rather than fail deep in a query, a document whose
string literals or variables hold one is refused at validation, naming where it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphql import ArgumentNode, GraphQLError, ObjectFieldNode, StringValueNode, ValidationRule

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "must not contain NUL characters (\\u0000) or unpaired surrogates (\\ud800-\\udfff)"


def is_storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


class NoUnstorableText(ValidationRule):
    def enter_string_value(
        self, node: StringValueNode, _key: Any, _parent: Any, _path: Any, ancestors: Any
    ) -> None:
        if is_storable(node.value):
            return
        field = next(
            (
                ancestor.name.value
                for ancestor in reversed(ancestors)
                if isinstance(ancestor, (ArgumentNode, ObjectFieldNode))
            ),
            None,
        )
        self.report_error(
            GraphQLError(
                f"{field or 'a string'} {MESSAGE}",
                node,
                extensions={"code": "VALIDATION", "field": field},
            )
        )


def unstorable_path(value: object, path: str = "variables") -> str | None:
    """Where a decoded JSON value (the request's variables) holds unstorable text, or None.

    Walks with a stack rather than recursion: the request's nesting is bounded before this
    runs, but a walk should not depend on it.
    """
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not is_storable(item):
                return where
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                if isinstance(key, str) and not is_storable(key):
                    return where
                stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{index}]") for index, inner in enumerate(item))
    return None
