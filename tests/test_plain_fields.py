"""Plain fields answered directly (api/schema/plain_fields.py) answer exactly what
graphql-core's executor answers: the same data and the same errors at the same paths, for
values of every kind a resolver could hand back, right or wrong.

Each example runs one document twice over the same objects: through Vouch's executor and
through strawberry's own, which has no fast path.
"""

from __future__ import annotations

import enum
from typing import Any

import pytest
import strawberry
from graphql import GraphQLResolveInfo
from graphql.execution.executor import Executor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.schema.execution import VouchExecution


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


@strawberry.type
class Inner:
    n: int
    s: str | None


class Never(strawberry.BasePermission):
    message = "never shown"

    def has_permission(self, source: Any, info: strawberry.Info, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Item:
    a: int
    b: str | None
    c: list[int]
    d: Colour | None
    e: Inner | None
    f: list[Inner] | None
    g_value: strawberry.Private[Any]
    renamed_field: float | None = strawberry.field(name="ratio")
    # A plain attribute behind a permission class: never read directly.
    guarded: int | None = strawberry.field(default=1, permission_classes=[Never])
    # A plain attribute of a type with resolvers: read directly, completed the ordinary way.
    child: Item | None = None

    @strawberry.field
    def g(self, info: strawberry.Info) -> int | None:
        if isinstance(self.g_value, Exception):
            raise ValueError(str(self.g_value))
        assert info.context is None or isinstance(info.context, dict)
        return self.g_value

    @strawberry.field
    def inners(self) -> list[Inner]:
        return list(self.f) if isinstance(self.f, (list, tuple, Bag)) else []


ITEMS: list[Item] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item]:
        return ITEMS


FAST = strawberry.Schema(query=Query, execution_context_class=VouchExecution)
ORDINARY = strawberry.Schema(
    query=Query, execution_context_class=StrawberryGraphQLCoreExecutionContext
)

DOCUMENT = """
query Items($withB: Boolean!) {
  items {
    __typename
    a
    alias: a
    b @include(if: $withB)
    c
    d
    e { n s __typename }
    f { n ...InnerParts }
    g
    ratio
    inners { s }
    guarded
    child { a g child { b } }
  }
}
fragment InnerParts on Inner { s }
"""

