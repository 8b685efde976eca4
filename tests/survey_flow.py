"""Driving the verification chain through GraphQL, as a vendor, its partner and
respondents would: the vendor records, the partner confirms, the vendor invites."""

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

CONFIRM = """
mutation Confirm($id: ID!) {
  confirmEngagement(engagementId: $id) {
    engagement { id confirmed disputed }
    errors { field message code }
  }
}
"""

DISPUTE = """
mutation Dispute($id: ID!, $reason: String!) {
  disputeEngagement(engagementId: $id, reason: $reason) {
    engagement { id confirmed disputed disputeReason }
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


def record(api: GraphQLClient, key: str, partner_key: str | None = None, **values: Any) -> str:
    """Record an engagement with `key`; with `partner_key`, its partner then confirms it
    (a vendor's record counts only then; an admin's counts at once)."""
    payload = api.data(RECORD, {"input": values}, key=key)["recordEngagement"]
    assert payload["errors"] == [], payload["errors"]
    engagement_id: str = payload["engagement"]["id"]
    if partner_key is not None:
        confirm(api, partner_key, engagement_id)
    return engagement_id


def confirm(api: GraphQLClient, key: str, engagement_id: str) -> None:
    payload = api.data(CONFIRM, {"id": engagement_id}, key=key)["confirmEngagement"]
    assert payload["errors"] == [], payload["errors"]
    assert payload["engagement"]["confirmed"] is True


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
    api: GraphQLClient,
    key: str,
    partner: str,
    scores: list[int],
    *,
    partner_key: str | None,
    **answers: Any,
) -> None:
    """One completed engagement per call (recorded with `key`, confirmed with the partner's
    key; None when `key` is an admin's), one invitation and answer per score."""
    domain = f"customer-{len(scores)}-{scores[0]}-{id(scores)}.example"
    values = engagement_input(partner, customerDomain=domain)
    engagement_id = record(api, key, partner_key, **values)
    for number, score in enumerate(scores):
        token = invite(api, key, engagement_id, f"person{number}@{domain}")
        assert submit(api, token, likelihoodToRecommend=score, **answers)["accepted"] is True
