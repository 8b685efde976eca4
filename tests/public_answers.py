"""Everything a buyer can ask the API, as a few documents written from the schema itself.

A field added to a public type is selected here without anyone listing it: the documents
select every field the public role can read, to a depth, with a page as large as allowed.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
)

from api.schema import schema

MAX_DEPTH = 6
FIRST = {"partners": 20, "reviews": 50, "search": 20}
"""A page of each paginated field: enough for every row of the test worlds."""

ROOTS: dict[str, str] = {
    "partners": "partners(first: 20)",
    "marketInsights": "marketInsights",
    "vendors": "vendors",
    "products": "products",
    "industries": "industries",
}
"""The public root fields and how each is asked. Fields for a key (bestFitPartners,
vendorScorecard, viewer) answer a buyer nothing; `partner(slug)` shows what `partners`
shows; `search` reads the search index, a copy the change log updates (tests/test_search*)."""


def _named(kind: GraphQLType) -> GraphQLType:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def _arguments(name: str, field: GraphQLField) -> str | None:
    """The arguments to ask a field with ("" for none); None: it needs one we cannot give."""
    given = []
    for argument_name, argument in field.args.items():
        if argument_name == "first" and name in FIRST:
            given.append(f"first: {FIRST[name]}")
        elif isinstance(argument.type, GraphQLNonNull) and argument.default_value is None:
            return None
    return f"({', '.join(given)})" if given else ""


def selection(
    kind: GraphQLObjectType,
    depth: int = 0,
    path: tuple[str, ...] = (),
    skip: frozenset[tuple[str, str]] = frozenset(),
) -> str:
    """Every field of `kind` a buyer can ask without naming anything, to MAX_DEPTH (but the
    (type, field) pairs in `skip`)."""
    parts = []
    for name, field in kind.fields.items():
        arguments = _arguments(name, field)
        if arguments is None or (kind.name, name) in skip:
            continue
        inner = _named(field.type)
        if isinstance(inner, GraphQLObjectType):
            # A type already open above would only repeat what is selected there.
            if depth >= MAX_DEPTH or inner.name in path:
                continue
            inner_selection = selection(inner, depth + 1, (*path, kind.name), skip)
            parts.append(f"{name}{arguments} {inner_selection}")
        else:
            parts.append(f"{name}{arguments}")
    return "{ " + " ".join(parts) + " }"


def documents(graphql_schema: GraphQLSchema | None = None) -> dict[str, str]:
    """One document per public root field, selecting everything below it."""
    graphql_schema = graphql_schema or schema._schema
    query = graphql_schema.query_type
    assert query is not None
    answers = {}
    for root, call in ROOTS.items():
        inner = _named(query.fields[root].type)
        assert isinstance(inner, GraphQLObjectType), root
        answers[root] = f"{{ {call} {selection(inner, 1, ('Query',))} }}"
    return answers


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where two answers differ, as paths (at most a few, for a readable failure)."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in sorted(set(before) | set(after)):
            found += differences(before.get(key), after.get(key), f"{path}.{key}")
        return found[:5]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (one, other) in enumerate(zip(before, after, strict=True)):
            found += differences(one, other, f"{path}[{index}]")
        return found[:5]
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"[:200]]
