"""Loading an independent world into a running Vouch through its GraphQL API alone, as
vendors, partners and respondents would: an admin onboards each partner, the vendor
records each engagement, the partner confirms it, the vendor invites the customer's
contacts, and those who answer submit the survey.

Two things no API or command creates are written straight into the database: the
reference rows (industries, vendors, products: only `vouch demo-data` makes them, and it
would add its own partners and answers) and the API keys (made by the function
`vouch apikey create` calls, in one transaction instead of 450 processes).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import URL

from api.db import create_db_engine, session_factory, unit_of_work
from api.models import Industry, Product, Vendor
from api.services import changes
from api.services.apikeys import create_key
from bench.independent_world import (
    INDUSTRIES,
    VENDORS,
    Answer,
    Engagement,
    World,
    employee_band,
)

# A document may hold at most 30 aliased fields (api/schema/document_shape.py).
BATCH = 25
CAPABILITIES = ("implementation", "integration", "data_migration", "analytics", "training")


class LoadError(RuntimeError):
    """The API refused something the world holds: the load is not the world."""


@dataclass
class Keys:
    admin: str
    vendors: dict[str, str]
    partners: dict[str, str] = field(default_factory=dict)


@dataclass
class Loaded:
    partners: int = 0
    engagements: int = 0
    confirmed: int = 0
    invitations: int = 0
    answers: int = 0
    seconds: float = 0.0


@dataclass
class Api:
    base_url: str
    http: httpx.Client

    def data(self, query: str, variables: dict[str, Any], key: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = self.http.post(
            f"{self.base_url}/graphql",
            json={"query": query, "variables": variables},
            headers=headers,
        )
        body: dict[str, Any] = response.json()
        if "errors" in body:
            raise LoadError(f"{body['errors'][:2]}")
        data: dict[str, Any] = body["data"]
        return data

    def batch(
        self,
        field_name: str,
        arguments: dict[str, str],
        selection: str,
        rows: list[dict[str, Any]],
        key: str | None,
    ) -> list[dict[str, Any]]:
        """One mutation field per row, BATCH aliased fields to a request; each payload
        must carry no errors."""
        results: list[dict[str, Any]] = []
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            declared, fields, variables = [], [], {}
            for number, row in enumerate(chunk):
                passed = []
                for name, kind in arguments.items():
                    declared.append(f"$a{number}_{name}: {kind}")
                    passed.append(f"{name}: $a{number}_{name}")
                    variables[f"a{number}_{name}"] = row[name]
                fields.append(f"m{number}: {field_name}({', '.join(passed)}) {selection}")
            document = f"mutation B({', '.join(declared)}) {{ {' '.join(fields)} }}"
            data = self.data(document, variables, key)
            for number in range(len(chunk)):
                payload = data[f"m{number}"]
                if payload.get("errors"):
                    raise LoadError(f"{field_name}: {payload['errors']}")
                results.append(payload)
        return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def served(url: URL, data_dir: Path) -> Iterator[Api]:
    """`vouch serve` on a loopback port, as its own process, without a rate limit."""
    env = os.environ | {
        "VOUCH_DATABASE_URL": url.render_as_string(hide_password=False),
        "VOUCH_DATA_DIR": str(data_dir),
        "VOUCH_RATE_LIMIT": "off",
        "VOUCH_REQUEST_TIMEOUT": "120",
        "VOUCH_ENV": "development",
    }
    vouch = Path(sys.executable).parent / "vouch"
    port = free_port()
    log = data_dir / "serve.log"  # a file, not a pipe: a full pipe would stop the server
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(vouch), "serve", "--port", str(port)], env=env, stdout=output, stderr=output
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=180) as http:
            _wait_until_up(http, base_url, process, log)
            yield Api(base_url, http)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(
    http: httpx.Client, base_url: str, process: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if http.get(f"{base_url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise LoadError(f"vouch serve did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def add_reference_data(url: URL) -> None:
    engine = create_db_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Industry(slug=slug, name=name) for slug, name in INDUSTRIES.items())
        for slug, (name, products) in VENDORS.items():
            vendor = Vendor(slug=slug, name=name, website=f"https://{slug}.example")
            session.add(vendor)
            for product in products:
                title = product.split("-", 1)[1].upper() if "-" in product else product
                session.add(Product(slug=product, name=f"{name} {title}", vendor=vendor))
        changes.record(session, partner_id=None, reason="everything")
    engine.dispose()


def make_keys(url: URL, partners: list[str]) -> Keys:
    engine = create_db_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        admin = create_key(session=session, role="admin", label="eval")[1]
        keys = Keys(
            admin,
            {v: create_key(session=session, role="vendor", vendor_slug=v)[1] for v in VENDORS},
        )
        for slug in partners:
            keys.partners[slug] = create_key(session=session, role="partner", partner_slug=slug)[1]
    engine.dispose()
    return keys


CREATE = (
    "createPartner",
    {"input": "NewPartnerInput!"},
    "{ partner { slug version } errors { code message } }",
)
PROFILE = (
    "updatePartnerProfile",
    {"slug": "String!", "expectedVersion": "Int!", "input": "PartnerProfileInput!"},
    "{ partner { slug version } errors { code message } }",
)
CLAIMS = (
    "setPartnerClaims",
    {
        "slug": "String!",
        "expectedVersion": "Int!",
        "industries": "[String!]",
        "products": "[String!]",
    },
    "{ partner { slug version } errors { code message } }",
)
OFFICE = (
    "addOffice",
    {"slug": "String!", "expectedVersion": "Int!", "input": "OfficeInput!"},
    "{ partner { slug version } errors { code message } }",
)
RECORD = (
    "recordEngagement",
    {"input": "EngagementInput!"},
    "{ engagement { id } errors { code message } }",
)
CONFIRM = (
    "confirmEngagement",
    {"engagementId": "ID!"},
    "{ engagement { id confirmed } errors { code message } }",
)
INVITE = (
    "createSurveyInvitation",
    {"engagementId": "ID!", "email": "String!"},
    "{ token errors { code message } }",
)
SUBMIT = (
    "submitSurveyResponse",
    {"token": "String!", "input": "SurveyResponseInput!"},
    "{ accepted errors { code message } }",
)


def onboard(api: Api, world: World, admin: str) -> dict[str, int]:
    """Every partner: created, its profile, its claims and its offices. Returns versions."""
    rng = random.Random(world.seed * 7919)
    created = api.batch(
        *CREATE,
        [
            {
                "input": {
                    "slug": p.slug,
                    "name": p.name,
                    "summary": f"{p.name}, implementation partner",
                }
            }
            for p in world.partners
        ],
        admin,
    )
    versions = {row["partner"]["slug"]: row["partner"]["version"] for row in created}
    profiles = []
    for partner in world.partners:
        hq = partner.offices[0]
        rate = rng.randrange(80, 220, 10)
        profiles.append(
            {
                "slug": partner.slug,
                "expectedVersion": versions[partner.slug],
                "input": {
                    "headquartersCity": hq.city,
                    "headquartersCountry": hq.country,
                    "employeeBand": employee_band(partner.employees),
                    "foundedYear": rng.randint(1990, 2022),
                    "partnerTypes": ["implementation"],
                    "languages": ["en"],
                    "capabilities": sorted(rng.sample(CAPABILITIES, rng.randint(2, 4))),
                    "hourlyRateMin": rate,
                    "hourlyRateMax": rate + rng.randrange(20, 120, 10),
                    "minProjectBudget": 10_000 * max(1, round(partner.employees**0.4)),
                },
            }
        )
    _advance(versions, api.batch(*PROFILE, profiles, admin))
    claims = [
        {
            "slug": p.slug,
            "expectedVersion": versions[p.slug],
            "industries": p.claimed_industries,
            "products": p.claimed_products,
        }
        for p in world.partners
    ]
    _advance(versions, api.batch(*CLAIMS, claims, admin))
    most = max(len(p.offices) for p in world.partners)
    for index in range(most):
        rows = [
            {
                "slug": p.slug,
                "expectedVersion": versions[p.slug],
                "input": {
                    "city": o.city,
                    "country": o.country,
                    "latitude": o.latitude,
                    "longitude": o.longitude,
                    "isHeadquarters": index == 0,
                },
            }
            for p in world.partners
            if len(p.offices) > index
            for o in [p.offices[index]]
        ]
        _advance(versions, api.batch(*OFFICE, rows, admin))
    return versions


def _advance(versions: dict[str, int], payloads: list[dict[str, Any]]) -> None:
    for payload in payloads:
        versions[payload["partner"]["slug"]] = payload["partner"]["version"]


def load_world(api: Api, world: World, keys: Keys) -> Loaded:
    """The survey chain, in the order of time: record, confirm, invite, answer."""
    started = time.monotonic()
    loaded = Loaded(partners=len(world.partners))
    engagements = sorted(world.engagements, key=lambda e: (e.started_on, e.customer))
    ids = _record(api, engagements, keys)
    loaded.engagements = len(ids)
    by_partner: dict[str, list[str]] = defaultdict(list)
    for engagement, engagement_id in zip(engagements, ids, strict=True):
        by_partner[engagement.partner].append(engagement_id)
    for slug, own in by_partner.items():
        payloads = api.batch(*CONFIRM, [{"engagementId": i} for i in own], keys.partners[slug])
        loaded.confirmed += sum(p["engagement"]["confirmed"] for p in payloads)
    answers = _invite(api, engagements, ids, keys)
    loaded.invitations = len(answers)
    submits = [{"token": token, "input": answer} for token, answer in answers if answer]
    random.Random(world.seed).shuffle(submits)  # answers arrive interleaved, not by partner
    loaded.answers = sum(p["accepted"] for p in api.batch(*SUBMIT, submits, None))
    loaded.seconds = time.monotonic() - started
    return loaded


def _record(api: Api, engagements: list[Engagement], keys: Keys) -> list[str]:
    """Each vendor records its engagements; their ids, in the same order."""
    ids = [""] * len(engagements)
    for vendor, key in keys.vendors.items():
        indexes = [i for i, e in enumerate(engagements) if e.vendor == vendor]
        rows = [{"input": _engagement_input(engagements[i])} for i in indexes]
        for i, payload in zip(indexes, api.batch(*RECORD, rows, key), strict=True):
            ids[i] = payload["engagement"]["id"]
    return ids


def _invite(
    api: Api, engagements: list[Engagement], ids: list[str], keys: Keys
) -> list[tuple[str, dict[str, Any] | None]]:
    """The vendor invites every contact of a completed engagement: each token, with the
    answer its contact will give (None: no answer)."""
    invited: list[tuple[str, dict[str, Any] | None]] = []
    for vendor, key in keys.vendors.items():
        rows, wanted = [], []
        for engagement, engagement_id in zip(engagements, ids, strict=True):
            if engagement.vendor != vendor:
                continue
            for contact in range(engagement.contacts):
                email = f"contact{contact}@{engagement.customer}"
                rows.append({"engagementId": engagement_id, "email": email})
                given = engagement.answers[contact] if contact < len(engagement.answers) else None
                wanted.append(_survey_input(given) if given else None)
        payloads = api.batch(*INVITE, rows, key)
        invited.extend(zip([p["token"] for p in payloads], wanted, strict=True))
    return invited


def _survey_input(answer: Answer) -> dict[str, Any]:
    return {
        "likelihoodToRecommend": answer.score,
        "ratingOverall": answer.rating,
        "wentLive": True,
        "goalsMet": answer.goals_met,
        "onTime": answer.on_time,
        "wouldHireAgain": answer.score >= 8,
    }


def _engagement_input(engagement: Engagement) -> dict[str, Any]:
    return {
        "partnerSlug": engagement.partner,
        "customerName": engagement.customer_name,
        "customerDomain": engagement.customer,
        "industry": engagement.industry,
        "status": engagement.status,
        "vendorSlug": engagement.vendor,
        "products": [engagement.product],
        "budget": engagement.budget,
        "startedOn": engagement.started_on.isoformat(),
        "endedOn": engagement.ended_on.isoformat() if engagement.ended_on else None,
        "customerCountry": engagement.country,
        "selectionReason": "peer_referral",
    }