wrong = st.one_of(
    st.none(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.text(max_size=3),
    st.floats(allow_nan=True),
    st.booleans(),
)


class Bag:
    """An iterable that is neither a list nor a tuple."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __iter__(self) -> Any:
        return iter(self.items)


inner = st.builds(
    Inner, n=st.one_of(st.integers(-5, 5), wrong), s=st.one_of(st.text(max_size=3), wrong)
)
inner_lists = st.one_of(
    st.lists(inner, max_size=3),
    st.none(),
    st.lists(inner, max_size=2).map(tuple),
    st.lists(inner, max_size=2).map(Bag),  # an iterable that is no list: the ordinary way
    wrong,
)
leaf = st.builds(
    Item,
    a=st.one_of(st.integers(-5, 5), wrong),
    b=st.one_of(st.text(max_size=3), wrong),
    c=st.just([]),
    d=st.none(),
    e=st.none(),
    f=st.none(),
    g_value=st.one_of(st.integers(-5, 5), wrong, st.just(ValueError("no g"))),
    renamed_field=st.none(),
)
item = st.builds(
    Item,
    child=st.one_of(st.none(), leaf, wrong),
    a=st.one_of(st.integers(-5, 5), wrong),
    b=st.one_of(st.text(max_size=3), wrong),
    c=st.one_of(st.lists(st.one_of(st.integers(-5, 5), wrong), max_size=3), wrong),
    d=st.one_of(st.sampled_from(list(Colour)), st.sampled_from(["red", "GREEN"]), wrong),
    e=st.one_of(inner, wrong),
    f=inner_lists,
    g_value=st.one_of(st.integers(-5, 5), wrong, st.just(ValueError("no g"))),
    renamed_field=st.one_of(st.floats(allow_nan=False, allow_infinity=False), wrong),
)


def answers(
    schema: strawberry.Schema, items: list[Item], with_b: bool, document: str = DOCUMENT
) -> Any:
    ITEMS[:] = items
    result = schema.execute_sync(document, variable_values={"withB": with_b})
    errors = sorted((error.message, tuple(error.path or ())) for error in result.errors or [])
    return result.data, errors


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=st.lists(item, max_size=4), with_b=st.booleans())
def test_the_fast_path_answers_as_graphql_core_does(items: list[Item], with_b: bool) -> None:
    assert answers(FAST, items, with_b) == answers(ORDINARY, items, with_b)


def test_plain_fields_skip_the_ordinary_executor(monkeypatch: pytest.MonkeyPatch) -> None:
    """With right values, only the fields with resolvers of their own are resolved, and
    directly: `items`, and `g` and `inners` of each item, and `child` (a plain attribute
    whose type has resolvers) and its `g`; the rest are answered directly too, and no
    field (not even an item, which mixes plain fields and resolvers) takes graphql-core's
    own steps (execute_field, execute_fields, complete_object_value). So the differential
    test above covers the fast path, not only the fallback. (`guarded`, behind its
    permission class, is left out here: it runs the ordinary way.)"""
    document = DOCUMENT.replace("    guarded\n", "")
    assert document != DOCUMENT
    calls: list[str] = []
    ordinary: list[str] = []
    for name in ("execute_field", "execute_fields", "complete_object_value"):
        original = getattr(Executor, name)

        def counted(*args: Any, _original: Any = original, _name: str = name) -> Any:
            ordinary.append(_name)
            return _original(*args)

        monkeypatch.setattr(Executor, name, counted)

    class Counted(VouchExecution):
        def _resolve_simply(self, parent_type: Any, source: Any, simple: Any, *args: Any) -> Any:
            calls.append(args[0][0].node.name.value)  # args[0]: the field's details
            return super()._resolve_simply(parent_type, source, simple, *args)

    schema = strawberry.Schema(query=Query, execution_context_class=Counted)
    good = [
        Item(
            a=1,
            b="x",
            c=[1, 2],
            d=Colour.RED,
            e=Inner(n=1, s=None),
            f=[Inner(n=2, s="y")],
            g_value=3,
            renamed_field=0.5,
            child=Item(a=5, b="z", c=[], d=None, e=None, f=None, g_value=7, renamed_field=None),
        ),
        Item(a=2, b=None, c=[], d=None, e=None, f=None, g_value=None, renamed_field=None),
    ]
    fast = answers(schema, good, True, document)
    assert ordinary == []
    assert fast == answers(ORDINARY, good, True, document)
    assert ordinary  # counted: strawberry's own executor takes every step
    assert fast[1] == []
    assert fast[0]["items"][0] == {
        "__typename": "Item",
        "a": 1,
        "alias": 1,
        "b": "x",
        "c": [1, 2],
        "d": "RED",
        "e": {"n": 1, "s": None, "__typename": "Inner"},
        "f": [{"n": 2, "s": "y"}],
        "g": 3,
        "ratio": 0.5,
        "inners": [{"s": "y"}],
        "child": {"a": 5, "g": 7, "child": None},
    }
    # items is Query's: resolved the simple way too; then g, inners and child for each
    # item, and the first one's child's g (its `child { b }` is all plain: read directly).
    each = ["g", "inners", "child"]
    assert sorted(calls) == sorted(["items", *each, *each, "g"])


class SeesEveryField(SchemaExtension):
    """Strawberry middleware (an extension with `resolve`): it must see every field."""

    seen: list[str] = []

    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kw: Any
    ) -> Any:
        SeesEveryField.seen.append(".".join(str(key) for key in info.path.as_list()))
        return _next(root, info, *args, **kw)


def test_middleware_sees_every_field_as_with_strawberrys_executor() -> None:
    """With middleware the fast path is off (VouchExecution.__init__): it sees the same
    fields, plain ones included, as under strawberry's own executor."""
    good = [Item(a=1, b="x", c=[1], d=Colour.RED, e=None, f=None, g_value=3, renamed_field=None)]
    seen = []
    for executor in (VouchExecution, StrawberryGraphQLCoreExecutionContext):
        schema = strawberry.Schema(
            query=Query, extensions=[SeesEveryField], execution_context_class=executor
        )
        SeesEveryField.seen = []
        answered = answers(schema, good, True)
        seen.append((answered, sorted(SeesEveryField.seen)))
    assert seen[0] == seen[1]
    assert "items.0.a" in seen[0][1]  # a plain field, seen


class Refused(Exception):
    pass


@strawberry.type
class Refusal:
    reason: str


@strawberry.type
class Counted:
    n: int


class RefusalHandler(strawberry.ExceptionHandler[Refused, Refusal]):
    def handle(self, exception: Refused, *, field: Any, info: Any) -> Refusal:
        return Refusal(reason=str(exception))


@strawberry.type
class Guarded:
    @strawberry.field
    def outcome(self) -> Counted | Refusal:
        raise Refused("not today")


@strawberry.type
class GuardedQuery:
    @strawberry.field
    def guarded(self) -> list[Guarded]:
        return [Guarded()]


def test_exception_handlers_still_turn_errors_into_answers() -> None:
    """With strawberry's exception handlers the fast path is off: a resolver's exception
    becomes the handler's union member, as under strawberry's own executor (the fast path
    would call the resolver directly, past the handler)."""
    document = "{ guarded { outcome { ... on Refusal { reason } ... on Counted { n } } } }"
    results = [
        strawberry.Schema(
            query=GuardedQuery,
            exception_handlers=[RefusalHandler()],
            execution_context_class=executor,
        ).execute_sync(document)
        for executor in (VouchExecution, StrawberryGraphQLCoreExecutionContext)
    ]
    assert results[0].errors is None
    assert results[0].data == {"guarded": [{"outcome": {"reason": "not today"}}]}
    assert results[0].data == results[1].data
