"""Request budgets per caller, with `limits`: a moving window kept in memory or in Redis.

In memory, each process counts on its own (so N workers allow N times the budget); with
VOUCH_REDIS_URL every worker and instance shares one count per caller. When Redis does
not answer, requests go through (and the log says so once): the limiter protects the
service, it must not become the reason it is down.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable

from limits import RateLimitItem
from limits import storage as sync_storage
from limits import strategies as sync_strategies
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError, StorageError
from starlette.requests import Request
from starlette.responses import Response

from api.request_parts import graphql_error
from api.services.apikeys import Caller
from api.settings import Settings, SettingsError

log = logging.getLogger("vouch.api")

REDIS_KEY_PREFIX = "vouch"
REDIS_TIMEOUT_SECONDS = 1.0


class RequestLimiter:
    """Addresses are counted in the event loop, before a request waits for anything
    (asynchronously: Redis must not block the loop); keys in the request's worker step,
    once its key is read (synchronously: that step is a thread, and the count is no extra
    step, issue 25). Their names never meet ("ip:..." and "key:..."), so each is counted
    in one place; in Redis both count in the same store."""

    def __init__(
        self,
        limit: RateLimitItem,
        storage: Storage,
        key_storage: sync_storage.Storage,
        close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.limit = limit
        self.limiter = MovingWindowRateLimiter(storage)
        self.key_limiter = sync_strategies.MovingWindowRateLimiter(key_storage)
        self._close = close
        self._storage_failing = False

    @classmethod
    def from_settings(cls, settings: Settings) -> RequestLimiter | None:
        if settings.rate_limit is None:
            return None
        if settings.redis_url is None:
            return cls(settings.rate_limit, MemoryStorage(), sync_storage.MemoryStorage())
        return _with_redis(settings.rate_limit, settings.redis_url)

    async def wait_seconds(self, identity: str) -> int | None:
        """Counts a request of `identity`: None when it may go ahead, else the seconds
        until it may (at least 1)."""
        try:
            if await self.limiter.hit(self.limit, identity):
                self._recovered()
                return None
            stats = await self.limiter.get_window_stats(self.limit, identity)
        except StorageError as error:
            self._failing(error)
            return None
        self._recovered()
        return max(1, math.ceil(stats.reset_time - time.time()))

    def key_wait_seconds(self, caller: Caller) -> int | None:
        """wait_seconds for a caller with a key, counted synchronously (in a worker)."""
        identity = f"key:{caller.key_prefix}"
        try:
            if self.key_limiter.hit(self.limit, identity):
                self._recovered()
                return None
            stats = self.key_limiter.get_window_stats(self.limit, identity)
        except StorageError as error:
            self._failing(error)
            return None
        self._recovered()
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def refusal(self, request: Request) -> Response | None:
        """None when the request may go on, else the 429 to answer: the public role and
        wrong keys count against the address they come from (keys: key_refusal)."""
        wait = await self.wait_seconds(f"ip:{client_address(request)}")
        return None if wait is None else self._refused(wait, "this address")

    def key_refusal(self, caller: Caller) -> Response | None:
        """refusal for a caller whose key is read: it counts on its own."""
        wait = self.key_wait_seconds(caller)
        return None if wait is None else self._refused(wait, "this API key")

    def _refused(self, wait: int, whose: str) -> Response:
        return graphql_error(
            429,
            f"rate limit exceeded: {self.limit} for {whose}; try again in {wait} s",
            "RATE_LIMITED",
            extensions={"retryAfter": wait},
            headers={"Retry-After": str(wait)},
        )

    def _failing(self, error: StorageError) -> None:
        if not self._storage_failing:
            self._storage_failing = True
            log.error("rate limiting is off: its storage fails (%s)", error.storage_error)

    def _recovered(self) -> None:
        if self._storage_failing:
            self._storage_failing = False
            log.warning("rate limiting is back on: its storage answers again")

    async def close(self) -> None:
        if self._close is not None:
            await self._close()


def client_address(request: Request) -> str:
    # Behind a proxy listed in VOUCH_FORWARDED_ALLOW_IPS, uvicorn puts the real client here.
    return request.client.host if request.client else "unknown"


def _with_redis(limit: RateLimitItem, url: str) -> RequestLimiter:
    try:
        import redis.asyncio
    except ImportError as error:
        raise SettingsError(
            "VOUCH_REDIS_URL is set but the 'redis' package is not installed: "
            "pip install 'vouch[redis]' (or unset it to count requests in memory)"
        ) from error
    pool = redis.asyncio.ConnectionPool.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    key_pool = redis.ConnectionPool.from_url(
        url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
    )
    scheme = "redis+unix" if url.startswith("unix:") else url.split(":", 1)[0]
    rest = url.split(":", 1)[1]
    try:
        storage = RedisStorage(
            f"async+{scheme}:{rest}",
            implementation="redispy",
            wrap_exceptions=True,
            key_prefix=REDIS_KEY_PREFIX,
            connection_pool=pool,  # type: ignore[arg-type]
        )
        key_storage = sync_storage.RedisStorage(
            f"{scheme}:{rest}",
            wrap_exceptions=True,
            key_prefix=REDIS_KEY_PREFIX,
            connection_pool=key_pool,
        )
    except ConfigurationError as error:
        raise SettingsError(f"VOUCH_REDIS_URL cannot be used: {error}") from error

    async def close() -> None:
        await pool.disconnect()
        key_pool.disconnect()

    return RequestLimiter(limit, storage, key_storage, close=close)
