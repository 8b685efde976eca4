"""Plain fields answered without graphql-core's per-field machinery.

Most of what a list shows is plain: a field with no resolver, no arguments and no field
extension (strawberry's "basic" field, read with getattr), of a scalar or enum type, or of
an object type (or a list of one) whose selected fields are all plain in their turn. For
such a field graphql-core builds a resolve-info object, calls strawberry's resolver and
walks `complete_value`'s type checks, per field and per list item: about 40% of an
uncached list's time (BENCHMARKS.md, issue 25). Here each plain field of an operation is
compiled once per execution into a small function that reads and serialises it directly,
with the same serialisers graphql-core uses.

The fast path only answers what it is sure of. Anything unusual (a null where the schema
promises a value, a serialiser that refuses or fails, a list that is not a list or tuple,
an exception as a value) makes it give up on that field, which then runs the ordinary way
and so gets graphql-core's exact answer and error. Reading a plain field has no side
effect, so running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.pyutils import Undefined
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info

Complete = Callable[[Any], Any]
"""Completes a resolved value the way graphql-core would, or raises GiveUp."""

_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class GiveUp(Exception):
    """The fast path is not sure of this value: run the field the ordinary way."""


_GIVE_UP = GiveUp()


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _GIVE_UP
        return completed

    return complete


def _list(inner: Complete) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is not list and type(value) is not tuple:
            raise _GIVE_UP
        return [inner(item) for item in value]

    return complete


def _leaf(serialize: Callable[[Any], Any]) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception):
            raise _GIVE_UP
        serialized = serialize(value)
        if serialized is None or serialized is Undefined:
            raise _GIVE_UP
        return serialized

    return complete


Answer = Callable[[Any], Any]
"""A plain field's answer, from the value of the object that holds it."""


def _object(fields: list[tuple[str, Answer]]) -> Complete:
    def complete(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Exception):
            raise _GIVE_UP
        return {name: answer(value) for name, answer in fields}

    return complete


def _named(name: str) -> Answer:
    return lambda _value: name


K = TypeVar("K")
V = TypeVar("V")


def _memo(
    cache: dict[tuple[int, int], V | None],
    compile_: Callable[[K, Any], V | None],
    first: K,
    details: Any,
) -> V | None:
    """compile_(first, details), once per identity of the two in this execution."""
    key = (id(first), id(details))
    try:
        return cache[key]
    except KeyError:
        compiled = cache[key] = compile_(first, details)
        return compiled


Resolve = Callable[[Any, Any], Any]
"""Calls a field's resolver with the parent's value and graphql-core's resolve info."""

Simple = tuple[GraphQLField, Resolve]
"""A field's definition and simple_resolver's call of its resolver."""

Planned = Callable[[Any], Any]
"""A root field's answer from one statement (api/schema/sql_pages.py), given graphql-core's
field details; raises GiveUp when the ordinary way must answer it."""

Step = tuple[str, Answer | None, Simple | None, Planned | None, Any]
"""One field of an object as its steps answer it: its response name, its plain answer (None:
not plain), its simple resolver (None: none, or the field is plain), its plan (None: none)
and graphql-core's field details (for the ordinary way, which answers every field the
others do not)."""


def simple_resolver(field_def: GraphQLField) -> Resolve | None:
    """The resolver of a field that takes no argument and has no field extension (so no
    permission class), called as strawberry would call it, without its per-call
    argument conversion and extension chain; None for any other field. (Strawberry's
    exception handlers are not called: VouchExecution uses none of this where the schema
    has any.)"""
    if field_def.args or getattr(field_def.resolve, "_is_default", True):
        return None
    definition: StrawberryField | None = field_def.extensions.get(_BACKREF)
    if definition is None or definition.extensions or definition.arguments:
        return None
    resolver = definition.base_resolver
    if resolver is None or resolver.is_async:
        return None
    if resolver.root_parameter is not None or resolver.parent_parameter is not None:
        return None
    function = resolver.wrapped_func
    if not callable(function):
        return None
    takes_self = resolver.self_parameter is not None
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    def resolve(source: Any, raw_info: Any) -> Any:
        first = (source,) if takes_self else ()
        if info_name is None:
            return function(*first)
        info = Info(_raw_info=raw_info, _field=definition)
        return function(*first, **{info_name: info})

    return resolve


def _basic_read(field_def: GraphQLField, details: Any) -> Callable[[Any], Any] | None:
    """How strawberry reads a basic field (no resolver, no arguments, no extension, so no
    permission class): getattr of its Python name; None for any other field."""
    if field_def.args or details[0].node.arguments:
        return None
    if not getattr(field_def.resolve, "_is_default", False):
        return None  # a resolver of our own, or a field strawberry does not call basic
    definition: StrawberryField | None = field_def.extensions.get(_BACKREF)
    if definition is None or not definition.is_basic_field:
        return None
    if definition.default_resolver is not getattr:
        return None
    return attrgetter(definition.python_name)


