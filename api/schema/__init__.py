"""The GraphQL schema, composed from one package per domain."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from api.schema.cost import QueryCostLimit
from api.schema.engagements.mutations import EngagementMutations
from api.schema.figures.queries import FiguresQueries
from api.schema.partners.mutations import PartnerMutations
from api.schema.partners.queries import PartnerQueries
from api.schema.production import HideSuggestions, MaskUnexpectedErrors
from api.schema.profiles.mutations import ProfileMutations
from api.schema.reference.queries import ReferenceQueries
from api.schema.surveys.mutations import SurveyMutations
from api.schema.text_rules import NoNulInStrings
from api.schema.unit_of_work import UnitOfWork
from api.schema.viewer.queries import ViewerQueries

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


@strawberry.type
class Query(PartnerQueries, FiguresQueries, ReferenceQueries, ViewerQueries):
    pass


@strawberry.type
class Mutation(PartnerMutations, ProfileMutations, EngagementMutations, SurveyMutations):
    pass


def create_schema(*, production: bool = False) -> strawberry.Schema:
    # The limiters build a new rule class per instance, and the validation cache is keyed
    # by the rule classes: build them once, so every request reuses the cached validation.
    limits = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
        QueryCostLimit,
        NoNulInStrings,
    ]
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(limits),
        lambda: ValidationCache(maxsize=512),
        UnitOfWork,
    ]
    if production:
        # Their operation hooks end last in, first out: suggestions are dropped, then bugs
        # masked (and logged), then the unit of work sees what the client will.
        extensions += [DisableIntrospection, MaskUnexpectedErrors, HideSuggestions]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        # Batching stays off (batching_config=None): a JSON array body is refused.
        config=StrawberryConfig(auto_camel_case=True, disable_field_suggestions=production),
    )


schema = create_schema()
