"""The GraphQL schema, composed from one package per domain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig

from api.schema.catalogue.mutations import CatalogueMutations
from api.schema.document_shape import MAX_ALIASES, MAX_DEPTH
from api.schema.engagements.mutations import EngagementMutations
from api.schema.engagements.queries import EngagementQueries
from api.schema.execution import VouchExecution
from api.schema.figures.queries import FiguresQueries
from api.schema.matching.queries import MatchingQueries
from api.schema.operation_report import ReportOperation
from api.schema.partners.mutations import PartnerMutations
from api.schema.partners.queries import PartnerQueries
from api.schema.production import HideSuggestions, MaskUnexpectedErrors
from api.schema.profiles.mutations import ProfileMutations
from api.schema.program.mutations import ProgramMutations
from api.schema.pulses.mutations import PulseMutations
from api.schema.reference.queries import ReferenceQueries
from api.schema.search.queries import SearchQueries
from api.schema.surveys.mutations import SurveyMutations
from api.schema.validation import GuardedValidation
from api.schema.viewer.queries import ViewerQueries
from api.schema.webhooks.mutations import WebhookMutations
from api.schema.webhooks.queries import WebhookQueries

MAX_TOKENS = 5000


@strawberry.type
class Query(
    PartnerQueries,
    SearchQueries,
    FiguresQueries,
    MatchingQueries,
    ReferenceQueries,
    ViewerQueries,
    EngagementQueries,
    WebhookQueries,
):
    pass


@strawberry.type
class Mutation(
    PartnerMutations,
    ProfileMutations,
    EngagementMutations,
    SurveyMutations,
    ProgramMutations,
    CatalogueMutations,
    WebhookMutations,
    PulseMutations,
):
    pass


class VouchSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Nothing: strawberry would log every error with its traceback, refusals included.

        ReportOperation logs one line per refusal and a traceback per bug (MaskUnexpectedErrors
        in production), so a client cannot fill the log with tracebacks.
        """


def create_schema(*, production: bool = False) -> strawberry.Schema:
    # Depth, aliases and cost are measured by GuardedValidation before the other rules,
    # once per distinct document (strawberry's limiters walk a fragment at every spread).
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        GuardedValidation,
        ReportOperation,
    ]
    if production:
        # Their operation hooks end last in, first out: suggestions are dropped, then bugs
        # masked (and logged), then the unit of work sees what the client will.
        extensions += [DisableIntrospection, MaskUnexpectedErrors, HideSuggestions]
    return VouchSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        # Batching stays off (batching_config=None): a JSON array body is refused.
        execution_context_class=VouchExecution,
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=production),
    )


schema = create_schema()

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "create_schema", "schema"]
