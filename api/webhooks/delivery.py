"""The delivery worker: claims due outbox rows, POSTs each one signed, and records what
became of it. Any number of workers may run (PostgreSQL: each claims rows the others have
not locked; SQLite: one UPDATE claims them, writers taking turns).

At least once: a row is marked delivered only after a 2xx answer, so a worker that stops
between the answer and the mark leaves it to be sent again, with the same delivery id for
the receiver to recognise. A claim moves the row's next attempt past a lease, so a row
whose worker died is due again once the lease runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.db import session_factory
from api.models import Webhook, WebhookDelivery
from api.models.base import utcnow
from api.settings import Settings
from api.webhooks import signing
from api.webhooks.urls import Resolver, Target, UnsafeUrl, check_url, resolve

log = logging.getLogger("vouch.webhooks")

TIMEOUT = 10.0
"""Seconds a receiver has to connect and to answer; slower is a failed attempt."""
FIRST_RETRY = 5.0
MAX_RETRY = 3600.0
MAX_ATTEMPTS = 30
"""Back-off doubles from 5 s to an hour: 30 attempts span about 20 hours; then failed."""
BATCH = 10


@contextmanager
def delivering(engine: Engine, settings: Settings) -> Iterator[None]:
    """A worker in a thread of this process for the block (`vouch serve`), stopped after."""
    worker = Worker(
        sessions=session_factory(engine),
        key=signing.server_key(settings),
        allow_private=settings.webhook_allow_private,
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_until, args=(stop,), name="vouch-webhooks", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=TIMEOUT + 5)
        worker.close()


def _host_header(target: Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default = {"http": 80, "https": 443}[target.scheme]
    return host if target.port == default else f"{host}:{target.port}"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 5 s, 10 s, 20 s, ... up to 1 h."""
    return timedelta(seconds=min(MAX_RETRY, FIRST_RETRY * 2 ** (attempts - 1)))


@dataclass(frozen=True)
class Claimed:
    id: int
    delivery_id: str
    event: str
    body: str
    attempts: int
    url: str
    webhook_id: int
    salt: str


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str | None = None


@dataclass
class Worker:
    sessions: sessionmaker[Session]
    key: bytes
    allow_private: bool = False
    timeout: float = TIMEOUT
    clock: Callable[[], datetime] = utcnow
    resolver: Resolver = resolve
    batch: int = BATCH
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        # No proxy from the environment, no redirects: the request goes to the checked address.
        self.http = httpx.Client(timeout=self.timeout, trust_env=False, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    @property
    def lease(self) -> timedelta:
        """How long a claim holds its rows: the whole batch timing out, and a margin. A
        worker that died leaves them to the others after that."""
        return timedelta(seconds=self.timeout * self.batch + 30)

    def run_once(self) -> int:
        """Claim what is due and attempt each; how many were attempted."""
        claimed = self._claim()
        for row in claimed:
            self._record(row, self._attempt(row))
        return len(claimed)

    def run_until(self, stop: threading.Event, *, idle: float = 1.0) -> None:
        while not stop.is_set():
            try:
                attempted = self.run_once()
            except Exception:  # the database away, say: try again after a pause
                log.exception("webhook delivery round failed")
                attempted = 0
            if not attempted:
                stop.wait(idle)

    def _claim(self) -> list[Claimed]:
        now = self.clock()
        # A read first, in a transaction of its own: a worker with nothing to do never
        # takes SQLite's write lock from the API serving beside it.
        with self.sessions() as session:
            waiting = session.scalar(
                select(WebhookDelivery.id)
                .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                .limit(1)
            )
        if waiting is None:
            return []
        with self.sessions() as session, session.begin():
            due = (
                select(WebhookDelivery.id)
                .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(self.batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            # One statement: on SQLite it writes from its start (no read turned write that
            # another writer could invalidate); as a CTE, PostgreSQL runs the locking
            # SELECT once (in `IN (subquery)` it may run again, past its LIMIT).
            claimed = due.cte("due")
            ids = session.scalars(
                update(WebhookDelivery)
                .where(WebhookDelivery.id.in_(select(claimed.c.id)))
                .values(next_attempt_at=now + self.lease, attempts=WebhookDelivery.attempts + 1)
                .returning(WebhookDelivery.id)
                .execution_options(synchronize_session=False)
            ).all()
            if not ids:
                return []
            rows = session.execute(
                select(WebhookDelivery, Webhook.url, Webhook.salt)
                .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
                .where(WebhookDelivery.id.in_(ids))
                .order_by(WebhookDelivery.id)
            ).all()
            return [
                Claimed(
                    id=d.id,
                    delivery_id=d.delivery_id,
                    event=d.event,
                    body=d.body,
                    attempts=d.attempts,
                    url=url,
                    webhook_id=d.webhook_id,
                    salt=salt,
                )
                for d, url, salt in rows
            ]

    def _attempt(self, row: Claimed) -> Outcome:
        try:
            target = check_url(row.url, allow_private=self.allow_private, resolver=self.resolver)
        except UnsafeUrl as error:
            return Outcome(False, f"refused: {error}")
        body = row.body.encode()
        secret = signing.secret_for(self.key, row.webhook_id, row.salt)
        headers = {
            "Host": _host_header(target),
            "Content-Type": "application/json",
            "User-Agent": "Vouch-Webhooks/1",
            signing.SIGNATURE_HEADER: signing.signature(secret, body),
            signing.DELIVERY_HEADER: row.delivery_id,
            signing.EVENT_HEADER: row.event,
        }
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        try:
            # Streamed and never read: a receiver cannot make the worker hold a large answer.
            with self.http.stream(
                "POST", target.pinned_url(), content=body, headers=headers, extensions=extensions
            ) as answer:
                status = answer.status_code
        except httpx.TimeoutException:
            return Outcome(False, f"timed out after {self.timeout:g}s")
        except httpx.HTTPError as error:
            return Outcome(False, f"{type(error).__name__}: {error}"[:300])
        if 200 <= status < 300:
            return Outcome(True)
        return Outcome(False, f"answered HTTP {status}")

    def _record(self, row: Claimed, outcome: Outcome) -> None:
        now = self.clock()
        if outcome.delivered:
            values: dict[str, object] = {
                "status": "delivered",
                "delivered_at": now,
                "last_error": None,
            }
        elif row.attempts >= MAX_ATTEMPTS:
            values = {"status": "failed", "last_error": outcome.error}
        else:
            values = {
                "next_attempt_at": now + retry_delay(row.attempts),
                "last_error": outcome.error,
            }
        with self.sessions() as session, session.begin():
            session.execute(
                update(WebhookDelivery)
                .where(WebhookDelivery.id == row.id, WebhookDelivery.status == "pending")
                .values(**values)
                .execution_options(synchronize_session=False)
            )
        if not outcome.delivered:
            log.info(
                "webhook delivery %s (attempt %d) failed: %s",
                row.delivery_id,
                row.attempts,
                outcome.error,
            )
