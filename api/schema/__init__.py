"""The GraphQL schema, composed from one package per domain."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from api.schema.engagements.mutations import EngagementMutations
from api.schema.errors import ClientError
from api.schema.figures.queries import FiguresQueries
from api.schema.partners.mutations import PartnerMutations
from api.schema.partners.queries import PartnerQueries
from api.schema.profiles.mutations import ProfileMutations
from api.schema.reference.queries import ReferenceQueries
from api.schema.surveys.mutations import SurveyMutations
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


def _is_unexpected(error: GraphQLError) -> bool:
    """Mask bugs, never the refusals and validation messages a client must read."""
    original = error.original_error
    if original is None or isinstance(original, ClientError):
        return False
    return not isinstance(original, PermissionError)


def create_schema(*, production: bool = False) -> strawberry.Schema:
    # The limiters build a new rule class per instance, and the validation cache is keyed
    # by the rule classes: build them once, so every request reuses the cached validation.
    limits = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: AddValidationRules(limits),
        lambda: ValidationCache(maxsize=512),
        UnitOfWork,
    ]
    if production:
        extensions += [DisableIntrospection, lambda: MaskErrors(should_mask_error=_is_unexpected)]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


schema = create_schema()
