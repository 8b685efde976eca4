"""Webhooks: registered through GraphQL by vendors and partners, delivered signed by a
worker to a real receiver on loopback, retried until acknowledged, never sent twice once
acknowledged (across a restart), and never to the server's own networks by default."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api.db import session_factory
from api.models import AuditEntry, Webhook, WebhookDelivery
from api.models.base import utcnow
from api.services import engagements, surveys
from api.services.apikeys import Caller
from api.settings import Settings
from api.webhooks import events
from api.webhooks.delivery import MAX_ATTEMPTS, Worker, retry_delay
from api.webhooks.signing import server_key
from tests import cli_runner, pulse_flow
from tests.databases import Database
from tests.server import GraphQLClient, running_server
from tests.webhook_receiver import Received, receiving

ADD = """
mutation Add($url: String!, $events: [String!]!) {
  addWebhook(url: $url, events: $events) {
    webhook { id url events }
    secret
    errors { field message code }
  }
}
"""
LIST = "{ webhooks { id url events } }"
REMOVE = """
mutation Remove($id: ID!) {
  removeWebhook(webhookId: $id) { removed errors { field message code } }
}
"""
AT_RISK = "engagement.at_risk"
PUBLISHED = "figures.published"


@dataclass
class Hooks:
    """The API with VOUCH_WEBHOOK_ALLOW_PRIVATE=true (the receiver is on loopback)."""

    api: GraphQLClient
    settings: Settings
    db: Database

    def add(self, key: str, url: str, names: list[str]) -> dict[str, Any]:
        payload: dict[str, Any] = self.api.data(ADD, {"url": url, "events": names}, key=key)[
            "addWebhook"
        ]
        return payload

    def worker(self, **options: Any) -> Worker:
        return Worker(
            sessions=session_factory(self.db.engine),
            key=server_key(self.settings),
            allow_private=True,
            **options,
        )

    def deliveries(self) -> list[WebhookDelivery]:
        with self.db.session() as session:
            return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


@pytest.fixture(scope="module")
def private_server(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Settings]]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("hooks"),
        database_url=database.url,
        environment="test",
        webhook_allow_private=True,
    )
    with running_server(settings, database.engine) as url:
        yield url, settings


@pytest.fixture
def hooks(db: Database, private_server: tuple[str, Settings]) -> Iterator[Hooks]:
    url, settings = private_server
    with httpx.Client(timeout=30) as http:
        yield Hooks(GraphQLClient(base_url=url, http=http), settings, db)


def signed_by(secret: str, received: Received) -> bool:
    """The receiver's check, written out: sha256=<hex HMAC-SHA256 of the raw body>."""
    expected = "sha256=" + hmac.new(secret.encode(), received.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, received.headers["x-vouch-signature"])


