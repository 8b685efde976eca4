"""What an operation asks, named by the schema: the label /metrics counts requests under.

An operation's name is the client's to choose, so it is never a label; the root field it
selects is one of the schema's own few dozen names.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_operation_ast,
)

SEVERAL = "several"
"""An operation that asks more than one root field."""
OTHER = "other"
"""A document naming no root field the schema has (it fails validation)."""
INTROSPECTION = frozenset({"__schema", "__type", "__typename"})


def _root_type(schema: GraphQLSchema, operation: OperationType) -> GraphQLObjectType | None:
    if operation is OperationType.MUTATION:
        return schema.mutation_type
    if operation is OperationType.SUBSCRIPTION:
        return schema.subscription_type
    return schema.query_type


def _names(
    selections: SelectionSetNode,
    fragments: dict[str, FragmentDefinitionNode],
    seen: set[str],
) -> set[str]:
    """The field names a selection set asks, its fragments written out (each once)."""
    found: set[str] = set()
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            found.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            found |= _names(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                found |= _names(fragments[name].selection_set, fragments, seen)
    return found


def label(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> str:
    """The root field the operation asks; SEVERAL, or OTHER when the schema has none of them."""
    operation: OperationDefinitionNode | None = get_operation_ast(document, operation_name)
    if operation is None:
        return OTHER
    root = _root_type(schema, operation.operation)
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    names = _names(operation.selection_set, fragments, set())
    if root is None or not names or not names <= {*root.fields, *INTROSPECTION}:
        return OTHER
    if len(names) > 1:
        return SEVERAL
    (name,) = names
    return name
