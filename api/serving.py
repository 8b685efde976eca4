"""The HTTP protocol `vouch serve` gives uvicorn: h11 with TCP_NODELAY on every connection.

With several workers uvicorn binds the listening socket itself (protocol number 0), and
asyncio turns Nagle's algorithm off only on sockets whose protocol is IPPROTO_TCP: each
answer's head and body then wait out the client's delayed ACK, about 40 ms a request
(BENCHMARKS.md, 2026-12-01). One worker binds through asyncio and was never affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
