"""The load bench's clients and its accounting: mixed GraphQL traffic from many concurrent
clients, every acknowledged write remembered, then looked up in the database.

Used by bench/bench_load.py (50 clients for 60 s against `vouch serve --workers 4`) and by
tests/test_load_accounting.py (a few clients for a few seconds against an in-test server).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, select

from api.db import session_factory
from api.models import (
    Industry,
    Partner,
    Product,
    SurveyResponse,
    Vendor,
)
from api.services.apikeys import create_key
from api.services.figures_consistency import figures_consistency

LIST = (
    "{ partners(first: 20) { totalCount edges { node { slug name metrics { nps { value } } } } } }"
)
PARTNER = """query P($slug: String!) { partner(slug: $slug) {
  slug name version summary metrics { nps { value low high } } offices { city country } } }"""
SEARCH = """query S($q: String!) { search(query: $q, first: 10) {
  totalCount edges { node { slug name } } } }"""
MATCH = """query M($need: ProjectNeed!) { bestFitPartners(need: $need, first: 10) {
  score partner { slug } } }"""
VERSION = "query V($slug: String!) { partner(slug: $slug) { version } }"
UPDATE = """mutation U($slug: String!, $version: Int!, $input: PartnerProfileInput!) {
  updatePartnerProfile(slug: $slug, expectedVersion: $version, input: $input) {
    partner { version summary } errors { code } } }"""
RECORD = """mutation R($input: EngagementInput!) { recordEngagement(input: $input) {
  engagement { id } errors { field message code } } }"""
CONFIRM = """mutation C($id: ID!) { confirmEngagement(engagementId: $id) {
  engagement { confirmed } errors { field message code } } }"""
INVITE = """mutation I($id: ID!, $email: String!) {
  createSurveyInvitation(engagementId: $id, email: $email) {
    token invitationId errors { code } } }"""
SUBMIT = """mutation S($token: String!, $input: SurveyResponseInput!) {
  submitSurveyResponse(token: $token, input: $input) { accepted errors { code } } }"""

SEARCH_WORDS = ["health", "cloud", "retail", "consulting", "data", "energy", "crm", "migration"]
# How often each operation is picked; submits become reads once every token is used.
MIX = {"list": 25, "partner": 20, "search": 15, "match": 10, "update": 15, "submit": 15}
CONFLICT_RETRIES = 20


@dataclass(frozen=True)
class World:
    """What the clients need: slugs to read, keys to write with, tokens to answer."""

    partner_slugs: list[str]
    partner_keys: dict[str, str]  # slug -> a partner key for it
    vendor_key: str
    need: dict[str, Any]
    tokens: list[tuple[str, int]]  # (token, invitation id), each answered once


@dataclass
class Results:
    seconds: float = 0.0
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # 5xx, GraphQL errors, refused writes
    submitted: set[int] = field(default_factory=set)  # acknowledged invitation ids
    updates: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    conflicts: int = 0
    timeouts: dict[str, int] = field(default_factory=Counter)  # TIMEOUT answers, by operation

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


def make_keys(
    engine: Engine, partners: int
) -> tuple[list[str], dict[str, str], str, dict[str, Any]]:
    """Partner keys for the first `partners` partners, a vendor key, and a need to match."""
    with session_factory(engine)() as session, session.begin():
        slugs = list(session.scalars(select(Partner.slug).order_by(Partner.id)))
        keys = {
            slug: create_key(session=session, role="partner", partner_slug=slug, actor="bench")[1]
            for slug in slugs[:partners]
        }
        vendor = session.scalars(select(Vendor).order_by(Vendor.id)).first()
        assert vendor is not None, "no vendor: load the demo data first"
        vendor_key = create_key(
            session=session, role="vendor", vendor_slug=vendor.slug, actor="bench"
        )[1]
        products = list(
            session.scalars(select(Product.slug).where(Product.vendor_id == vendor.id).limit(2))
        )
        industry = session.scalars(select(Industry.slug).order_by(Industry.id)).first()
    need = {"industry": industry, "products": products, "country": "US"}
    return slugs, keys, vendor_key, need


def confirming_keys(engine: Engine, slugs: list[str]) -> dict[str, str]:
    """A partner key for each of these partners, to confirm the engagements made for it."""
    with session_factory(engine)() as session, session.begin():
        return {
            slug: create_key(session=session, role="partner", partner_slug=slug, actor="bench")[1]
            for slug in slugs
        }


async def make_tokens(
    base_url: str,
    vendor_key: str,
    need: dict[str, Any],
    confirmers: dict[str, str],
    *,
    engagements: int,
    per_engagement: int,
) -> list[tuple[str, int]]:
    """Survey invitations made as a vendor and its partners would: the vendor records an
    engagement, its partner confirms it (`confirmers`: slug -> a partner key; the
    engagements go round these partners), then the vendor invites the customer's people."""
    partners = list(confirmers)
    tokens: list[tuple[str, int]] = []
    gate = asyncio.Semaphore(8)

    async def one(number: int) -> None:
        domain = f"load-{number}.example"
        engagement = {
            "partnerSlug": partners[number % len(partners)],
            "customerName": f"Load customer {number}",
            "customerDomain": domain,
            "industry": need["industry"],
            "products": need["products"][:1],
            "status": "completed",
            "selectionReason": "peer_referral",
        }
        async with gate:
            body = await _data(http, base_url, RECORD, {"input": engagement}, vendor_key)
            recorded = body["recordEngagement"]
            assert recorded["errors"] == [], recorded["errors"]
            partner_key = confirmers[engagement["partnerSlug"]]
            variables = {"id": recorded["engagement"]["id"]}
            confirmed = (await _data(http, base_url, CONFIRM, variables, partner_key))[
                "confirmEngagement"
            ]
            assert confirmed["errors"] == [], confirmed["errors"]
            for person in range(per_engagement):
                variables = {"id": recorded["engagement"]["id"], "email": f"p{person}@{domain}"}
                invited = (await _data(http, base_url, INVITE, variables, vendor_key))[
                    "createSurveyInvitation"
                ]
                assert invited["errors"] == [], invited["errors"]
                tokens.append((invited["token"], int(invited["invitationId"])))

    async with httpx.AsyncClient(timeout=60) as http:
        await asyncio.gather(*(one(number) for number in range(engagements)))
    return tokens


