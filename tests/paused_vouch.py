"""`vouch` that stops mid-way, to be killed there: python -m tests.paused_vouch TABLE N ARGS.

It writes "paused" on standard error and sleeps, so that a test can `kill -9` it there,
once the N-th INSERT statement into TABLE has run in the command's open transaction; with
N = 0, once `vouch load` has written every table before TABLE (by INSERT or by COPY) and
is about to read TABLE's file. With TABLE = "search-index", once the search index build has
written N partners into its new folder, before it is complete.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.engine import Engine

from api.cli import main
from api.dump import load
from search_index import SearchIndex

PAUSED = "paused"
SEARCH_INDEX = "search-index"


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


def pause_in_index_build(documents: int) -> None:
    build = SearchIndex.build

    def paused(
        index: SearchIndex, session: Any, progress: Callable[[int, int], None] | None = None
    ) -> Any:
        def told(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)
            if documents <= done < total:
                pause()

        return build(index, session, told)

    SearchIndex.build = paused  # type: ignore[method-assign]


if __name__ == "__main__":
    table, inserts = sys.argv[1], int(sys.argv[2])
    if table == SEARCH_INDEX:
        pause_in_index_build(inserts)
    elif inserts:
        pause_after(table, inserts)
    else:
        pause_before_loading(table)
    sys.exit(main(sys.argv[3:]))
