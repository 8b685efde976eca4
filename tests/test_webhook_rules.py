"""The rules under webhooks, without a server: which addresses a URL may reach, how a
secret is derived and a body signed, and the settings that govern them."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.settings import Settings, SettingsError, load_settings, parse_database_url
from api.webhooks import signing
from api.webhooks.urls import UnsafeUrl, check_url, refusal

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "169.254.169.254",  # cloud metadata
    "0.0.0.0",  # noqa: S104 (an address to refuse, not a binding)
    "224.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:10.0.0.1",
    "::",
    "ff02::1",
]
NEVER = {"0.0.0.0", "224.0.0.1", "::", "ff02::1"}  # noqa: S104 (addresses, not bindings)
"""Unspecified and multicast: refused even with VOUCH_WEBHOOK_ALLOW_PRIVATE=true."""
PUBLIC = ["93.184.215.14", "8.8.8.8", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_loopback_private_link_local_multicast_and_unspecified_are_refused(address: str) -> None:
    assert refusal(ipaddress.ip_address(address), allow_private=False) is not None
    allowed = refusal(ipaddress.ip_address(address), allow_private=True) is None
    assert allowed == (address not in NEVER)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(ipaddress.ip_address(address), allow_private=False) is None


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    both = lambda host, port: ["93.184.215.14", "10.1.2.3"]  # noqa: E731
    with pytest.raises(UnsafeUrl, match=r"10\.1\.2\.3"):
        check_url("https://hooks.example/x", allow_private=False, resolver=both)
    target = check_url("https://hooks.example:8443/x?a=1", allow_private=True, resolver=both)
    assert target.pinned_url() == "https://93.184.215.14:8443/x?a=1"
    assert (target.host, target.port) == ("hooks.example", 8443)


def test_an_ipv6_literal_is_pinned_in_brackets() -> None:
    target = check_url("http://[2606:4700:4700::1111]/", allow_private=False)
    assert target.pinned_url() == "http://[2606:4700:4700::1111]:80/"


@given(st.ip_addresses())
def test_any_address_is_refused_unless_global_and_unicast(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> None:
    mapped = getattr(address, "ipv4_mapped", None) or address
    safe = mapped.is_global and not (
        mapped.is_multicast or mapped.is_unspecified or mapped.is_reserved
    )
    assert (refusal(address, allow_private=False) is None) == safe


def test_the_secret_and_signature_are_the_hmacs_written_out() -> None:
    key = b"k" * 32
    secret = signing.secret_for(key, 7, "00ff")
    by_hand = hmac.new(key, b"vouch-webhook:7:00ff", hashlib.sha256).hexdigest()
    assert secret == f"whsec_{by_hand}"
    assert signing.secret_for(key, 8, "00ff") != secret
    assert signing.secret_for(key, 7, "00fe") != secret
    assert signing.secret_for(b"j" * 32, 7, "00ff") != secret
    body = b'{"event":"engagement.at_risk"}'
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert signing.signature(secret, body) == f"sha256={expected}"


def test_the_server_key_is_made_once_in_the_data_folder_and_kept(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=parse_database_url("sqlite:///x.db"),
        environment="test",
    )
    first = signing.server_key(settings)
    assert len(first) == 64
    assert signing.server_key(settings) == first
    mode = (tmp_path / "data" / signing.KEY_FILE).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600
    assert list((tmp_path / "data").iterdir()) == [tmp_path / "data" / signing.KEY_FILE]
    given_key = Settings(
        data_dir=tmp_path / "data",
        database_url=settings.database_url,
        environment="test",
        webhook_key="x" * 40,
    )
    assert signing.server_key(given_key) == b"x" * 40


def test_webhook_settings_are_read_and_a_bad_value_names_its_variable() -> None:
    assert load_settings({}).webhook_allow_private is False
    assert load_settings({"VOUCH_WEBHOOK_ALLOW_PRIVATE": "true"}).webhook_allow_private is True
    assert load_settings({"VOUCH_WEBHOOK_ALLOW_PRIVATE": "FALSE"}).webhook_allow_private is False
    for bad in ("yes", "1", "on"):
        with pytest.raises(SettingsError, match="VOUCH_WEBHOOK_ALLOW_PRIVATE") as raised:
            load_settings({"VOUCH_WEBHOOK_ALLOW_PRIVATE": bad})
        assert "'true' or 'false'" in str(raised.value)
    with pytest.raises(SettingsError, match="VOUCH_WEBHOOK_KEY") as short:
        load_settings({"VOUCH_WEBHOOK_KEY": "too-short-secret"})
    assert "too-short-secret" not in str(short.value)
    assert load_settings({"VOUCH_WEBHOOK_KEY": "k" * 32}).webhook_key == "k" * 32
