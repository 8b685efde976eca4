"""The web service: /graphql, /healthz and the built directory site at /."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from api.db import create_db_engine, ping, session_factory
from api.errors import AuthenticationError
from api.schema import create_schema
from api.schema.context import Context
from api.services.apikeys import PUBLIC, Caller, authenticate
from api.settings import Settings

log = logging.getLogger("vouch.api")


def _graphql_error(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse(
        {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
    )


class VouchGraphQL(GraphQL[Context, None]):
    """Strawberry's view with Vouch's unit of work: one session and one transaction a request."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        super().__init__(
            create_schema(production=settings.production),
            graphql_ide=None if settings.production else "graphiql",
            multipart_uploads_enabled=False,
        )
        self.settings = settings
        self.sessions: sessionmaker[Session] = session_factory(engine)
        # SQLite has one writer; requests interleave at awaits, so they take turns here
        # rather than waiting on each other's locks inside the event loop.
        self.turns = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        if not isinstance(request, Request):
            return await super().run(request)
        async with self.turns or contextlib.nullcontext():
            return await self._run_in_transaction(request)

    async def _run_in_transaction(self, request: Request) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        with self.sessions() as session:
            try:
                caller = self._caller(session, request)
            except AuthenticationError as error:
                return _graphql_error(401, str(error), "UNAUTHENTICATED")
            except (OperationalError, DBAPIError):
                log.exception("database unavailable (request %s)", request_id)
                return _graphql_error(503, "the database is unavailable", "UNAVAILABLE")
            context = Context(
                request=request,
                response=Response(),
                session=session,
                caller=caller,
                settings=self.settings,
                request_id=request_id,
            )
            response: Response = await super().run(request, context=context)
            if context.failed:
                session.rollback()
            else:
                session.commit()
            response.headers["x-request-id"] = request_id
            return response

    def _caller(self, session: Session, request: Request) -> Caller:
        header = request.headers.get("authorization")
        if header is None:
            return PUBLIC
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise AuthenticationError("the Authorization header must be 'Bearer <api key>'")
        return authenticate(session=session, presented=key.strip())

    async def get_context(self, request: Any, response: Any) -> Context:
        raise RuntimeError("the context is built in run(), with the request's session")


def create_app(settings: Settings, engine: Engine | None = None) -> Starlette:
    engine = engine or create_db_engine(settings.database_url)
    graphql = VouchGraphQL(settings, engine)

    async def healthz(request: Request) -> JSONResponse:
        try:
            ping(engine)
        except (OperationalError, DBAPIError) as error:
            reason = str(error.orig or error).splitlines()[0]
            return JSONResponse({"status": "unavailable", "database": reason}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Mount("/", StaticFiles(directory=settings.site_dir, html=True, check_dir=False)),
    ]
    app = Starlette(routes=routes)
    app.state.engine = engine
    return app
