"""`vouch` that stops mid-way, to be killed there: python -m tests.paused_vouch TABLE N ARGS.

It writes "paused" on standard error and sleeps, so that a test can `kill -9` it there,
once the N-th INSERT statement into TABLE has run in the command's open transaction; with
N = 0, once `vouch load` has written every table before TABLE (by INSERT or by COPY) and
is about to read TABLE's file.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine

from api.cli import main
from api.dump import load

PAUSED = "paused"


def pause() -> None:
    print(PAUSED, file=sys.stderr, flush=True)
    time.sleep(600)


def pause_after(table: str, inserts: int) -> None:
    seen = 0

    def count(*args: Any) -> None:
        nonlocal seen
        if str(args[2]).lstrip().startswith(f"INSERT INTO {table} "):
            seen += 1
            if seen == inserts:
                pause()

    event.listen(Engine, "after_cursor_execute", count)


def pause_before_loading(name: str) -> None:
    batches = load._batches

    def paused(path: Any, table: Table, digest: Any) -> Iterator[Any]:
        if table.name == name:
            pause()
        return batches(path, table, digest)

    load._batches = paused


if __name__ == "__main__":
    table, inserts = sys.argv[1], int(sys.argv[2])
    if inserts:
        pause_after(table, inserts)
    else:
        pause_before_loading(table)
    sys.exit(main(sys.argv[3:]))
