"""The per-request context: one session, the caller, and the request's batch loaders."""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from api.schema.answer_parts import Shown
from api.schema.loaders import Loaders
from api.services.apikeys import Caller
from api.settings import Settings


class Outcome(enum.Enum):
    """What became of a request's operation, set once as its transaction ends
    (api/request_transaction.py)."""

    ANSWERED = "answered"
    """Committed: a query that ran to the end without an error; its answer may be kept."""
    COMMITTED = "committed"
    """Committed: a mutation, or a query whose answer has errors."""
    ROLLED_BACK = "rolled back"
    """Time ran out, or a mutation document met a top-level error: nothing is kept."""
    UNAVAILABLE = "unavailable"
    """The database could not serve it: rolled back, and answered 503 with Retry-After."""


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
    # None until the operation ends (strawberry may answer without running it).
    outcome: Outcome | None = None
    # What the request log and /metrics say of the operation (ReportOperation sets them).
    operation_name: str | None = None
    operation_type: str | None = None
    root_field: str | None = None  # the schema's name for what it asked (root_fields.py)
    error_codes: tuple[str, ...] = ()
    # The parts of the data a public answer showed (api/response_cache.py keeps it by them).
    shown: Shown = field(default_factory=Shown)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.session, live=self.caller.role == "admin")
        if not self.deadline:
            self.deadline = time.monotonic() + self.settings.request_timeout

    def act_as(self, caller: Caller) -> None:
        """The caller its key proved, known once the key is read (in the operation's own
        worker step, api/app.py): the context was made before, as the public caller."""
        self.caller = caller
        live = caller.role == "admin"
        if live != self.loaders.live:  # else the public caller's loaders serve as they are
            self.loaders = Loaders(self.session, live=live)

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline


Info = StrawberryInfo[Context, None]
