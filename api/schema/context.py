"""The per-request context: one session, the caller, and the request's batch loaders."""

from __future__ import annotations

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
    # Set when the operation ended in errors: the request then rolls back.
    failed: bool = False
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session)


Info = StrawberryInfo[Context, None]
