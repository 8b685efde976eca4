"""JSON from outside, decoded with bounds: bad bytes are the client's mistake, not a crash.

Python's json raises RecursionError on deep nesting and ValueError on integers of more than
4,300 digits, and bytes that are not UTF-8 fail before it even starts; each is a clear
message here. A request nests its variables a few levels deep: MAX_DEPTH is far above that
and far below what the GraphQL value coercion can recurse through.
"""

from __future__ import annotations

import json
from contextvars import ContextVar

MAX_DEPTH = 32

# The last REMEMBERED values decode() returned in this request (a body, or a GET's variables
# and extensions), so the GraphQL view need not parse them again; bounded, for a caller that
# decodes many (a file's lines).
REMEMBERED = 2
_decoded: ContextVar[tuple[tuple[bytes | str, object], ...]] = ContextVar(
    "json_body_decoded", default=()
)


class BadJSON(ValueError):
    """The bytes are not JSON Vouch accepts; the message says why, naming the part."""


def decode(raw: bytes | str, what: str = "body") -> object:
    try:
        text = raw if isinstance(raw, str) else raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadJSON(f"the {what} is not UTF-8 text (byte {error.start})") from error
    try:
        value = json.loads(text)
    except RecursionError as error:
        raise BadJSON(_too_deep(what)) from error
    except ValueError as error:
        raise BadJSON(f"the {what} is not valid JSON: {_reason(error)}") from error
    if _nesting(value) > MAX_DEPTH:
        raise BadJSON(_too_deep(what))
    _decoded.set(((raw, value), *_decoded.get()[: REMEMBERED - 1]))
    return value


def decoded(raw: bytes | str) -> object:
    """`raw` as JSON: what decode() returned for these very bytes in this request, if it
    did, else parsed now (without decode()'s bounds: checked input only)."""
    for given, value in _decoded.get():
        if given is raw:
            return value
    return json.loads(raw)


def _too_deep(what: str) -> str:
    return f"the {what} nests JSON arrays or objects more than {MAX_DEPTH} deep"


def _nesting(value: object) -> int:
    """How deep arrays and objects nest, walked with a stack rather than recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                stack.extend((inner, depth + 1) for inner in item)
    return deepest


def _reason(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno}, column {error.colno}"
    return str(error).split(";")[0]
