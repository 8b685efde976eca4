"""The per-request context: one session, the caller, and the request's batch loaders."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from api.schema.loaders import Loaders
from api.services.apikeys import Caller
from api.settings import Settings


@dataclass
class Context:
    request: Request
    response: Response
    session: Session
    caller: Caller
    settings: Settings
    request_id: str
    # time.monotonic() past which the request is cancelled; by default its settings' budget.
    deadline: float = 0.0
    # Set by a mutation whose payload reports errors: its savepoint is rolled back.
    refused: bool = False
    # Set when the request cannot stand: the database is unavailable, or time ran out.
    # The whole transaction is then rolled back.
    failed: bool = False
    unavailable: bool = False
    unavailable_error: Exception | None = None
    # Set by a mutation field (api/schema/execution.py): the answer is never kept.
    wrote: bool = False
    # Set when the operation ran to the end and committed, without an error.
    answered: bool = False
    # What the request log and /metrics say of the operation (UnitOfWork sets them).
    operation_name: str | None = None
    operation_type: str | None = None
    root_field: str | None = None  # the schema's name for what it asked (root_fields.py)
    error_codes: tuple[str, ...] = ()
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session, live=self.caller.role == "admin")
        if not self.deadline:
            self.deadline = time.monotonic() + self.settings.request_timeout

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline


Info = StrawberryInfo[Context, None]
