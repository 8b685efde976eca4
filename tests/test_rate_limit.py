"""Per-caller rate limits: by API key, or by address without one; in memory or in Redis."""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from limits import parse

from api.ratelimit import RequestLimiter
from api.settings import (
    DEFAULT_RATE_LIMIT,
    Settings,
    SettingsError,
    load_settings,
    parse_database_url,
    parse_rate_limit,
)
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient, running_server

VIEWER = "{ viewer { role } }"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


def redis_unavailable_reason() -> str | None:
    try:
        import redis
    except ImportError:
        return "Redis rate-limit tests skipped: the 'redis' package is not installed"
    try:
        with redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_timeout=1) as client:
            client.ping()
    except redis.RedisError as error:
        return f"Redis rate-limit tests skipped: no Redis at {REDIS_HOST}:{REDIS_PORT} ({error})"
    return None


def settings_for(db: Database, tmp_path: Path, **changes: Any) -> Settings:
    return Settings(data_dir=tmp_path, database_url=db.url, environment="test", **changes)


def client_at(url: str, http: httpx.Client) -> GraphQLClient:
    return GraphQLClient(base_url=url, http=http)


@pytest.fixture
def limited(db: Database, tmp_path: Path) -> Iterator[GraphQLClient]:
    """A server that lets each caller make 3 requests a minute."""
    settings = settings_for(db, tmp_path, rate_limit=parse("3/minute"))
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        yield client_at(url, http)


def keys(db: Database, count: int) -> list[str]:
    with db.session() as session, session.begin():
        return [factories.key(session, "admin") for _ in range(count)]


def assert_rate_limited(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= 60
    body = response.json()
    [error] = body["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": wait}
    assert error["message"].startswith("rate limit exceeded: 3 per 1 minute")
    assert error["message"].endswith(f"try again in {wait} s")
    assert response.headers["x-request-id"]
    return wait


# --- settings ------------------------------------------------------------------------------


def test_the_default_limit_comes_from_the_environment() -> None:
    assert load_settings({}).rate_limit == parse(DEFAULT_RATE_LIMIT)
    assert load_settings({"VOUCH_RATE_LIMIT": "10 per second"}).rate_limit == parse("10/second")
    assert load_settings({"VOUCH_RATE_LIMIT": "off"}).rate_limit is None
    assert load_settings({}).redis_url is None


@pytest.mark.parametrize(
    "raw", ["lots", "3/fortnight", "0/minute", "-1/minute", "3/minute;10/second"]
)
def test_a_bad_rate_limit_names_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="VOUCH_RATE_LIMIT") as caught:
        load_settings({"VOUCH_RATE_LIMIT": raw})

    assert "300/minute" in str(caught.value)


def test_parse_rate_limit_reads_the_usual_forms() -> None:
    assert parse_rate_limit("300/minute") == parse("300 per minute")
    assert parse_rate_limit("OFF") is None


@pytest.mark.parametrize("raw", ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis://", "unix://"])
def test_a_bad_redis_url_names_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="VOUCH_REDIS_URL"):
        load_settings({"VOUCH_REDIS_URL": raw})


def test_a_redis_url_keeps_its_password_out_of_the_message() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"VOUCH_REDIS_URL": "http://user:hunter2@cache:6379/0"})

    assert "hunter2" not in str(caught.value)


def test_a_redis_url_without_the_redis_package_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.setitem(sys.modules, "redis.asyncio", None)

    with pytest.raises(SettingsError, match=r"VOUCH_REDIS_URL .*pip install 'vouch\[redis\]'"):
        load_settings({"VOUCH_REDIS_URL": REDIS_URL})
    built_by_hand = Settings(
        data_dir=tmp_path,
        database_url=parse_database_url(f"sqlite:///{tmp_path / 'vouch.db'}"),
        environment="test",
        rate_limit=parse("3/minute"),
        redis_url=REDIS_URL,
    )
    with pytest.raises(SettingsError, match=r"pip install 'vouch\[redis\]'"):
        RequestLimiter.from_settings(built_by_hand)