def _reading(read: Callable[[Any], Any]) -> Resolve:
    return lambda source, _info: read(source)


class PlainFields:
    """The plain fields of one execution, compiled as they are first met.

    `field(parent, details)` is a function from the parent's value to the field's answer
    (None: not plain); `completion(type, details)` completes a value a resolver returned
    for a field of that type (None: not all plain below it); `resolver(parent, details)`
    is simple_resolver's for a field that is not plain; `steps(parent, grouped)` are the
    fields of an object, each answered the quickest way it can be, and
    `object_steps(type, details)` those of an object a field of that type selects (None:
    one graphql-core must complete itself). All are keyed by the identity of graphql-core's
    field details or grouped field set, which it keeps for the whole execution.
    """

    def __init__(
        self,
        collect_subfields: Callable[[GraphQLObjectType, Any], Any],
        planner: Callable[[GraphQLObjectType, Any], Planned | None] | None = None,
    ) -> None:
        self._collect_subfields = collect_subfields
        self._planner = planner
        self._fields: dict[tuple[int, int], Answer | None] = {}
        self._completions: dict[tuple[int, int], Complete | None] = {}
        self._resolvers: dict[tuple[int, int], Simple | None] = {}
        self._steps: dict[tuple[int, int], tuple[Step, ...] | None] = {}
        self._object_steps: dict[tuple[int, int], tuple[Step, ...] | None] = {}

    def field(self, parent: GraphQLObjectType, details: Any) -> Answer | None:
        return _memo(self._fields, self._compile_field, parent, details)

    def completion(self, return_type: GraphQLOutputType, details: Any) -> Complete | None:
        return _memo(self._completions, self._compile_type, return_type, details)

    def resolver(self, parent: GraphQLObjectType, details: Any) -> Simple | None:
        return _memo(self._resolvers, self._compile_resolver, parent, details)

    def steps(self, parent: GraphQLObjectType, grouped: dict[str, Any]) -> tuple[Step, ...]:
        found = _memo(self._steps, self._compile_steps, parent, grouped)
        assert found is not None  # every grouped field set has steps
        return found

    def object_steps(self, object_type: GraphQLObjectType, details: Any) -> tuple[Step, ...] | None:
        return _memo(self._object_steps, self._compile_object_steps, object_type, details)

    def _compile_steps(
        self, parent: GraphQLObjectType, grouped: dict[str, Any]
    ) -> tuple[Step, ...]:
        steps: list[Step] = []
        for response_name, details in grouped.items():
            if details[0].node.name.value == "__typename":
                answer: Answer | None = _named(parent.name)
            else:
                answer = self.field(parent, details)
            simple = None if answer is not None else self.resolver(parent, details)
            planned = None
            if answer is None and simple is None and self._planner is not None:
                planned = self._planner(parent, details)
            steps.append((response_name, answer, simple, planned, details))
        return tuple(steps)

    def _compile_object_steps(
        self, object_type: GraphQLObjectType, details: Any
    ) -> tuple[Step, ...] | None:
        if object_type.is_type_of:
            return None  # graphql-core asks it of every value
        grouped, deferred, _forbidden = self._collect_subfields(object_type, details)
        return None if deferred else self.steps(object_type, grouped)

    def _compile_resolver(self, parent: GraphQLObjectType, details: Any) -> Simple | None:
        field_def = parent.fields.get(details[0].node.name.value)
        if field_def is None:
            return None
        resolve = simple_resolver(field_def)
        if resolve is None:
            read = _basic_read(field_def, details)
            if read is None:
                return None
            resolve = _reading(read)  # a basic field whose object has resolvers below it
        return field_def, resolve

    def _compile_field(self, parent: GraphQLObjectType, details: Any) -> Answer | None:
        field_def = parent.fields.get(details[0].node.name.value)
        read = None if field_def is None else _basic_read(field_def, details)
        if field_def is None or read is None:
            return None
        completed = self.completion(field_def.type, details)
        if completed is None:
            return None

        def answer(source: Any) -> Any:
            return completed(read(source))

        return answer

    def _compile_type(self, return_type: GraphQLOutputType, details: Any) -> Complete | None:
        if isinstance(return_type, GraphQLNonNull):
            inner = self.completion(return_type.of_type, details)
            return None if inner is None else _non_null(inner)
        if isinstance(return_type, GraphQLList):
            inner = self.completion(return_type.of_type, details)
            return None if inner is None else _list(inner)
        if isinstance(return_type, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf(return_type.serialize)
        if not isinstance(return_type, GraphQLObjectType):
            return None  # an interface or union
        steps = self.object_steps(return_type, details)
        if steps is None:
            return None  # a type that checks what it is given, or a deferred selection
        fields: list[tuple[str, Answer]] = []
        for response_name, answer, _simple, _planned, _details in steps:
            if answer is None:
                return None  # a field that is not plain: the steps complete the object
            fields.append((response_name, answer))
        return _object(fields)
