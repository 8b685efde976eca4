"""A client cannot choose its own address: `vouch serve` trusts X-Forwarded-For only from
the proxies listed in VOUCH_FORWARDED_ALLOW_IPS (none by default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api.settings import SettingsError, load_settings
from tests.cli_runner import serving
from tests.databases import Database

VIEWER = {"query": "{ viewer { role } }"}


@contextmanager
def vouch_serve(db: Database, data_dir: Path, **environ: str) -> Iterator[str]:
    """`vouch serve` in production with a budget of 3 requests a minute per caller."""
    settings: dict[str, str | None] = {
        "VOUCH_ENV": "production",
        "VOUCH_RATE_LIMIT": "3/minute",
        # Uvicorn's own variable: trusting everyone, were it read.
        "FORWARDED_ALLOW_IPS": "*",
        **environ,
    }
    with serving("--host", "127.0.0.1", url=db.url, data_dir=data_dir, settings=settings) as url:
        yield url


def statuses_from(url: str, addresses: list[str]) -> list[int]:
    with httpx.Client(timeout=30) as http:
        return [
            http.post(f"{url}/graphql", json=VIEWER, headers={"X-Forwarded-For": a}).status_code
            for a in addresses
        ]


ROTATING = [f"203.0.113.{n}" for n in range(1, 6)]


def test_a_client_on_loopback_cannot_rotate_its_address_past_the_limit(
    db: Database, tmp_path: Path
) -> None:
    with vouch_serve(db, tmp_path) as url:
        statuses = statuses_from(url, ROTATING)

    assert statuses == [200, 200, 200, 429, 429]


def test_a_listed_proxy_is_believed_about_its_clients(db: Database, tmp_path: Path) -> None:
    with vouch_serve(db, tmp_path, VOUCH_FORWARDED_ALLOW_IPS="10.0.0.0/8, 127.0.0.1") as url:
        rotating = statuses_from(url, ROTATING)
        one_client = statuses_from(url, ["198.51.100.7"] * 4)

    assert rotating == [200] * 5
    assert one_client == [200, 200, 200, 429]


def test_forwarded_allow_ips_is_read_and_normalised() -> None:
    assert load_settings({}).forwarded_allow_ips == ()
    assert load_settings({"FORWARDED_ALLOW_IPS": "*"}).forwarded_allow_ips == ()
    assert load_settings(
        {"VOUCH_FORWARDED_ALLOW_IPS": " 10.0.0.5, 10.1.0.0/16 ,fd00::/8,"}
    ).forwarded_allow_ips == ("10.0.0.5/32", "10.1.0.0/16", "fd00::/8")


@pytest.mark.parametrize("raw", ["*", "proxy.internal", "10.0.0.1/24", "10.0.0.300", "10.0.0.0/33"])
def test_a_bad_forwarded_allow_ips_names_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="VOUCH_FORWARDED_ALLOW_IPS") as caught:
        load_settings({"VOUCH_FORWARDED_ALLOW_IPS": f"127.0.0.1,{raw}"})

    assert repr(raw) in str(caught.value)
