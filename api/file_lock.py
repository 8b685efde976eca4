"""An exclusive lock between processes on one file: an flock, so a process that dies
(even by kill -9) lets go of it. The search index's writers and the site's builds use it."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(
    path: Path, *, wait: float, busy: Callable[[], Exception], poll: float = 0.01
) -> Iterator[None]:
    """Hold `path` exclusively; raise `busy()` after `wait` seconds (0: do not wait)."""
    with open(path, "a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise busy() from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