async def _data(
    http: httpx.AsyncClient, base_url: str, query: str, variables: dict[str, Any], key: str
) -> dict[str, Any]:
    response = await http.post(
        f"{base_url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


class Client:
    """One client: picks an operation, sends it, times it, remembers acknowledged writes."""

    def __init__(
        self,
        number: int,
        http: httpx.AsyncClient,
        base_url: str,
        world: World,
        results: Results,
        mix: dict[str, int],
    ) -> None:
        self.number = number
        self.mix = mix
        self.http = http
        self.url = f"{base_url}/graphql"
        self.world = world
        self.results = results
        self.random = random.Random(number)
        self.sent = 0
        self.operation = ""

    async def run(self, until: float) -> None:
        operations, weights = list(self.mix), list(self.mix.values())
        while time.monotonic() < until:
            operation = self.random.choices(operations, weights)[0]
            if operation == "submit" and not self.world.tokens:
                operation = "partner"  # every invitation answered: a read instead
            started = time.perf_counter()
            self.operation = operation
            done = await getattr(self, operation)()
            if done:
                self.results.samples[operation].append(time.perf_counter() - started)

    async def post(self, query: str, variables: dict[str, Any], key: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            response = await self.http.post(
                self.url, json={"query": query, "variables": variables}, headers=headers
            )
        except httpx.TransportError as error:
            self.results.failures.append(f"{type(error).__name__}: {error}")
            return None
        self.results.statuses[response.status_code] += 1
        if response.status_code != 200:
            self.results.failures.append(f"HTTP {response.status_code}: {response.text[:200]}")
            return None
        body = response.json()
        codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
        if codes == ["TIMEOUT"]:  # past the request's time budget: nothing kept, may retry
            self.results.timeouts[self.operation] += 1
            return None
        if codes:
            self.results.failures.append(f"errors: {body['errors']}")
            return None
        return body["data"]

    async def list(self) -> bool:
        return await self.post(LIST, {}) is not None

    async def partner(self) -> bool:
        slug = self.random.choice(self.world.partner_slugs)
        return await self.post(PARTNER, {"slug": slug}) is not None

    async def search(self) -> bool:
        return await self.post(SEARCH, {"q": self.random.choice(SEARCH_WORDS)}) is not None

    async def match(self) -> bool:
        return await self.post(MATCH, {"need": self.world.need}, self.world.vendor_key) is not None

    async def update(self) -> bool:
        """Read the version, send the edit; on a conflict (another client won) read again."""
        slug = self.random.choice(list(self.world.partner_keys))
        key = self.world.partner_keys[slug]
        self.sent += 1
        summary = f"Load client {self.number}, edit {self.sent}"
        for _attempt in range(CONFLICT_RETRIES):
            read = await self.post(VERSION, {"slug": slug}, key)
            if read is None:
                return False
            variables = {
                "slug": slug,
                "version": read["partner"]["version"],
                "input": {"summary": summary},
            }
            data = await self.post(UPDATE, variables, key)
            if data is None:
                return False
            payload = data["updatePartnerProfile"]
            codes = [error["code"] for error in payload["errors"]]
            if codes == ["VERSION_CONFLICT"]:
                self.results.conflicts += 1
                continue
            if codes:
                self.results.failures.append(f"update refused: {codes}")
                return False
            self.results.updates[slug].append((payload["partner"]["version"], summary))
            return True
        self.results.failures.append(f"update of {slug} lost {CONFLICT_RETRIES} races")
        return False

    async def submit(self) -> bool:
        token, invitation = self.world.tokens.pop()
        answers = {"likelihoodToRecommend": self.random.randint(0, 10), "ratingOverall": 4}
        data = await self.post(SUBMIT, {"token": token, "input": answers})
        if data is None:
            return False
        payload = data["submitSurveyResponse"]
        if payload["accepted"] is not True:
            self.results.failures.append(f"submit refused: {payload['errors']}")
            return False
        self.results.submitted.add(invitation)
        return True


async def run_clients(
    base_url: str,
    world: World,
    *,
    clients: int,
    seconds: float,
    mix: dict[str, int] | None = None,
) -> Results:
    results = Results()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        started = time.monotonic()
        until = started + seconds
        everyone = [Client(n, http, base_url, world, results, mix or MIX) for n in range(clients)]
        await asyncio.gather(*(client.run(until) for client in everyone))
        results.seconds = time.monotonic() - started
    return results


# --- afterwards: the database holds what was acknowledged, the figures equal a rebuild --------


def missing_writes(engine: Engine, results: Results, initial_versions: dict[str, int]) -> list[str]:
    """Every acknowledged submit has its response row; every partner's version moved by
    exactly its acknowledged edits and its summary is the last of them."""
    problems = []
    with session_factory(engine)() as session:
        found = set(
            session.scalars(
                select(SurveyResponse.invitation_id).where(
                    SurveyResponse.invitation_id.in_(results.submitted)
                )
            )
        )
        if lost := results.submitted - found:
            problems.append(
                f"{len(lost)} acknowledged submits have no response: {sorted(lost)[:5]}"
            )
        for slug, edits in results.updates.items():
            partner = session.scalars(select(Partner).where(Partner.slug == slug)).one()
            expected = initial_versions[slug] + len(edits)
            last = max(edits)[1]
            if (partner.version, partner.summary) != (expected, last):
                problems.append(
                    f"{slug}: version {partner.version}, summary {partner.summary!r}; "
                    f"{len(edits)} acknowledged edits say {expected}, {last!r}"
                )
    return problems


def versions(engine: Engine, slugs: list[str]) -> dict[str, int]:
    with session_factory(engine)() as session:
        rows = session.execute(select(Partner.slug, Partner.version).where(Partner.slug.in_(slugs)))
        return {row.slug: row.version for row in rows}


def figures_differ_from_rebuild(engine: Engine) -> list[str]:
    """Stored tallies against a rebuild from the raw responses (nothing stored changes)."""
    with session_factory(engine)() as session:
        return figures_consistency(session=session)