def readme_verify() -> Callable[[str, bytes, str], bool]:
    """The `verify` function of the README's webhooks section, as a receiver pastes it."""
    readme = (cli_runner.ROOT / "README.md").read_text()
    section = readme[readme.index("## Webhooks") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n\nDeliveries")]
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 (the README's own example)
    verify: Callable[[str, bytes, str], bool] = namespace["verify"]
    return verify


def emit_at_risk(db: Database, *, vendor_id: int | None, partner_id: int | None) -> None:
    with db.session() as session, session.begin():
        events.emit(
            session,
            AT_RISK,
            vendor_id=vendor_id,
            partner_id=partner_id,
            payload={"engagement": {"id": "42"}},
        )


def ids(db: Database) -> tuple[int, int]:
    """acme's and alpha-health's ids."""
    with db.session() as session:
        vendor = session.execute(select(Webhook.vendor_id).where(Webhook.vendor_id.is_not(None)))
        partner = session.execute(select(Webhook.partner_id).where(Webhook.partner_id.is_not(None)))
        return vendor.scalars().first() or 0, partner.scalars().first() or 0


# -- registration --------------------------------------------------------------------


def test_a_vendor_registers_a_webhook_and_sees_its_secret_once(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    with receiving() as receiver:
        added = hooks.add(keys["acme"], receiver.url, [AT_RISK, PUBLISHED])

    assert added["errors"] == []
    assert added["webhook"]["url"] == receiver.url
    assert added["webhook"]["events"] == [AT_RISK, PUBLISHED]
    assert added["secret"].startswith("whsec_")
    assert len(added["secret"]) == 70
    listed = hooks.api.data(LIST, key=keys["acme"])["webhooks"]
    assert listed == [added["webhook"]]
    assert hooks.api.data(LIST, key=keys["globex"])["webhooks"] == []
    with hooks.db.session() as session:
        stored = session.scalars(select(Webhook)).one()
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "webhook.add"))
        assert audit.one().entity_id == str(stored.id)
    # The secret is derived, never stored: no column holds it.
    assert added["secret"] not in repr(vars(stored))


@pytest.mark.parametrize("role", ["no_key", "admin"])
def test_no_key_and_an_admin_key_cannot_register_one(
    hooks: Hooks, keys: dict[str, str], role: str
) -> None:
    key = None if role == "no_key" else keys["admin"]
    body = hooks.api.execute(ADD, {"url": "http://127.0.0.1:9/x", "events": [AT_RISK]}, key=key)
    codes = [error["extensions"]["code"] for error in body["errors"]]
    assert codes == ["FORBIDDEN"]
    assert body["data"] is None
    with hooks.db.session() as session:
        assert session.scalars(select(Webhook)).all() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.1/hook",
        "https://192.168.1.20/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:8000/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_a_url_to_loopback_or_a_private_network_is_refused_by_default(
    api: GraphQLClient, keys: dict[str, str], db: Database, url: str
) -> None:
    # the shared test server runs with the default settings: private addresses refused
    payload = api.data(ADD, {"url": url, "events": [AT_RISK]}, key=keys["alpha"])["addWebhook"]

    assert payload["webhook"] is None
    assert payload["secret"] is None
    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", "url")
    assert "public addresses only" in error["message"]
    unspecified = url == "http://0.0.0.0/hook"
    assert ("VOUCH_WEBHOOK_ALLOW_PRIVATE" in error["message"]) != unspecified
    with db.session() as session:
        assert session.scalars(select(Webhook)).all() == []


@pytest.mark.parametrize(
    ("url", "names", "field", "words"),
    [
        ("https://93.184.215.14/hook", ["engagement.won"], "events", "unknown"),
        ("https://93.184.215.14/hook", [], "events", "at least one"),
        ("ftp://93.184.215.14/hook", [AT_RISK], "url", "http"),
        ("https://user:pw@93.184.215.14/hook", [AT_RISK], "url", "password"),
        ("https://93.184.215.14/" + "a" * 500, [AT_RISK], "url", "limit"),
        ("https://no-such-host.invalid/hook", [AT_RISK], "url", "does not resolve"),
    ],
)
def test_bad_input_is_a_validation_error_naming_its_field(
    api: GraphQLClient,
    keys: dict[str, str],
    db: Database,
    url: str,
    names: list[str],
    field: str,
    words: str,
) -> None:
    payload = api.data(ADD, {"url": url, "events": names}, key=keys["acme"])["addWebhook"]

    [error] = payload["errors"]
    assert (error["code"], error["field"]) == ("VALIDATION", field)
    assert words in error["message"]
    with db.session() as session:
        assert session.scalars(select(Webhook)).all() == []


