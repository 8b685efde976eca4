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
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
)
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
    bounded = tuple(
        BoundedOverlappingFields if rule is OverlappingFieldsCanBeMergedRule else rule
        for rule in rules
    )
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
