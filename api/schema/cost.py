"""What a document would cost to run, estimated before it runs, and a limit on it.

Run before graphql-core's validation rules (api/schema/validation.py), once per distinct
document. The estimate:

- every field costs 1;
- a list field multiplies the cost of its selections by the number of items it can return:
  its `first` argument (a literal, clamped to the field's page cap; a variable, unknown at
  validation, counts as the cap: 100 for `partners`, 50 for `reviews`), or the argument's
  default (20 for `partners`, 10 for `reviews`). The `first` of a connection (`partners`)
  sizes the lists right under it (`edges`). A list without `first` (offices, industries,
  products, certifications, references, byIndustry, byProduct, trend, ...) counts as
  DEFAULT_LIST_SIZE items, or as its fixed length when it has one (ratings, outcomes);
- fragments are followed (each named fragment is costed once per page size);
- introspection fields (`__schema`, `__type`, `__typename`) cost 1: they are bounded by the
  schema's size, and introspection is off in production.

The rule does not see the variables (validation runs once per document, whatever they
are), which is why a variable `first` counts as the largest page it could ask for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from api.schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from api.schema.reviews import MAX_REVIEWS
from api.vocabulary import OUTCOME_FIELDS, RATING_FIELDS, SELECTION_REASONS

MAX_COST = 50_000
"""Room for `partners(first: 100)` with offices, industries, products, certifications,
references, metrics and three reviews each (12,703), and for a default page of 20 partners
with every field of the schema, per-segment figures included (about 48,700 when this was
written). A variable `first` counts as the largest page it could ask for."""

DEFAULT_LIST_SIZE = 10
"""What a list without `first` counts as: a partner's offices, industries, products,
certifications, references, and its figures by industry, by product and by quarter."""

# The largest `first` each paginated field accepts; any other field: MAX_PAGE_SIZE.
PAGE_CAPS = {"reviews": MAX_REVIEWS}

# Lists whose length never varies.
FIXED_LIST_SIZES = {
    "ratings": len(RATING_FIELDS),
    "outcomes": len(OUTCOME_FIELDS),
    "bySelectionReason": len(SELECTION_REASONS),
}


def estimate_operation(
    schema: GraphQLSchema, document: DocumentNode
) -> list[tuple[OperationDefinitionNode, int]]:
    """Each operation of the document with its estimate; fragments are costed once each."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
    estimate = _Estimate(schema, fragments.get)
    return [
        (definition, estimate.operation(definition))
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def estimate_costs(schema: GraphQLSchema, document: DocumentNode) -> dict[str | None, int]:
    """The estimate of each operation of a document, by operation name (for tests and tools)."""
    return {
        node.name.value if node.name else None: cost
        for node, cost in estimate_operation(schema, document)
    }


class _Estimate:
    def __init__(
        self, schema: GraphQLSchema, fragment: Callable[[str], FragmentDefinitionNode | None]
    ) -> None:
        self.schema = schema
        self.fragment = fragment
        self.fragments: dict[tuple[str, int | None], int] = {}
        self.expanding: set[str] = set()

    def operation(self, node: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(node.operation)
        return 0 if root is None else self.selections(node.selection_set, root, page=None)

    def selections(self, selection_set: SelectionSetNode, parent: Any, page: int | None) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.schema.get_type(condition.name.value) if condition else None
                total += self.selections(selection.selection_set, narrowed or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection, page)
        return total

    def spread(self, node: FragmentSpreadNode, page: int | None) -> int:
        name = node.name.value
        known = self.fragments.get((name, page))
        if known is not None:
            return known
        fragment = self.fragment(name)
        if fragment is None or name in self.expanding:
            return 0  # unknown or cyclic: other rules report it
        parent = self.schema.get_type(fragment.type_condition.name.value)
        if parent is None:
            return 0
        self.expanding.add(name)
        try:
            cost = self.selections(fragment.selection_set, parent, page)
        finally:
            self.expanding.discard(name)
        self.fragments[(name, page)] = cost
        return cost

    def field(self, node: FieldNode, parent: Any, page: int | None) -> int:
        name = node.name.value
        fields = getattr(parent, "fields", None)
        definition: GraphQLField | None = fields.get(name) if fields else None
        if definition is None or node.selection_set is None:
            return 1  # a leaf, introspection, or unknown (reported by another rule)
        returned = get_nullable_type(definition.type)
        first = _first(node, definition) if "first" in definition.args else None
        size, page_below = 1, first
        if is_list_type(returned):
            page_below = None
            if first is not None:
                size = first
            elif page is not None:
                size = page
            else:
                size = FIXED_LIST_SIZES.get(name, DEFAULT_LIST_SIZE)
        children = self.selections(node.selection_set, get_named_type(returned), page_below)
        return 1 + size * children


def _first(node: FieldNode, definition: GraphQLField) -> int:
    cap = PAGE_CAPS.get(node.name.value, MAX_PAGE_SIZE)
    for argument in node.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return min(max(int(value.value), 0), cap)
        if not isinstance(value, NullValueNode):
            return cap  # a variable: the largest page it could ask for
    default = _default(definition.args["first"])
    return default if default is not None and 0 <= default <= cap else DEFAULT_PAGE_SIZE


def _default(argument: GraphQLArgument) -> int | None:
    """An argument's integer default, as strawberry gives it or as SDL (graphql-core 3.3) does."""
    if isinstance(argument.default_value, int):
        return argument.default_value
    value = getattr(argument.default, "value", None)
    if isinstance(value, int):
        return value
    literal = getattr(argument.default, "literal", None)
    return int(literal.value) if isinstance(literal, IntValueNode) else None
