"""Marks a request whose operation failed, so its transaction is rolled back, not committed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from api.schema.context import Context

log = logging.getLogger("vouch.api")


class UnitOfWork(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        context = self.execution_context.context
        if result is None or not result.errors or not isinstance(context, Context):
            return
        context.failed = True
        for error in result.errors:
            if error.original_error is not None and not error.extensions:
                log.error(
                    "unexpected error in request %s",
                    context.request_id,
                    exc_info=error.original_error,
                )
