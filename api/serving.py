"""How `vouch serve` runs the app: the HTTP protocol it gives uvicorn, and the garbage
collector's settings for a long-running server.

The protocol is h11 with TCP_NODELAY on every connection.

With several workers uvicorn binds the listening socket itself (protocol number 0), and
asyncio turns Nagle's algorithm off only on sockets whose protocol is IPPROTO_TCP: each
answer's head and body then wait out the client's delayed ACK, about 40 ms a request
(BENCHMARKS.md, 2026-12-01). One worker binds through asyncio and was never affected.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


YOUNG_OBJECTS_A_SWEEP = 10_000
"""The collector's first threshold in a server (Python's default is 700): a request makes
a few thousand objects, nearly all freed by their counts, so the default swept every
request's live objects about once and moved them on to be swept again."""


def settle_long_lived() -> None:
    """Once the app is built: what start-up made (the schema, the engine's compiled
    statements, the index) lives as long as the process, so it is frozen out of the
    collector's sweeps, and the youngest objects are swept less often. Together a 6%
    cut in a list request's instructions (BENCHMARKS.md, 2026-12-07, later section).
    Reference cycles are still collected."""
    gc.collect()
    gc.freeze()
    _first, second, third = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS_A_SWEEP, second, third)
