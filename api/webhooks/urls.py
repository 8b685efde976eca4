"""Webhook URLs: http or https to a host whose every address is public, unless private
ones are allowed (VOUCH_WEBHOOK_ALLOW_PRIVATE). Checked at registration and again at each
delivery (DNS can change), and the delivery connects to the address that was checked."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

MAX_URL_LENGTH = 500

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]


class UnsafeUrl(ValueError):
    """The URL cannot be a webhook's; the message says why, for the caller to read."""


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[Address, ...]

    def pinned_url(self) -> str:
        """The URL with its host replaced by the first checked address."""
        address = self.addresses[0]
        shown = f"[{address}]" if address.version == 6 else str(address)
        parts = urlsplit(self.url)
        path = parts.path or "/"
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.scheme}://{shown}:{self.port}{path}{query}"


def resolve(host: str, port: int) -> list[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrl(f"the host {host!r} does not resolve ({error})") from error
    return [str(info[4][0]) for info in found]


def refusal(address: Address, *, allow_private: bool) -> str | None:
    """Why a request to this address is refused; None when it may be made."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_multicast:
        return "an unspecified or multicast address"
    if allow_private:
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private or address.is_reserved or not address.is_global:
        return "a private or reserved address"
    return None


def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> Target:
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"the URL is {len(url)} characters long; the limit is {MAX_URL_LENGTH}")
    if any(ord(character) < 33 or ord(character) == 127 for character in url):
        raise UnsafeUrl("the URL holds a space or a control character")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrl(f"the URL cannot be read ({error})") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("the URL must be http:// or https:// with a host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("the URL must not hold a user name or password")
    port = port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname
    try:
        addresses: Sequence[str] = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = resolver(host, port)
    checked = tuple(ipaddress.ip_address(address.split("%", 1)[0]) for address in addresses)
    if not checked:
        raise UnsafeUrl(f"the host {host!r} has no address")
    for address in checked:
        reason = refusal(address, allow_private=allow_private)
        if reason:
            unless = (
                ", unless VOUCH_WEBHOOK_ALLOW_PRIVATE=true"
                if refusal(address, allow_private=True) is None
                else ""
            )
            raise UnsafeUrl(
                f"the host {host!r} is {reason} ({address}): webhooks reach public "
                f"addresses only{unless}"
            )
    return Target(url=url, scheme=parts.scheme, host=host, port=port, addresses=checked)