def test_a_public_address_is_accepted_without_the_setting(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    url = "https://93.184.215.14/hook"
    payload = api.data(ADD, {"url": url, "events": [AT_RISK]}, key=keys["acme"])["addWebhook"]
    assert payload["errors"] == []
    assert payload["webhook"]["url"] == url


def test_ten_webhooks_each_and_a_partner_removes_only_its_own(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    added = [hooks.add(keys["alpha"], f"http://127.0.0.1:9/{n}", [AT_RISK]) for n in range(10)]
    assert all(payload["errors"] == [] for payload in added)

    eleventh = hooks.add(keys["alpha"], "http://127.0.0.1:9/11", [AT_RISK])
    [error] = eleventh["errors"]
    assert (error["code"], "at most 10" in error["message"]) == ("VALIDATION", True)

    first = added[0]["webhook"]["id"]
    assert hooks.api.error_codes(REMOVE, {"id": first}, key=keys["bravo"]) == ["FORBIDDEN"]
    missing = hooks.api.data(REMOVE, {"id": "999999"}, key=keys["alpha"])["removeWebhook"]
    assert missing["removed"] is False
    assert [(e["code"], e["field"]) for e in missing["errors"]] == [("NOT_FOUND", "webhookId")]
    own = hooks.api.data(REMOVE, {"id": first}, key=keys["alpha"])["removeWebhook"]
    assert own == {"removed": True, "errors": []}
    assert len(hooks.api.data(LIST, key=keys["alpha"])["webhooks"]) == 9
    assert hooks.add(keys["alpha"], "http://127.0.0.1:9/11", [AT_RISK])["errors"] == []


# -- delivery ------------------------------------------------------------------------


def test_an_event_is_delivered_once_with_a_valid_signature(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    with receiving() as receiver:
        # given a vendor listening for engagement.at_risk, and one listening for another event
        secret = hooks.add(keys["acme"], receiver.url, [AT_RISK])["secret"]
        hooks.add(keys["globex"], receiver.url, [PUBLISHED])
        vendor_id, _ = ids(hooks.db)

        # when the event is emitted for acme and the worker runs
        emit_at_risk(hooks.db, vendor_id=vendor_id, partner_id=None)
        worker = hooks.worker()
        assert worker.run_once() == 1
        assert worker.run_once() == 0

    # then the receiver got one POST, signed with the secret shown at registration
    [got] = receiver.received
    assert got.path == "/hooks/vouch"
    assert signed_by(secret, got)
    assert not signed_by(secret + "x", got)
    body = json.loads(got.body)
    assert body["event"] == AT_RISK == got.headers["x-vouch-event"]
    assert body["id"] == got.headers["x-vouch-delivery"]
    assert body["data"] == {"engagement": {"id": "42"}}
    assert got.headers["content-type"] == "application/json"
    [row] = hooks.deliveries()
    assert (row.status, row.attempts, row.delivery_id) == ("delivered", 1, body["id"])
    # the README's receiver-side check agrees, and refuses a body changed by one byte
    verify = readme_verify()
    assert verify(secret, got.body, got.headers["x-vouch-signature"])
    assert not verify(secret, got.body.replace(b"42", b"43"), got.headers["x-vouch-signature"])


def test_an_emit_rolled_back_with_its_change_sends_nothing(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    hooks.add(keys["acme"], "http://127.0.0.1:9/x", [AT_RISK])
    vendor_id, _ = ids(hooks.db)

    with hooks.db.session() as session, session.begin():
        events.emit(session, AT_RISK, vendor_id=vendor_id, partner_id=None, payload={})
        session.flush()
        assert len(session.scalars(select(WebhookDelivery)).all()) == 1
        session.rollback()  # the change the event told of did not happen
    assert hooks.deliveries() == []
    with hooks.db.session() as session, pytest.raises(ValueError, match="unknown webhook event"):
        events.emit(session, "engagement.won", vendor_id=vendor_id, partner_id=None, payload={})


def test_a_publication_tells_the_partner_and_the_vendors_of_its_engagements(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    with receiving() as receiver:
        acme = hooks.add(keys["acme"], receiver.url + "/acme", [PUBLISHED])["secret"]
        alpha = hooks.add(keys["alpha"], receiver.url + "/alpha", [PUBLISHED, AT_RISK])["secret"]
        hooks.add(keys["globex"], receiver.url + "/globex", [PUBLISHED])  # no engagement
        hooks.add(keys["bravo"], receiver.url + "/bravo", [PUBLISHED])  # another partner

        # when alpha-health's fifth answer publishes its figures
        admin = Caller(role="admin", source="test")
        with hooks.db.session() as session, session.begin():
            draft = engagements.EngagementDraft(
                partner_slug="alpha-health",
                vendor_slug="acme",
                customer_name="Mercy",
                customer_domain="mercy.example",
                industry="healthcare",
                products=(),
                status="completed",
            )
            engagement = engagements.record_engagement(session=session, caller=admin, draft=draft)
            for number in range(5):
                if number == 4:
                    assert hooks.deliveries() == []  # four answers publish nothing
                _, token = surveys.create_invitation(
                    session=session,
                    caller=admin,
                    engagement_id=engagement.id,
                    email=f"n{number}@mercy.example",
                )
                answers = surveys.SurveyAnswers(likelihood_to_recommend=9)
                surveys.submit_response(session=session, token=token, answers=answers)
                session.flush()
        hooks.worker().run_once()

    # then the partner and its engagement's vendor each got one, signed with its own secret
    by_path = {got.path.rsplit("/", 1)[1]: got for got in receiver.received}
    assert sorted(by_path) == ["acme", "alpha"]
    assert signed_by(acme, by_path["acme"])
    assert not signed_by(alpha, by_path["acme"])
    assert signed_by(alpha, by_path["alpha"])
    data = json.loads(by_path["acme"].body)["data"]
    assert data == {
        "partner": {"id": data["partner"]["id"], "slug": "alpha-health"},
        "publishedOn": utcnow().date().isoformat(),
    }


def test_a_worried_pulse_reaches_the_vendor_and_the_partner_signed_once_each(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    """The chain of issue 22 through GraphQL: a pulse check sent, a worried answer, the
    engagement at risk, and each side's receiver told once, signed with its own secret."""
    with receiving() as receiver:
        # given acme's engagement of alpha-health in progress, and both sides listening
        vendor_secret = hooks.add(keys["acme"], receiver.url, [AT_RISK])["secret"]
        partner_secret = hooks.add(keys["alpha"], receiver.url, [AT_RISK])["secret"]
        hooks.add(keys["globex"], receiver.url, [AT_RISK])  # another vendor: never told
        engagement_id = pulse_flow.in_progress(hooks.api, keys)
        pulse_flow.pulse(hooks.api, keys, engagement_id, 8)  # calm: nothing to tell
        assert hooks.worker().run_once() == 0

        # when the customer answers 5 with a named risk, and the worker runs twice
        pulse_flow.pulse(hooks.api, keys, engagement_id, 5, risks=["budget"])
        assert hooks.worker().run_once() == 2
        assert hooks.worker().run_once() == 0

    # then each side got one POST naming the engagement, signed with its own secret
    assert len(receiver.received) == 2
    signed = sorted(
        (signed_by(vendor_secret, got), signed_by(partner_secret, got)) for got in receiver.received
    )
    assert signed == [(False, True), (True, False)]
    for got in receiver.received:
        body = json.loads(got.body)
        assert body["event"] == AT_RISK
        assert str(body["data"]["engagement_id"]) == engagement_id
        assert body["data"]["risks"] == ["budget"]
    assert len({json.loads(got.body)["id"] for got in receiver.received}) == 2


def test_a_failed_delivery_is_retried_with_back_off_until_acknowledged(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    with receiving(statuses=[500, 503]) as receiver:
        secret = hooks.add(keys["alpha"], receiver.url, [AT_RISK])["secret"]
        _, partner_id = ids(hooks.db)
        emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)
        start = utcnow()

        # the first attempt fails: the next one waits 5 s
        assert hooks.worker().run_once() == 1
        [row] = hooks.deliveries()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "answered HTTP 500")
        assert timedelta(seconds=5) <= row.next_attempt_at - start < timedelta(seconds=7)
        assert hooks.worker().run_once() == 0  # not due yet

        # the second, 6 s later, fails too: the next one waits 10 s
        later = start + timedelta(seconds=6)
        assert hooks.worker(clock=lambda: later).run_once() == 1
        [row] = hooks.deliveries()
        assert (row.attempts, row.last_error) == (2, "answered HTTP 503")
        assert row.next_attempt_at == later + timedelta(seconds=10)

        # the third is acknowledged
        assert hooks.worker(clock=lambda: later + timedelta(seconds=11)).run_once() == 1

    assert [row.status for row in hooks.deliveries()] == ["delivered"]
    first, second, third = receiver.received
    assert first.body == second.body == third.body
    assert {got.headers["x-vouch-delivery"] for got in receiver.received} == {
        json.loads(first.body)["id"]
    }
    assert all(signed_by(secret, got) for got in receiver.received)


def test_the_back_off_doubles_to_an_hour_and_gives_up_after_the_last_attempt(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    delays = [retry_delay(n).total_seconds() for n in range(1, MAX_ATTEMPTS)]
    assert delays[:4] == [5, 10, 20, 40]
    assert delays[9:11] == [2560, 3600]
    assert sum(delays) == 5 * (2**10 - 1) + 19 * 3600  # about 20 hours between 30 attempts
    with receiving(statuses=[500]) as receiver:
        hooks.add(keys["alpha"], receiver.url, [AT_RISK])
        _, partner_id = ids(hooks.db)
        emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)
        with hooks.db.session() as session, session.begin():
            session.execute(update(WebhookDelivery).values(attempts=MAX_ATTEMPTS - 1))
        assert hooks.worker().run_once() == 1
    [row] = hooks.deliveries()
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    later = utcnow() + timedelta(days=2)
    assert hooks.worker(clock=lambda: later).run_once() == 0


def test_a_slow_receiver_is_timed_out_and_tried_again(hooks: Hooks, keys: dict[str, str]) -> None:
    with receiving(pause=3.0) as receiver:
        hooks.add(keys["alpha"], receiver.url, [AT_RISK])
        _, partner_id = ids(hooks.db)
        emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)

        started = time.monotonic()
        assert hooks.worker(timeout=0.5).run_once() == 1
        took = time.monotonic() - started

    assert took < 2.5
    [row] = hooks.deliveries()
    assert (row.status, row.last_error) == ("pending", "timed out after 0.5s")


def test_an_address_that_turned_private_since_registration_is_not_posted_to(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    # given a webhook registered while its name resolved to a public address
    public = "https://93.184.215.14/hook"
    hooks.add(keys["alpha"], public, [AT_RISK])
    with hooks.db.session() as session, session.begin():
        session.execute(update(Webhook).values(url="https://hooks.example/hook"))
    _, partner_id = ids(hooks.db)
    emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)

    # when its name now resolves to the metadata service, with private addresses refused
    worker = Worker(
        sessions=session_factory(hooks.db.engine),
        key=server_key(hooks.settings),
        resolver=lambda host, port: ["169.254.169.254"],
    )
    assert worker.run_once() == 1

    [row] = hooks.deliveries()
    assert row.status == "pending"
    assert row.last_error is not None
    assert row.last_error.startswith("refused: ")
    assert "link-local" in row.last_error


# -- restarts ------------------------------------------------------------------------


def test_a_new_worker_sends_no_duplicate_of_an_acknowledged_delivery(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    with receiving() as receiver:
        hooks.add(keys["alpha"], receiver.url, [AT_RISK])
        _, partner_id = ids(hooks.db)
        for _ in range(3):
            emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)

        # a worker delivers the first, claims the second and dies before posting it
        first = hooks.worker(batch=1)
        assert first.run_once() == 1
        assert len(first._claim()) == 1
        lease = first.lease
        del first

        # a new worker, on the same database: the third now; the second once its lease ran out
        assert hooks.worker().run_once() == 1
        assert hooks.worker(clock=lambda: utcnow() + lease).run_once() == 1
        assert hooks.worker(clock=lambda: utcnow() + timedelta(days=1)).run_once() == 0

    sent = [got.headers["x-vouch-delivery"] for got in receiver.received]
    rows = hooks.deliveries()
    assert sorted(sent) == sorted(row.delivery_id for row in rows)
    assert len(set(sent)) == 3
    assert [row.status for row in rows] == ["delivered"] * 3


def test_workers_claiming_side_by_side_never_claim_the_same_delivery(
    hooks: Hooks, keys: dict[str, str]
) -> None:
    hooks.add(keys["alpha"], "http://127.0.0.1:9/x", [AT_RISK])
    _, partner_id = ids(hooks.db)
    with hooks.db.session() as session, session.begin():
        for number in range(40):
            payload: dict[str, object] = {"engagement": {"id": str(number)}}
            events.emit(session, AT_RISK, vendor_id=None, partner_id=partner_id, payload=payload)
    workers = [hooks.worker(batch=3) for _ in range(4)]
    start = threading.Barrier(len(workers))
    claimed: list[list[int]] = [[] for _ in workers]

    def claim(number: int) -> None:
        start.wait()
        while rows := workers[number]._claim():
            claimed[number].extend(row.id for row in rows)

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    every = sorted(number for ids_ in claimed for number in ids_)
    assert every == sorted(row.id for row in hooks.deliveries())  # each one, once
    assert all(row.attempts == 1 for row in hooks.deliveries())


def test_vouch_webhooks_deliver_killed_and_started_again_sends_each_acknowledged_one_once(
    hooks: Hooks, keys: dict[str, str], tmp_path: Path
) -> None:
    settings: dict[str, str | None] = {"VOUCH_WEBHOOK_ALLOW_PRIVATE": "true"}
    with receiving() as receiver:
        secret = hooks.add(keys["alpha"], receiver.url, [AT_RISK])["secret"]
        _, partner_id = ids(hooks.db)
        emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)
        data_dir = hooks.settings.data_dir  # its webhook.key signs as the API did

        # a running worker delivers the first, and is killed once it recorded it
        process = cli_runner.start(
            "webhooks", "deliver", "--idle", "0.1",
            url=hooks.db.url, data_dir=data_dir, settings=settings,
        )  # fmt: skip
        try:
            receiver.wait_for(1)
            deadline = time.monotonic() + 10
            while [row.status for row in hooks.deliveries()] != ["delivered"]:
                assert time.monotonic() < deadline, "the worker never recorded the delivery"
                time.sleep(0.05)
        finally:
            process.kill()
            process.wait(timeout=10)

        # another event while no worker runs; a new worker process sends it, and only it
        emit_at_risk(hooks.db, vendor_id=None, partner_id=partner_id)
        again = cli_runner.start(
            "webhooks", "deliver", "--once",
            url=hooks.db.url, data_dir=data_dir, settings=settings,
            stdout=subprocess.PIPE,
        )  # fmt: skip
        output, _ = again.communicate(timeout=60)

    assert again.returncode == 0
    assert output.strip() == "attempted 1 delivery"
    sent = [got.headers["x-vouch-delivery"] for got in receiver.received]
    assert len(sent) == len(set(sent)) == 2
    assert all(signed_by(secret, got) for got in receiver.received)
    assert [row.status for row in hooks.deliveries()] == ["delivered", "delivered"]


# -- vouch serve delivers ------------------------------------------------------------


def test_vouch_serve_delivers_webhooks_without_another_process(
    db: Database, keys: dict[str, str], tmp_path: Path
) -> None:
    settings: dict[str, str | None] = {"VOUCH_WEBHOOK_ALLOW_PRIVATE": "true"}
    with (
        receiving(statuses=[500]) as receiver,
        cli_runner.serving(url=db.url, data_dir=tmp_path, settings=settings) as address,
        httpx.Client(timeout=30) as http,
    ):
        api = GraphQLClient(base_url=address, http=http)
        variables = {"url": receiver.url, "events": [AT_RISK]}
        added = api.data(ADD, variables, key=keys["alpha"])["addWebhook"]
        _, partner_id = ids(db)

        emit_at_risk(db, vendor_id=None, partner_id=partner_id)
        [refused] = receiver.wait_for(1)
        # refused once (HTTP 500): tried again 5 s later, by the same process
        first, second = receiver.wait_for(2, timeout=30)

    assert refused == first
    assert first.body == second.body
    assert signed_by(added["secret"], second)
    with db.session() as session:
        row = session.scalars(select(WebhookDelivery)).one()
    assert (row.status, row.attempts) == ("delivered", 2)


def test_a_bad_allow_private_value_stops_vouch_naming_it(tmp_path: Path) -> None:
    process = cli_runner.start(
        "webhooks", "status",
        url=f"sqlite:///{tmp_path / 'x.db'}", data_dir=tmp_path,
        settings={"VOUCH_WEBHOOK_ALLOW_PRIVATE": "yes"},
        stderr=subprocess.PIPE,
    )  # fmt: skip
    _, error = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "VOUCH_WEBHOOK_ALLOW_PRIVATE='yes' must be 'true' or 'false'" in error
