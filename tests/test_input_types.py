"""What a client may send: every input type and every mutation argument, field by field.

No input may reach a verified figure, a survey response, an invitation, a tally or another
partner's data. The rule is an explicit allow-list: a field added to an input (or an
argument added to a mutation, or a new input type) fails here until it is reviewed and
listed. On top of the allow-list, names that smell of figures are refused outright, with
the few reviewed exceptions named below.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    get_named_type,
)

from api.schema import schema
from tests.test_schema_drift import SCHEMA_FILE

# -- the allow-lists -------------------------------------------------------------------

INPUT_FIELDS: dict[str, set[str]] = {
    # A partner's self-description; never its slug, name, version or figures.
    "PartnerProfileInput": {
        "summary",
        "description",
        "website",
        "headquartersCity",
        "headquartersCountry",
        "employeeBand",
        "foundedYear",
        "partnerTypes",
        "languages",
        "capabilities",
        "hourlyRateMin",
        "hourlyRateMax",
        "minProjectBudget",
        "deliveryCapacity",  # what it says it can run at once: matching reads it as a claim
    },
    "OfficeInput": {"city", "country", "latitude", "longitude", "isHeadquarters"},
    "CertificationInput": {"name", "vendor", "year"},
    "ReferenceInput": {"title", "customerName", "industry", "summary", "year"},
    # Admin only.
    "NewPartnerInput": {"slug", "name", "summary", "website"},
    # partnerSlug names the partner the engagement was for: a vendor records it for any
    # partner (it is confirmed by the vendor, the verification chain's first link), a
    # partner key may name only itself (api.services.engagements.record_engagement).
    # Never a confirmed flag: a vendor's record is confirmed, a partner's proposal is not.
    "EngagementInput": {
        "partnerSlug",
        "vendorSlug",
        "customerName",
        "customerDomain",
        "industry",
        "products",
        "status",
        "budget",
        "startedOn",
        "endedOn",
        "selectionReason",
        "customerCountry",
        "customerSize",
    },
    # Admin only; the catalogue a vendor's products come from.
    "NewVendorInput": {"slug", "name", "website"},
    # The vendor's own key (or admin): a product of its catalogue.
    "NewProductInput": {"slug", "name"},
    # The vendor's own key (or admin): what its program says of a partner. Kept for the
    # vendor's scorecard only; no figure, ranking or match reads it
    # (tests/test_catalogue_api.py sets it through the API and finds nothing moved).
    "MembershipInput": {"tier", "annualRevenue", "sponsored"},
    # A read filter (Query.partners, Query.search), not a write.
    "PartnerFilter": {"industries", "products", "countries", "evidenceTiers", "partnerTypes"},
    # A vendor's question (Query.bestFitPartners), read only: what the customer needs, hard
    # filters and the weights of the score's factors. Nothing here is stored or reaches a
    # figure; the score reads only published figures.
    "ProjectNeed": {
        "industry",
        "products",
        "country",
        "latitude",
        "longitude",
        "budget",
        "capabilities",
        "languages",
        "partnerTypes",
        "require",
        "weights",
        "deliveredProductsFirst",
    },
    "MatchRequirements": {
        "industryExperience",
        "productExperience",
        "officeInCountry",
        "maxDistanceKm",
        "minResponses",
        "withinBudget",
    },
    "MatchWeights": {
        "customerSuccess",
        "industrySuccess",
        "productSuccess",
        "industryExperience",
        "productExperience",
        "goLive",
        "repeatCustomers",
        "recency",
        "proximity",
        "capacity",
        "budgetFit",
    },
    # A partner's own view of a vendor's programme (submitProgramFeedback, with the partner's
    # key, for its own partner): it reaches programme feedback only, never a partner's figure.
    "ProgramFeedbackInput": {
        "likelihoodToRecommend",
        "enablement",
        "support",
        "leadSharing",
        "payments",
        "comment",
    },
    # A customer's pulse during an implementation (submitPulse, with its single-use token):
    # it reaches the engagement's own pulse record, never a partner's published figure.
    "PulseInput": {"confidence", "risks", "comment"},
    # The one input that carries survey answers: the respondent's own answer, sent with its
    # single-use token to submitSurveyResponse and nowhere else. It holds what DESIGN.md asks
    # the respondent: the two likelihoods to recommend (partner, vendor), the six 1-5
    # ratings, the five outcomes, why the customer chose the partner, a comment, who the
    # respondent is and whether to stay anonymous. Nothing about which invitation,
    # engagement or partner it belongs to (the token decides), and no figure.
    "SurveyResponseInput": {
        "likelihoodToRecommend",
        "vendorLikelihoodToRecommend",
        "ratingOverall",
        "ratingQuality",
        "ratingSchedule",
        "ratingBudget",
        "ratingCommunication",
        "ratingExpertise",
        "wentLive",
        "onTime",
        "onBudget",
        "goalsMet",
        "wouldHireAgain",
        "selectionReason",
        "comment",
        "anonymous",
        "respondentName",
        "respondentTitle",
    },
}

# The arguments of every mutation. `slug` and the ids of offices, certifications,
# references, reviews and engagements name a target whose owner the service checks.
PROFILE_EDIT = {"slug", "expectedVersion"}
MUTATION_ARGUMENTS: dict[str, set[str]] = {
    "createPartner": {"input"},
    "updatePartnerProfile": {*PROFILE_EDIT, "input"},
    "addOffice": {*PROFILE_EDIT, "input"},
    "changeOffice": {*PROFILE_EDIT, "officeId", "input"},
    "removeOffice": {*PROFILE_EDIT, "officeId"},
    "setPartnerClaims": {*PROFILE_EDIT, "industries", "products"},
    "addCertification": {*PROFILE_EDIT, "input"},
    "changeCertification": {*PROFILE_EDIT, "certificationId", "input"},
    "removeCertification": {*PROFILE_EDIT, "certificationId"},
    "addReference": {*PROFILE_EDIT, "input"},
    "changeReference": {*PROFILE_EDIT, "referenceId", "input"},
    "removeReference": {*PROFILE_EDIT, "referenceId"},
    "replyToReview": {"reviewId", "body"},
    "recordEngagement": {"input"},
    "proposeEngagement": {"input"},
    "confirmEngagement": {"engagementId"},
    "disputeEngagement": {"engagementId", "reason"},  # the reason is kept for admins
    "setEngagementStatus": {"engagementId", "status"},
    "createSurveyInvitation": {"engagementId", "email"},
    "submitSurveyResponse": {"token", "input"},
    "voidSurveyResponse": {"responseId", "reason"},  # admin only
    "submitProgramFeedback": {"vendor", "input"},  # the partner is the key's own
    "createVendor": {"input"},  # admin only
    "addProduct": {"vendor", "input"},  # the vendor itself, or admin
    "setProgramMembership": {"partnerSlug", "vendor", "input"},  # the vendor, or admin
    "addWebhook": {"url", "events"},  # the caller's own; the URL checked (api/webhooks/urls.py)
    "removeWebhook": {"webhookId"},
    "createPulseCheck": {"engagementId", "email"},  # its vendor, or admin
    "submitPulse": {"token", "input"},  # the token is the right
    "addEngagementNote": {"engagementId", "note"},  # its partner, or admin
}

# -- names that must not appear, whatever the allow-list says --------------------------

# Fragments of names (compared case-insensitively) that reach figures, responses,
# invitations, tallies, money that must never rank, or another partner by id.
FIGURE_FRAGMENTS = (
    "nps",
    "score",
    "rank",
    "metric",
    "figure",
    "tally",
    "tallies",
    "responsecount",
    "invitationcount",
    "responserate",
    "invitation",
    "response",
    "tier",
    "revenue",
    "sponsor",
    "void",
    "verified",
    "confirmed",
    "version",
    "evidence",
    "partnerid",
)
# What a respondent answers: only in SurveyResponseInput.
ANSWER_FRAGMENTS = (
    "likelihood",
    "rating",
    "outcome",
    "wentlive",
    "ontime",
    "onbudget",
    "goalsmet",
    "wouldhireagain",
)
# Reviewed exceptions: (where, name) -> why.
FRAGMENT_EXCEPTIONS: dict[tuple[str, str], str] = {
    **{
        (f"Mutation.{mutation}", "expectedVersion"): "optimistic locking, checked, never set"
        for mutation, arguments in MUTATION_ARGUMENTS.items()
        if "expectedVersion" in arguments
    },
    ("Mutation.voidSurveyResponse", "responseId"): "admin only: the response to void",
    ("PartnerFilter", "evidenceTiers"): "a read-only filter of the public list: it selects "
    "partners by their computed tier, it cannot set one",
    ("ProgramFeedbackInput", "likelihoodToRecommend"): "a partner's own answer about a "
    "vendor's programme, never about a partner: published per vendor and quarter only",
    **{
        ("MembershipInput", name): "the vendor's own program record (tier, revenue to it, "
        "sponsorship), shown to it beside the evidence; never read by a figure, the ranking "
        "or matching"
        for name in ("tier", "annualRevenue", "sponsored")
    },
    ("MatchRequirements", "minResponses"): "a read-only hard filter of bestFitPartners: "
    "partners with at least this many published responses, it cannot set one",
}
# Enums an input may hold, reviewed, by the one place each may appear: a read-only
# filter of the public partner list.
REVIEWED_ENUMS = {"PartnerFilter.evidenceTiers": "EvidenceTier"}
ANSWERS_INPUT = "SurveyResponseInput"
SCALARS = {"String", "Int", "Float", "Boolean", "ID", "Date", "DateTime"}


# -- the schema, exported and checked in -----------------------------------------------


@pytest.fixture(params=["exported", "checked-in"])
def sdl(request: pytest.FixtureRequest) -> GraphQLSchema:
    text = str(schema) if request.param == "exported" else SCHEMA_FILE.read_text()
    return build_schema(text)


def input_types(sdl: GraphQLSchema) -> dict[str, GraphQLInputObjectType]:
    return {
        name: kind
        for name, kind in sdl.type_map.items()
        if isinstance(kind, GraphQLInputObjectType) and not name.startswith("__")
    }


def mutation_arguments(sdl: GraphQLSchema) -> dict[str, dict[str, GraphQLNamedType]]:
    assert sdl.mutation_type is not None
    return {
        name: {arg: get_named_type(value.type) for arg, value in field.args.items()}
        for name, field in sdl.mutation_type.fields.items()
    }


def unreviewed(listed: dict[str, set[str]], found: dict[str, set[str]], what: str) -> list[str]:
    problems = []
    for owner in sorted(set(found) - set(listed)):
        problems.append(f"{what} {owner} is not in the allow-list: {sorted(found[owner])}")
    for owner in sorted(set(listed) - set(found)):
        problems.append(f"{what} {owner} is in the allow-list but not in the schema")
    for owner in sorted(set(found) & set(listed)):
        for name in sorted(found[owner] - listed[owner]):
            problems.append(f"{owner}.{name} is not in the allow-list: review it, then list it")
        for name in sorted(listed[owner] - found[owner]):
            problems.append(f"{owner}.{name} is allowed but no longer in the schema")
    return problems


# -- the rules -------------------------------------------------------------------------


def test_every_input_field_is_reviewed(sdl: GraphQLSchema) -> None:
    found = {name: set(kind.fields) for name, kind in input_types(sdl).items()}

    assert unreviewed(INPUT_FIELDS, found, "input type") == []


def test_every_mutation_argument_is_reviewed(sdl: GraphQLSchema) -> None:
    found = {name: set(arguments) for name, arguments in mutation_arguments(sdl).items()}

    assert unreviewed(MUTATION_ARGUMENTS, found, "mutation") == []


def forbidden(where: str, name: str) -> list[str]:
    lowered = name.lower()
    fragments = FIGURE_FRAGMENTS if where == ANSWERS_INPUT else FIGURE_FRAGMENTS + ANSWER_FRAGMENTS
    hits = [fragment for fragment in fragments if fragment in lowered]
    if not hits or (where, name) in FRAGMENT_EXCEPTIONS:
        return []
    return [f"{where}.{name} (contains {', '.join(hits)})"]


def test_no_input_field_or_mutation_argument_is_named_after_a_figure(
    sdl: GraphQLSchema,
) -> None:
    problems = []
    for type_name, kind in input_types(sdl).items():
        for field in kind.fields:
            problems += forbidden(type_name, field)
    for mutation, arguments in mutation_arguments(sdl).items():
        for argument in arguments:
            problems += forbidden(f"Mutation.{mutation}", argument)

    assert problems == []


def test_the_fragment_rule_is_not_toothless() -> None:
    assert forbidden("PartnerProfileInput", "npsOverride")
    assert forbidden("EngagementInput", "confirmed")
    assert forbidden("EngagementInput", "partnerId")
    assert forbidden("PartnerProfileInput", "evidenceTier")
    assert forbidden("PartnerProfileInput", "ratingOverall")
    assert forbidden("Mutation.updatePartnerProfile", "version")
    assert forbidden(ANSWERS_INPUT, "invitationId")
    assert forbidden(ANSWERS_INPUT, "voided")
    assert not forbidden(ANSWERS_INPUT, "ratingOverall")
    assert not forbidden("Mutation.addOffice", "expectedVersion")


def test_inputs_hold_only_plain_values_and_reviewed_inputs(sdl: GraphQLSchema) -> None:
    """An enum or a new input type inside an input is a new way in: review it first."""
    problems = []
    places: list[tuple[str, GraphQLNamedType]] = [
        (f"{name}.{field}", get_named_type(value.type))
        for name, kind in input_types(sdl).items()
        for field, value in kind.fields.items()
    ]
    places += [
        (f"Mutation.{mutation}({argument})", kind)
        for mutation, arguments in mutation_arguments(sdl).items()
        for argument, kind in arguments.items()
    ]
    for where, kind in places:
        plain = isinstance(kind, GraphQLScalarType) and kind.name in SCALARS
        if not plain and kind.name not in INPUT_FIELDS and REVIEWED_ENUMS.get(where) != kind.name:
            problems.append(f"{where}: {kind.name}")

    assert problems == []


def test_survey_answers_go_only_to_submit_survey_response(sdl: GraphQLSchema) -> None:
    uses = [
        f"Mutation.{mutation}({argument})"
        for mutation, arguments in mutation_arguments(sdl).items()
        for argument, kind in arguments.items()
        if kind.name == ANSWERS_INPUT
    ]
    uses += [
        f"{name}.{field}"
        for name, kind in input_types(sdl).items()
        for field, value in kind.fields.items()
        if get_named_type(value.type).name == ANSWERS_INPUT
    ]
    assert sdl.query_type is not None
    uses += [
        f"Query.{query}({argument})"
        for query, field in sdl.query_type.fields.items()
        for argument, value in field.args.items()
        if get_named_type(value.type).name == ANSWERS_INPUT
    ]

    assert uses == ["Mutation.submitSurveyResponse(input)"]


def test_a_profile_edit_cannot_rename_reversion_or_rescore_a_partner(sdl: GraphQLSchema) -> None:
    fields = {name.lower() for name in input_types(sdl)["PartnerProfileInput"].fields}

    assert fields.isdisjoint({"slug", "name", "version", "metrics"})