# --- in memory -----------------------------------------------------------------------------


def test_the_fourth_request_in_a_minute_is_refused_with_the_wait(
    limited: GraphQLClient,
) -> None:
    answers = [limited.post(VIEWER) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    assert_rate_limited(answers[3])
    assert "for this address" in answers[3].json()["errors"][0]["message"]


def test_a_key_has_its_own_budget(db: Database, limited: GraphQLClient) -> None:
    first, second = keys(db, 2)

    for _ in range(3):
        assert limited.post(VIEWER, key=first).status_code == 200
    refused = limited.post(VIEWER, key=first)

    assert_rate_limited(refused)
    assert "for this API key" in refused.json()["errors"][0]["message"]
    assert limited.data(VIEWER, key=second) == {"viewer": {"role": "admin"}}
    assert limited.data(VIEWER) == {"viewer": {"role": "public"}}


def test_healthz_is_not_limited(limited: GraphQLClient) -> None:
    for _ in range(4):
        limited.post(VIEWER)

    answers = [limited.http.get(f"{limited.base_url}/healthz") for _ in range(10)]

    assert {a.status_code for a in answers} == {200}


def test_wrong_keys_count_against_their_address(limited: GraphQLClient) -> None:
    wrong = "vouch_000000000000_not-a-key"

    answers = [limited.post(VIEWER, key=wrong) for _ in range(3)]
    after = limited.post(VIEWER)

    assert [a.status_code for a in answers] == [401, 401, 401]
    assert_rate_limited(after)


def test_malformed_requests_are_refused_before_they_are_counted(limited: GraphQLClient) -> None:
    for _ in range(5):
        response = limited.http.post(
            f"{limited.base_url}/graphql", content=b"[]", headers={"content-type": "text/plain"}
        )
        assert response.status_code == 415

    assert limited.data(VIEWER) == {"viewer": {"role": "public"}}


def test_off_means_no_limit(db: Database, tmp_path: Path) -> None:
    settings = settings_for(db, tmp_path, rate_limit=None)
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        statuses = {client_at(url, http).post(VIEWER).status_code for _ in range(20)}

    assert statuses == {200}


# --- in Redis ------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    reason = redis_unavailable_reason()
    if reason:
        pytest.skip(reason)
    return REDIS_URL


def test_two_instances_share_one_budget_in_redis(
    db: Database, tmp_path: Path, redis_url: str
) -> None:
    # A new key each run: its count in Redis starts at zero.
    [key] = keys(db, 1)
    settings = settings_for(db, tmp_path, rate_limit=parse("3/minute"), redis_url=redis_url)
    with ExitStack() as stack:
        urls = [stack.enter_context(running_server(settings, db.engine)) for _ in range(2)]
        http = stack.enter_context(httpx.Client(timeout=30))
        one, other = (client_at(url, http) for url in urls)

        statuses = [
            one.post(VIEWER, key=key).status_code,
            other.post(VIEWER, key=key).status_code,
            one.post(VIEWER, key=key).status_code,
        ]
        refused = other.post(VIEWER, key=key)
        refused_too = one.post(VIEWER, key=key)

    assert statuses == [200, 200, 200]
    assert_rate_limited(refused)
    assert_rate_limited(refused_too)


def test_requests_go_through_when_redis_does_not_answer(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("redis", reason="the 'redis' package is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings = settings_for(
        db,
        tmp_path,
        rate_limit=parse("1/minute"),
        redis_url=f"redis://127.0.0.1:{closed_port}/0",
    )
    caplog.set_level(logging.WARNING, logger="vouch.api")
    with running_server(settings, db.engine) as url, httpx.Client(timeout=30) as http:
        statuses = [client_at(url, http).post(VIEWER).status_code for _ in range(3)]

    assert statuses == [200, 200, 200]
    failures = [r for r in caplog.records if "rate limiting is off" in r.getMessage()]
    assert len(failures) == 1
