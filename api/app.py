"""The web service: /graphql, /healthz, /metrics and the built directory site at /."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import graphiql, json_body, request_parts, response_cache
from api.db import create_db_engine, ping, read_engine, read_sessions, session_factory
from api.errors import AuthenticationError
from api.ratelimit import RequestLimiter
from api.request_log import RequestObserver, observed
from api.request_metrics import RequestMetrics
from api.request_metrics import endpoint as metrics_endpoint
from api.request_parts import graphql_error
from api.request_transaction import request_session, run_operation
from api.request_turns import RequestTurns
from api.request_unavailable import (
    RETRY_AFTER_SECONDS,
    unavailable,
)
from api.schema import create_schema
from api.schema.context import Context, Outcome
from api.services.apikeys import PUBLIC, Caller, authenticate
from api.settings import Settings
from api.site_files import SiteFiles

log = logging.getLogger("vouch.api")


class KeyLimited(Exception):
    """A key over its rate limit: the 429 to answer, and the key's role for the log."""

    def __init__(self, response: Response, role: str) -> None:
        super().__init__("rate limit exceeded")
        self.response = response
        self.role = role


class VouchGraphQL(GraphQL[Context, None]):
    """Strawberry's view, composing what a request goes through, one module an idea:

    - it must be one /graphql takes (api/request_parts.py) and within its caller's rate
      limit (api/ratelimit.py);
    - it waits for a seat, on SQLite for its turn, and runs in worker threads
      (api/request_turns.py);
    - a public one is answered by data version: ETag, 304, kept answers (api/response_cache.py);
    - it has one session and one transaction, ended in one place, which says what became
      of it (api/request_transaction.py); a database that is away is a 503
      (api/request_unavailable.py).
    """

    def __init__(self, settings: Settings, engine: Engine) -> None:
        super().__init__(
            create_schema(production=settings.production),
            graphql_ide=None if settings.production else "graphiql",
            multipart_uploads_enabled=False,
        )
        self.settings = settings
        self.sessions: sessionmaker[Session] = session_factory(engine)
        # On PostgreSQL a request that only reads runs in autocommit: no BEGIN nor COMMIT.
        self.read_engine = None if engine.dialect.name == "sqlite" else read_engine(engine)
        self.read_sessions = None if self.read_engine is None else read_sessions(self.read_engine)
        self.limiter = RequestLimiter.from_settings(settings)
        self.turns = RequestTurns(engine.dialect.name)
        megabytes = settings.response_cache_mb
        self.cache = response_cache.ResponseCache(megabytes * 1024 * 1024) if megabytes else None

    @property
    def graphql_ide_html(self) -> str:
        return graphiql.PAGE

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        if not isinstance(request, Request):
            return await super().run(request)
        record = observed(request)
        request_id = record.request_id
        try:
            response = await self._checked(request, request_id)
        except HTTPException as error:
            response = request_parts.refused(request, error)
        if response.status_code >= 400:
            record.errors = request_parts.error_codes(response.body)
        response.headers["x-request-id"] = request_id
        return response

    async def _checked(self, request: Request, request_id: str) -> Response:
        header = request.headers.get("authorization")
        if header is None:
            observed(request).role = PUBLIC.role
        # The body is read before taking turns: a slow client must not hold up the others.
        refusal = await request_parts.refusal(request)
        if refusal is not None:
            return refusal
        if header is not None:
            async with self.turns.seats:
                response = await self._taking_turns(request, request_id, header)
            response.headers["Cache-Control"] = response_cache.PRIVATE
            return response
        # The public role is limited by address, before it waits for anything.
        limited = await self._over_limit(request)
        if limited is not None:
            return limited
        async with self.turns.seats:
            return await self._public(request, request_id)

    async def _public(self, request: Request, request_id: str) -> Response:
        """A public request, answered by data version (api/response_cache.py).

        The version is read first, in the request's own transaction: what the operation
        reads after it is at least as new. With it, the version of the parts the answer
        kept for the request showed, if it showed only a few.
        """
        key = response_cache.key_of(request)
        peeked = self.cache.peek(key) if self.cache is not None else None
        deadline = self._deadline_from_now()
        with request_session(self._sessions_for(request)) as session:

            async def newest(parts: tuple[str, ...]) -> int | None:
                try:
                    return await self.turns.in_worker(response_cache.parts_version, session, parts)
                except (OperationalError, DBAPIError):
                    return None  # then the answer is tagged by the data version

            if peeked is None and deadline is not None:
                # Nothing is kept for it, so nothing can answer it before it runs: its
                # version is read first in the operation's own worker step (PostgreSQL),
                # one step instead of two (issue 25).
                def read_version() -> None:
                    assert deadline is not None
                    seen = response_cache.current_version(session, None, deadline)
                    request.state.seen = seen

                request.state.first = read_version

                def run_with_version() -> Awaitable[Response]:
                    return self._taking_turns(request, request_id, None, session, deadline)

                return await response_cache.answer_public(
                    request, key, None, self.cache, run_with_version, newest
                )
            try:
                seen = await self.turns.in_worker(
                    response_cache.current_version,
                    session,
                    peeked.parts if peeked else None,
                    deadline,
                )
            except (OperationalError, DBAPIError) as error:
                return unavailable(request_id, error)

            def run() -> Awaitable[Response]:
                return self._taking_turns(request, request_id, None, session, deadline)

            if seen is None:
                return await run()
            return await response_cache.answer_public(request, key, seen, self.cache, run, newest)

    async def _taking_turns(
        self,
        request: Request,
        request_id: str,
        header: str | None,
        session: Session | None = None,
        deadline: float | None = None,
    ) -> Response:
        return await self.turns.one_at_a_time(
            lambda: self._run_in_transaction(request, request_id, header, session, deadline)
        )

    async def _run_in_transaction(
        self,
        request: Request,
        request_id: str,
        header: str | None,
        given: Session | None = None,
        deadline: float | None = None,
    ) -> Response:
        if deadline is None and header is not None:
            deadline = self._deadline_from_now()  # the key's statement sets it
        sessions = self._sessions_for(request)
        with contextlib.nullcontext(given) if given else request_session(sessions) as session:
            context = Context(
                request=request,
                response=Response(),
                session=session,
                caller=PUBLIC,  # until its key, if any, is read
                settings=self.settings,
                request_id=request_id,
                deadline=deadline or 0.0,  # 0.0: from now
            )
            if header is not None:
                # The key is read, and counted, in the operation's own worker step (one
                # step, not two: issue 25).
                request.state.first = lambda: self._admit(context, header, deadline)
            record = observed(request)
            try:
                response: Response = await super().run(request, context=context)
            except AuthenticationError as error:
                # Wrong keys count against the address they come from.
                limited = await self._over_limit(request)
                return limited or graphql_error(401, str(error), "UNAUTHENTICATED")
            except KeyLimited as limited:
                record.role = limited.role
                return limited.response
            record.role = context.caller.role
            record.operation = context.operation_name
            record.operation_type = context.operation_type
            record.field = context.root_field
            record.errors = context.error_codes
            if context.outcome is Outcome.UNAVAILABLE:
                return unavailable(request_id)
            request.state.cacheable = context.outcome is Outcome.ANSWERED
            request.state.parts = context.shown.parts()
            return response

    def _admit(self, context: Context, header: str, deadline: float | None) -> None:
        """In the operation's worker step, before it: the caller its key proves (else
        AuthenticationError), within the key's own rate limit (else KeyLimited)."""
        caller = self._caller(context.session, header, deadline)
        if self.limiter is not None:
            refusal = self.limiter.key_refusal(caller)
            if refusal is not None:
                raise KeyLimited(refusal, caller.role)
        context.act_as(caller)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: Context,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """The operation and its commit (or rollback), synchronously in a worker thread.

        A request can wait on a row lock another one holds: in a worker thread it blocks
        that thread, never the event loop that serves everyone else, the lock holder
        included. Every resolver is synchronous, so no event loop is needed there.
        """
        allowed = OperationType.from_http(request_adapter.method)
        first = getattr(request.state, "first", None)
        try:
            return await self.turns.in_worker(
                run_operation, self.schema, request_data, context, allowed, first
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason(request_adapter.method)) from error
        except MissingQueryError as error:
            raise HTTPException(400, "No GraphQL query found in the request") from error

    def encode_json(self, data: object) -> bytes:
        """orjson: a twentieth of json.dumps's time for a page of partners."""
        return orjson.dumps(data)

    def decode_json(self, data: str | bytes) -> object:
        """Decoded once: request_parts.refusal already did it, with its bounds."""
        return json_body.decoded(data)

    async def _over_limit(self, request: Request) -> Response | None:
        """None when the request may go on (or nothing is limited), else the 429 to answer;
        counted by address (a key is counted once read: _admit)."""
        return None if self.limiter is None else await self.limiter.refusal(request)

    def _sessions_for(self, request: Request) -> sessionmaker[Session]:
        """Where a request's session comes from: in autocommit if it only reads (on
        PostgreSQL, api/db.read_sessions), else in a transaction."""
        if self.read_sessions is not None and request_parts.reads_only(request):
            return self.read_sessions
        return self.sessions

    def _deadline_from_now(self) -> float | None:
        """Where operations run at once (PostgreSQL), a request's time budget starts with its
        transaction, and its first statement sets it (api/db.DEADLINE_COLUMN); None on
        SQLite, where it starts with the request's turn (the Context's default)."""
        if self.turns.sqlite_turn is not None:
            return None
        return time.monotonic() + self.settings.request_timeout

    def _caller(self, session: Session, header: str, deadline: float | None) -> Caller:
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <api key>'")
        return authenticate(session=session, presented=key.strip(), deadline=deadline)

    async def get_context(self, request: Any, response: Any) -> Context:
        raise RuntimeError("the context is built in run(), with the request's session")


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    engine = engine or create_db_engine(settings.database_url)
    graphql = VouchGraphQL(settings, engine)
    metrics = RequestMetrics()

    async def healthz(request: Request) -> JSONResponse:
        try:
            await asyncio.to_thread(ping, engine)
        except (OperationalError, DBAPIError) as error:
            # Where the database is (host, port) is for the operator's log, not the client.
            log.warning("healthz: database unavailable: %s", str(error.orig or error).strip())
            return JSONResponse(
                {"status": "unavailable", "database": "unavailable"},
                status_code=503,
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return JSONResponse({"status": "ok", "database": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if graphql.limiter is not None:
            await graphql.limiter.close()
        if graphql.read_engine is not None:
            graphql.read_engine.dispose()
        graphql.turns.workers.shutdown(wait=False)

    routes = [
        # Every method: request_parts answers those it does not take (in the error shape).
        Route("/graphql", graphql),
        Route("/healthz", healthz, methods=["GET"]),
        Route(
            "/metrics",
            metrics_endpoint(metrics, engine, settings.index_dir, settings.metrics_token),
            methods=["GET"],
        ),
        *([] if settings.production else [graphiql.assets_route()]),
        Mount("/", SiteFiles(directory=settings.site_dir, html=True, check_dir=False)),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[Middleware(RequestObserver, metrics=metrics)],
    )
    app.state.engine = engine
    return app
