"""Driving pulse checks through GraphQL, as a vendor, its partner and a customer would."""

from __future__ import annotations

from typing import Any

from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, record

SEND = """
mutation Send($id: ID!, $email: String!) {
  createPulseCheck(engagementId: $id, email: $email) {
    token invitationId errors { field message code }
  }
}
"""
ANSWER = """
mutation Answer($token: String!, $input: PulseInput!) {
  submitPulse(token: $token, input: $input) { accepted errors { field message code } }
}
"""
ENGAGEMENT = """
query One($id: ID!) {
  engagement(id: $id) {
    id status pulse { latestConfidence answers atRisk risks } notes { note author }
  }
}
"""
AT_RISK = """
query AtRisk($first: Int, $after: String) {
  engagementsAtRisk(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id pulse { latestConfidence atRisk risks } notes { note } } }
  }
}
"""
NOTE = """
mutation Note($id: ID!, $note: String!) {
  addEngagementNote(engagementId: $id, note: $note) {
    note { note author } errors { field message code }
  }
}
"""


def in_progress(api: GraphQLClient, keys: dict[str, str], domain: str = "mercy.example") -> str:
    """An engagement of alpha-health for acme, in progress, confirmed by both sides."""
    values = engagement_input("alpha-health", status="in_progress", customerDomain=domain)
    return record(api, keys["acme"], keys["alpha"], **values)


def send(api: GraphQLClient, key: str, engagement_id: str, email: str) -> str:
    payload = api.data(SEND, {"id": engagement_id, "email": email}, key=key)["createPulseCheck"]
    assert payload["errors"] == [], payload["errors"]
    token: str = payload["token"]
    return token


def answer(api: GraphQLClient, token: str, confidence: int, **more: Any) -> dict[str, Any]:
    variables = {"token": token, "input": {"confidence": confidence, **more}}
    payload: dict[str, Any] = api.data(ANSWER, variables)["submitPulse"]
    return payload


def pulse(
    api: GraphQLClient, keys: dict[str, str], engagement_id: str, confidence: int, **more: Any
) -> None:
    """acme sends a pulse check and the customer answers it."""
    token = send(api, keys["acme"], engagement_id, "pm@mercy.example")
    assert answer(api, token, confidence, **more) == {"accepted": True, "errors": []}
