"""Which parts of the public data an answer shows, so a kept answer outlives writes to the
others (api/response_cache.py; the parts are written by api/services/changes.py).

An answer shows the whole data unless proven narrower: lists, rankings, search and
matching move with any partner (a change can reorder them or change who is in them), and
the market figures with any publication. An operation is narrow when it asks only
`partner(slug:)`, and below it only

- fields read from the partner's own rows: plain values of the objects its resolvers
  built, and the resolvers in OWN_RESOLVERS (its relations, figures and reviews, which
  name vendors, products and industries: the catalogue);
- MARKET_FIELDS, worked out with the market figures: the answer then shows the market too.

Any other resolver (a new field, `Vendor.program`) makes the answer whole: forgetting a
field here costs kept answers, never a stale one. Its parts are then the partners the
resolver found (`Shown.partner`), every partner's part (a change to all of them), the
catalogue, and the market when asked; a slug that names no partner shows the whole data
(any change could give it one).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.services.changes import CATALOGUE, EVERY_PARTNER, MARKET, partner_part

NARROW_ROOTS = frozenset({("Query", "partner")})
"""Root fields that show one partner, and say which (`Shown.partner`)."""
OWN_RESOLVERS = frozenset(
    {
        ("Partner", "metrics"),
        ("Partner", "engagementsInProgress"),
        ("Partner", "reviews"),
        ("Partner", "offices"),
        ("Partner", "industries"),
        ("Partner", "products"),
        ("Partner", "certifications"),
        ("Partner", "references"),
        ("CustomerSuccessMetrics", "byIndustry"),
        ("CustomerSuccessMetrics", "byProduct"),
        ("CustomerSuccessMetrics", "trend"),
        ("CustomerSuccessMetrics", "onTrack"),
    }
)
"""Resolvers that read only their partner's rows and the catalogue's names."""
MARKET_FIELDS = frozenset({("CustomerSuccessMetrics", "rankingScore")})
"""Values worked out with the published market figures (the ranking score is shrunk
toward the market NPS)."""


@dataclass(frozen=True, slots=True)
class Shape:
    """What an operation's document shows, before it runs: None for the whole data."""

    market: bool


SHAPES_KEPT = 512
_shapes: dict[tuple[int, str, str | None], Shape | None] = {}


def shape_of(
    schema: GraphQLSchema, document: DocumentNode, query: str, operation_name: str | None
) -> Shape | None:
    """The operation's shape, worked out once per distinct document."""
    key = (id(schema), query, operation_name)
    if key not in _shapes:
        if len(_shapes) >= SHAPES_KEPT:
            _shapes.clear()
        _shapes[key] = _shape(schema, document, operation_name)
    return _shapes[key]


def _shape(schema: GraphQLSchema, document: DocumentNode, name: str | None) -> Shape | None:
    operation = get_operation_ast(document, name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments)
    if not walk.selections(schema.query_type, operation.selection_set, root=True):
        return None
    return Shape(market=walk.market)


class _Walk:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema, self.fragments = schema, fragments
        self.market = False
        # Each fragment is walked once per type: a document that spreads fragments into
        # fragments (2**40 fields in 2.5 KB) costs its size, not what it expands to.
        self.walked: dict[tuple[str, str, bool], bool] = {}

    def selections(
        self, kind: GraphQLObjectType | None, selections: SelectionSetNode, *, root: bool = False
    ) -> bool:
        """Whether everything selected here shows only narrow parts (noting the market)."""
        if kind is None:
            return False
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if not self.field(kind, selection, root=root):
                    return False
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None or fragment.type_condition.name.value != kind.name:
                    return False
                key = (selection.name.value, kind.name, root)
                if key not in self.walked:
                    self.walked[key] = self.selections(kind, fragment.selection_set, root=root)
                if not self.walked[key]:
                    return False
                continue
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    selection.type_condition.name.value if selection.type_condition else kind.name
                )
                inner = selection.selection_set
            else:  # pragma: no cover - graphql-core has no other selection
                return False
            # A fragment spread into itself is refused by validation, before this runs.
            if condition != kind.name or not self.selections(kind, inner, root=root):
                return False
        return True

    def field(self, kind: GraphQLObjectType, node: FieldNode, *, root: bool) -> bool:
        name = node.name.value
        if name == "__typename":
            return True
        field = kind.fields.get(name)
        if field is None:
            return False
        where = (kind.name, name)
        if root:
            if where not in NARROW_ROOTS:
                return False
        elif where in MARKET_FIELDS:
            self.market = True
        elif _has_resolver(field) and where not in OWN_RESOLVERS:
            return False
        if node.selection_set is None:
            return True
        inner = _named(field.type)
        return isinstance(inner, GraphQLObjectType) and self.selections(inner, node.selection_set)


def _has_resolver(field: GraphQLField) -> bool:
    """Whether the field runs code of ours (else it is a value of the object above)."""
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    return definition is None or getattr(definition, "base_resolver", None) is not None


def _named(kind: GraphQLType) -> GraphQLType:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


class Shown:
    """The parts one public request's answer showed: its shape, and the partners found."""

    def __init__(self) -> None:
        self.shape: Shape | None = None
        self.partners: set[int] = set()
        self.missing = False

    def partner(self, partner_id: int | None) -> None:
        """A narrow root field found this partner (None: none by that slug)."""
        if partner_id is None:
            self.missing = True
        else:
            self.partners.add(partner_id)

    def parts(self) -> tuple[str, ...] | None:
        """The parts the answer showed, sorted; None: the whole data."""
        if self.shape is None or self.missing or not self.partners:
            return None
        parts = {EVERY_PARTNER, CATALOGUE, *(partner_part(p) for p in self.partners)}
        if self.shape.market:
            parts.add(MARKET)
        return tuple(sorted(parts))
