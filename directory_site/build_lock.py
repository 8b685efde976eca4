"""One site build at a time per output folder, and what a killed build left is cleared.

A build works in `.NAME.building-*` beside the site and swaps it in by renames; `kill -9`
leaves that folder behind (and, between the two renames, the previous site at `.NAME.old`).
Every build holds an flock on `.NAME.lock` for its whole life (its forked page writers
inherit it), so whoever takes the lock knows any such folder is a dead build's.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api import file_lock


class SiteBusy(Exception):
    """Another build of the same site is running."""


@contextmanager
def exclusive_build(out: Path, *, wait: float = 30.0) -> Iterator[None]:
    """Hold the site's build lock (SiteBusy after `wait` seconds), leftovers cleared."""
    lock = out.with_name(f".{out.name}.lock")
    busy = f"another build of {out} is running"
    with file_lock.exclusive(lock, wait=wait, busy=lambda: SiteBusy(busy), poll=0.05):
        clear_leftovers(out)
        yield


def clear_leftovers(out: Path) -> None:
    """Remove dead builds' folders; put back a previous site caught between two renames."""
    for stale in out.parent.glob(f".{out.name}.building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = out.with_name(f".{out.name}.old")
    if old.is_dir() and not out.exists():
        old.rename(out)
    shutil.rmtree(old, ignore_errors=True)
