"""When the database cannot serve a request: a 503 with Retry-After, the reason in the log.

A request whose connection is lost mid-way cannot roll back or close its session cleanly
either; those second failures are logged, never turned into a 500 (the first one is the
one that counts, and the pool drops the dead connection).
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.orm import Session
from starlette.responses import JSONResponse

from api.request_parts import graphql_error

log = logging.getLogger("vouch.api")

RETRY_AFTER_SECONDS = 5

# How a PendingRollbackError names the failure that caused it, when the connection was lost.
# ("Can't reconnect ...": the connection was invalidated inside a savepoint.)
LOST_CONNECTION_ERRORS = (
    "(psycopg.OperationalError)",
    "(psycopg.InterfaceError)",
    "Can't reconnect until invalid",
)


def lost_connection(error: PendingRollbackError) -> bool:
    """Whether the flush that failed earlier failed because the connection was lost."""
    return any(name in str(error) for name in LOST_CONNECTION_ERRORS)


def reason(error: BaseException) -> str:
    """The first line of what the driver said (where the database is: the log's, only)."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


def unavailable(request_id: str, error: Exception | None = None) -> JSONResponse:
    """503 for a request the database could not serve; the reason goes to the log only."""
    if error is not None:
        log.warning("request %s: database unavailable: %s", request_id, reason(error))
    return graphql_error(
        503,
        f"the service is unavailable for a moment; try again in {RETRY_AFTER_SECONDS} s",
        "UNAVAILABLE",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def roll_back_quietly(session: Session) -> None:
    """Roll back after a failure; on a connection that is gone the rollback fails too."""
    try:
        session.rollback()
    except (OperationalError, InterfaceError) as error:
        log.info("rolling back on a lost connection: %s", str(error).splitlines()[0])


def close_quietly(session: Session) -> None:
    """Close the request's session. Closing rolls back what is left, which fails when the
    database went away mid-request: the answer is already made (a 503 if the work could
    not be done), so that failure is logged, not turned into a 500."""
    try:
        session.close()
    except (OperationalError, DBAPIError) as error:
        log.warning("closing a session on a lost connection: %s", reason(error))
