"""Validation in proportion to the document: its shape and cost first, then the rules.

One extension runs the whole step, cached by document: the shape limits
(document_shape), then the cost estimate (cost), then graphql-core's and Vouch's rules,
which only ever see documents the first two found small.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
    ValueNode,
    ValuesOfCorrectTypeRule,
    VisitorAction,
)
from graphql.language.visitor import SKIP
from graphql.utilities import validate_input_literal
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from api.schema.cost import MAX_COST, estimate_operation
from api.schema.document_shape import shape_errors
from api.schema.text_rules import NoUnstorableText

RULES: tuple[type[ASTValidationRule], ...] = (NoUnstorableText,)
"""Vouch's own rules, run with graphql-core's and strawberry's."""

OVERLAP_BUDGET = 50_000
"""Units of work graphql-core's field-merging rule may spend on one document (its default,
500,000, takes about 150 ms here). A query that selects each field once spends none."""

ABORTED = "Validation aborted."


class BoundedOverlappingFields(OverlappingFieldsCanBeMergedRule):
    """graphql-core's rule with a smaller budget: it compares pairs of same-named fields."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self.rule_context.remaining_complexity_budget = OVERLAP_BUDGET


class LocatedValues(ValuesOfCorrectTypeRule):
    """graphql-core's rule, each error located at the value it is about: a custom scalar's
    refusal ('Value cannot represent a Date') comes without a place, so it named neither
    the argument nor the line (api/schema/production_messages.py names the argument)."""

    def is_valid_value_node(
        self, node: ValueNode, input_type: GraphQLInputType | None
    ) -> VisitorAction:
        if input_type:

            def on_error(error: GraphQLError, path: list[str | int]) -> None:
                if not error.nodes:
                    error = GraphQLError(
                        error.message,
                        _value_at(node, path),
                        original_error=error.original_error,
                        extensions=error.extensions,
                    )
                self.report_error(error)

            validate_input_literal(
                node, input_type, on_error, None, None, self.context.hide_suggestions
            )
        return SKIP


def _value_at(value: ValueNode, path: list[str | int]) -> ValueNode:
    """The value inside `value` that `path` leads to (as far as the literal has one)."""
    for step in path:
        if isinstance(value, ObjectValueNode):
            inner = [field.value for field in value.fields if field.name.value == step]
        elif isinstance(value, ListValueNode) and isinstance(step, int):
            inner = list(value.values[step : step + 1])
        else:
            inner = []
        if not inner:
            break
        value = inner[0]
    return value


def cost_errors(schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
    errors = []
    for operation, cost in estimate_operation(schema, document):
        if cost > MAX_COST:
            errors.append(_too_costly(operation, cost))
    return errors


def _too_costly(node: OperationDefinitionNode, cost: int) -> GraphQLError:
    what = "query" if node.operation is OperationType.QUERY else node.operation.value
    return GraphQLError(
        f"{what} cost {cost} exceeds the limit of {MAX_COST}: ask for smaller pages (first) "
        "or fewer nested lists",
        node,
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "maxCost": MAX_COST},
    )


@lru_cache(maxsize=512)
def validated(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """The document's errors; [] when it may run. Kept for the 512 latest documents."""
    replaced: dict[type[ASTValidationRule], type[ASTValidationRule]] = {
        OverlappingFieldsCanBeMergedRule: BoundedOverlappingFields,
        ValuesOfCorrectTypeRule: LocatedValues,
    }
    bounded = tuple(replaced.get(rule, rule) for rule in rules)
    return (
        shape_errors(document)
        or cost_errors(schema, document)
        or [_explained(error) for error in validate_document(schema, document, bounded + RULES)]
    )


def _explained(error: GraphQLError) -> GraphQLError:
    if error.message != ABORTED:
        return error
    return GraphQLError(
        "the document repeats the same fields too often to be checked: select each field once",
        extensions={"code": "TOO_COMPLEX"},
    )


class GuardedValidation(SchemaExtension):
    """Replaces strawberry's validation step (and its cache) with `validated`."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.graphql_document is not None
        context.pre_execution_errors = validated(
            context.schema._schema, context.graphql_document, tuple(context.validation_rules)
        )
        yield
