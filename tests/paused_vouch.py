"""`vouch` that stops mid-way, to be killed there: python -m tests.paused_vouch TABLE N ARGS.

After the N-th INSERT statement into TABLE has run (in the command's open transaction), it
writes "paused" on standard error and sleeps, so a test can `kill -9` it at that point.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.cli import main

PAUSED = "paused"


def pause_after(table: str, inserts: int) -> None:
    seen = 0

    def count(*args: Any) -> None:
        nonlocal seen
        if str(args[2]).lstrip().startswith(f"INSERT INTO {table} "):
            seen += 1
            if seen == inserts:
                print(PAUSED, file=sys.stderr, flush=True)
                time.sleep(600)

    event.listen(Engine, "after_cursor_execute", count)


if __name__ == "__main__":
    pause_after(sys.argv[1], int(sys.argv[2]))
    sys.exit(main(sys.argv[3:]))
