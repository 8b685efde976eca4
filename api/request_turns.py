"""Who runs when: a request waits for a seat, on SQLite for its turn, and runs its database
steps in worker threads.

A request can wait on a row lock another one holds: in a worker thread it blocks that
thread, never the event loop that serves everyone else, the lock holder included.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from starlette.responses import Response

T = TypeVar("T")

WORKER_THREADS = 16
"""Operations run at once (the rest queue): as many as the engine's pool has connections."""
IN_FLIGHT = 15
"""Requests holding a session at once (the rest wait their turn, in the event loop): at most
the pool's connections (SQLAlchemy's 5 + 10 overflow), and fewer than WORKER_THREADS. A
request keeps its connection between its steps in worker threads; with more requests than
connections, threads blocked waiting for a connection starved the requests holding them,
for the pool's 30 s timeout and then a 500 (bench/bench_load.py, 2026-12-01)."""

SQLITE_LOCKED_RETRIES = (0.1, 0.3)
"""Pauses before trying a request again that found SQLite locked (after its busy timeout)."""


class RequestTurns:
    def __init__(self, dialect: str) -> None:
        self.seats = asyncio.Semaphore(IN_FLIGHT)
        # SQLite has one writer, and a transaction that read before another one committed
        # cannot write after it: on SQLite, operations take turns.
        self.sqlite_turn = asyncio.Lock() if dialect == "sqlite" else None
        self.workers = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="vouch-operation")

    async def one_at_a_time(self, attempt: Callable[[], Awaitable[Response]]) -> Response:
        """The answer of `attempt`, run in the request's turn (on SQLite; at once elsewhere)."""
        async with self.sqlite_turn or contextlib.nullcontext():
            response = await attempt()
            # SQLite has one writer: a write that met another process's (an import, a
            # rebuild) past the busy timeout is tried again, briefly, before the 503.
            for pause in SQLITE_LOCKED_RETRIES if self.sqlite_turn else ():
                if response.status_code != 503:
                    break
                await asyncio.sleep(pause)
                response = await attempt()
            return response

    async def in_worker(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.workers, function, *args)
