"""PostgreSQL restarted under concurrent traffic: every answer is a 200 or a 503 with
Retry-After (never a 500, never a hang), the API serves again without a restart of its own,
and every write that was answered as done is in the database afterwards.

Runs on a throwaway cluster (tests/pg_cluster.py, the `stoppable_server` fixture), never
the machine's server. tests/test_hardening_two.py has the single-client outage test.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import func, select

from api.db import create_db_engine, session_factory
from api.models import AuditEntry, Partner, SurveyResponse
from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement
from api.services.surveys import create_invitation
from tests.pg_cluster import Cluster
from tests.server import GraphQLClient

CLIENTS = 8
READ = '{ partner(slug: "alpha-health") { slug version metrics { nps { value } } } }'
VERSION = '{ partner(slug: "alpha-health") { version } }'
UPDATE = """mutation($version: Int!, $summary: String!) {
  updatePartnerProfile(slug: "alpha-health", expectedVersion: $version,
                       input: {summary: $summary}) {
    partner { version } errors { code } } }"""
SUBMIT = """mutation($token: String!) {
  submitSurveyResponse(token: $token, input: {likelihoodToRecommend: 9}) {
    accepted errors { code } } }"""


@dataclass
class Traffic:
    tokens: list[tuple[str, int]]  # (token, invitation id), each used once
    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[int] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # 500s, hangs, 503s without Retry-After
    ok_after_restart: int = 0
    restarted_at: float = float("inf")
    submitted: list[int] = field(default_factory=list)  # acknowledged invitation ids
    versions: list[int] = field(default_factory=list)  # versions of acknowledged edits

    def answer(self, response: httpx.Response) -> dict[str, Any] | None:
        """The data of a 200; None for a 503 (checked); a problem for anything else."""
        with self.lock:
            self.statuses[response.status_code] += 1
            if response.status_code == 503:
                if response.headers.get("retry-after") != "5":
                    self.problems.append(f"503 without Retry-After: {response.headers}")
                return None
            if response.status_code != 200 or "errors" in response.json():
                self.problems.append(f"{response.status_code}: {response.text[:300]}")
                return None
            if time.monotonic() > self.restarted_at:
                self.ok_after_restart += 1
        data: dict[str, Any] = response.json()["data"]
        return data


def client(api: GraphQLClient, key: str, traffic: Traffic, stop: threading.Event, n: int) -> None:
    chooser = random.Random(n)
    with httpx.Client(base_url=api.base_url, timeout=20) as http:

        def post(query: str, variables: dict[str, Any], auth: str | None = None) -> Any:
            headers = {"Authorization": f"Bearer {auth}"} if auth else {}
            try:
                response = http.post(
                    "/graphql", json={"query": query, "variables": variables}, headers=headers
                )
            except httpx.TransportError as error:  # a timeout here is a hang
                with traffic.lock:
                    traffic.problems.append(f"{type(error).__name__}: {error}")
                return None
            return traffic.answer(response)

        for number in itertools.count():
            if stop.is_set():
                return
            kind = chooser.choice(["read", "read", "submit", "update"])
            if kind == "read":
                post(READ, {})
            elif kind == "submit":
                with traffic.lock:
                    token, invitation = traffic.tokens.pop() if traffic.tokens else ("", 0)
                if not token:
                    continue
                data = post(SUBMIT, {"token": token})
                if data and data["submitSurveyResponse"]["accepted"]:
                    with traffic.lock:
                        traffic.submitted.append(invitation)
            else:
                read = post(VERSION, {}, key)
                if read is None:
                    continue
                variables = {"version": read["partner"]["version"], "summary": f"{n}-{number}"}
                data = post(UPDATE, variables, key)
                if data and data["updatePartnerProfile"]["errors"] == []:
                    with traffic.lock:
                        traffic.versions.append(data["updatePartnerProfile"]["partner"]["version"])


def until(condition: Callable[[], object], what: str, seconds: float = 60) -> None:
    """Wait for what the clients see, not for a guessed time: as long as it takes, no more."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:g}s: {what}"
        time.sleep(0.02)


def invitations(cluster: Cluster, count: int) -> list[tuple[str, int]]:
    admin = Caller(role="admin", source="test")
    engine = create_db_engine(cluster.url)
    try:
        with session_factory(engine)() as session, session.begin():
            draft = EngagementDraft(
                partner_slug="alpha-health",
                vendor_slug="acme",
                customer_name="Mercy Hospital",
                customer_domain="mercy.example",
                industry="healthcare",
                status="completed",
                products=("acme-crm",),
            )
            engagement = record_engagement(session=session, caller=admin, draft=draft)
            made = [
                create_invitation(
                    session=session,
                    caller=admin,
                    engagement_id=engagement.id,
                    email=f"person{n}@mercy.example",
                )
                for n in range(count)
            ]
            session.flush()
            return [(token, invitation.id) for invitation, token in made]
    finally:
        engine.dispose()


def test_a_restart_under_concurrent_traffic_is_503_then_service_and_loses_nothing(
    stoppable_server: tuple[Cluster, GraphQLClient, str],
) -> None:
    cluster, api, key = stoppable_server
    traffic = Traffic(tokens=invitations(cluster, 2000))
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(api, key, traffic, stop, n)) for n in range(CLIENTS)
    ]

    # given: eight clients reading, answering surveys and editing a profile
    for thread in threads:
        thread.start()
    try:
        until(lambda: traffic.submitted and traffic.versions, "a submit and an edit done")
        # when: PostgreSQL stops under them, is seen down, and starts again
        cluster.stop()
        until(lambda: traffic.statuses[503] >= CLIENTS, "503s while PostgreSQL is down")
        down = traffic.statuses[503]
        cluster.start()
        traffic.restarted_at = time.monotonic()
        until(lambda: traffic.ok_after_restart >= CLIENTS, "answers again after the restart")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    # then: 200s and 503s with Retry-After only, service again after the restart
    assert traffic.problems == []
    assert set(traffic.statuses) == {200, 503}, traffic.statuses
    assert down > 0
    assert traffic.ok_after_restart > 0
    # and every write answered as done is in the database
    engine = create_db_engine(cluster.url)
    try:
        with session_factory(engine)() as session:
            found = set(
                session.scalars(
                    select(SurveyResponse.invitation_id).where(
                        SurveyResponse.invitation_id.in_(traffic.submitted)
                    )
                )
            )
            edits = session.scalars(
                select(AuditEntry.details).where(AuditEntry.entity_id == "alpha-health")
            ).all()
            version = session.scalar(select(Partner.version).where(Partner.slug == "alpha-health"))
            responses = session.scalar(select(func.count()).select_from(SurveyResponse))
    finally:
        engine.dispose()
    assert traffic.submitted
    assert traffic.versions
    assert found == set(traffic.submitted)
    assert set(traffic.versions) <= {edit.get("version") for edit in edits}
    assert version is not None
    assert version >= 1 + len(traffic.versions)
    assert responses is not None
    assert responses >= len(traffic.submitted)
