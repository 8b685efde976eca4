"""The shape of a document, measured in one pass before any validation rule walks it.

graphql-core's rules (and strawberry's depth and alias limiters) walk a fragment again at
every spread of it, and compare every pair of same-named fields in a selection: a 2.5 KB
document of fragments that each spread the previous one twice, or one field repeated a
thousand times, keeps them busy for minutes. Here each fragment is measured once and its
measure reused at every spread, so the pass takes time in proportion to the document;
a document over any limit is refused before the rules see it, and one within every limit
is small enough for them (BENCHMARKS.md: the worst one found).
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_OPERATIONS = 10
MAX_FRAGMENTS = 50
MAX_FIELDS = 1_000
"""Fields of an operation with every fragment spread written out; the largest query the
test suite sends (every field of a partner, nested figures included) has about 300."""
MAX_SELECTION_FIELDS = 50
"""Fields one selection set gathers (its own, its inline fragments' and its spreads'):
graphql-core compares each pair of them that share a name. Partner, the widest type, has
22 fields."""


@dataclass(frozen=True)
class Measure:
    """What a selection set amounts to once its fragments are written out."""

    depth: int = 0  # nested fields with selections, as strawberry's depth limiter counts
    aliases: int = 0
    fields: int = 0  # fields at every level
    gathered: int = 0  # fields at this level only


_EMPTY = Measure()


class _Measurer:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments.setdefault(definition.name.value, definition)
        self.measured: dict[str, Measure] = {}
        self.expanding: set[str] = set()
        self.widest = 0  # the most fields any one selection set gathers

    def selection_set(self, node: SelectionSetNode) -> Measure:
        depth = aliases = fields = gathered = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = self.field(selection)
                depth = max(depth, inner.depth)
                aliases += inner.aliases + (1 if selection.alias else 0)
                fields += inner.fields + 1
                gathered += 1
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.spread(selection.name.value)
            else:  # pragma: no cover - the parser makes no other selection
                continue
            depth = max(depth, inner.depth)
            aliases += inner.aliases
            fields += inner.fields
            gathered += inner.gathered
        self.widest = max(self.widest, gathered)
        return Measure(depth, aliases, fields, gathered)

    def field(self, node: FieldNode) -> Measure:
        # Introspection fields are bounded by the schema and are not counted for depth.
        if node.selection_set is None:
            return _EMPTY
        inner = self.selection_set(node.selection_set)
        depth = 0 if node.name.value.startswith("__") else inner.depth + 1
        return Measure(depth, inner.aliases, inner.fields, 0)

    def spread(self, name: str) -> Measure:
        known = self.measured.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.expanding:
            return _EMPTY  # unknown or cyclic: graphql-core's rules report it
        self.expanding.add(name)
        try:
            measure = self.selection_set(fragment.selection_set)
        finally:
            self.expanding.discard(name)
        self.measured[name] = measure
        return measure


def _refusal(message: str, code: str, **extensions: int) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def shape_errors(document: DocumentNode) -> list[GraphQLError]:
    """Why the document is too large to validate, or [] when it is within every limit."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) > MAX_OPERATIONS:
        return [
            _refusal(
                f"the document holds {len(operations)} operations; at most {MAX_OPERATIONS}",
                "TOO_MANY_OPERATIONS",
            )
        ]
    fragment_count = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
    if fragment_count > MAX_FRAGMENTS:
        return [
            _refusal(
                f"the document defines {fragment_count} fragments; at most {MAX_FRAGMENTS}",
                "TOO_MANY_FRAGMENTS",
            )
        ]
    measurer = _Measurer(document)
    errors: list[GraphQLError] = []
    for operation in operations:
        measure = measurer.selection_set(operation.selection_set)
        name = operation.name.value if operation.name else "anonymous"
        if measure.depth > MAX_DEPTH:
            errors.append(
                _refusal(
                    f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}",
                    "QUERY_TOO_DEEP",
                )
            )
        if measure.aliases > MAX_ALIASES:
            errors.append(
                _refusal(
                    f"{measure.aliases} aliases found. Allowed: {MAX_ALIASES}",
                    "TOO_MANY_ALIASES",
                )
            )
        if measure.fields > MAX_FIELDS:
            errors.append(
                _refusal(
                    f"'{name}' selects {_count(measure.fields)} fields once its fragments are "
                    f"spread; at most {MAX_FIELDS}",
                    "TOO_MANY_FIELDS",
                )
            )
        if errors:
            return errors
    if measurer.widest > MAX_SELECTION_FIELDS:
        errors.append(
            _refusal(
                f"a selection gathers {_count(measurer.widest)} fields (its own and its "
                f"fragments'); at most {MAX_SELECTION_FIELDS}",
                "TOO_MANY_FIELDS",
            )
        )
    return errors


def _count(value: int) -> str:
    # A fragment spread twice at each of 40 levels selects 2**40 fields: say so briefly.
    return f"{value:,}" if value < 10**9 else "over 1,000,000,000"
