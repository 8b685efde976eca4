"""Driving the verification chain through GraphQL, as a vendor and respondents would."""

from __future__ import annotations

from typing import Any

from tests.server import GraphQLClient

RECORD = """
mutation Record($input: EngagementInput!) {
  recordEngagement(input: $input) {
    engagement { id status confirmed }
    errors { field message code }
  }
}
"""

INVITE = """
mutation Invite($id: ID!, $email: String!) {
  createSurveyInvitation(engagementId: $id, email: $email) {
    token invitationId errors { field message code }
  }
}
"""

SUBMIT = """
mutation Submit($token: String!, $input: SurveyResponseInput!) {
  submitSurveyResponse(token: $token, input: $input) { accepted errors { field message code } }
}
"""


def engagement_input(partner: str, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "partnerSlug": partner,
        "customerName": "Mercy Hospital",
        "customerDomain": "mercy.example",
        "industry": "healthcare",
        "products": ["acme-crm"],
        "status": "completed",
        "selectionReason": "peer_referral",
    }
    values.update(overrides)
    return values


def record(api: GraphQLClient, key: str, **values: Any) -> str:
    payload = api.data(RECORD, {"input": values}, key=key)["recordEngagement"]
    assert payload["errors"] == [], payload["errors"]
    engagement_id: str = payload["engagement"]["id"]
    return engagement_id


def invite(api: GraphQLClient, key: str, engagement_id: str, email: str) -> str:
    payload = api.data(INVITE, {"id": engagement_id, "email": email}, key=key)
    result = payload["createSurveyInvitation"]
    assert result["errors"] == [], result["errors"]
    token: str = result["token"]
    return token


def submit(api: GraphQLClient, token: str, **answers: Any) -> dict[str, Any]:
    result: dict[str, Any] = api.data(SUBMIT, {"token": token, "input": answers})[
        "submitSurveyResponse"
    ]
    return result


def responses(
    api: GraphQLClient, key: str, partner: str, scores: list[int], **answers: Any
) -> None:
    """One completed engagement per call, one invitation and answer per score."""
    domain = f"customer-{len(scores)}-{scores[0]}-{id(scores)}.example"
    engagement_id = record(api, key, **engagement_input(partner, customerDomain=domain))
    for number, score in enumerate(scores):
        token = invite(api, key, engagement_id, f"person{number}@{domain}")
        assert submit(api, token, likelihoodToRecommend=score, **answers)["accepted"] is True
