"""One site build at a time per output folder, and what a killed build left is cleared.

A build works in a `.NAME.building-*` folder beside the site (a rename swaps the new site
in only within one file system) and, while it swaps, parks the previous site in that
folder's `old/`: `kill -9` leaves the folder behind, maybe with the previous site in it.
Every build holds an flock for its whole life, so whoever takes it knows any such folder
is a dead build's. The lock file lives in Vouch's own data folder, one per output folder,
so that a build leaves nothing beside its output; the page writers never hold it
(directory_site/workers.py).
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api import file_lock

# Written first into every working folder: the cleanup removes only folders it finds in.
WORKING = ".vouch-site-build"


class SiteBusy(Exception):
    """Another build of the same site is running."""


@contextmanager
def exclusive_build(out: Path, lock_dir: Path, *, wait: float = 30.0) -> Iterator[None]:
    """Hold `out`'s build lock, kept in `lock_dir` (SiteBusy after `wait` seconds), with
    what dead builds left cleared."""
    out = out.resolve()
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = lock_dir / f"{_name(out)}.lock"
    busy = f"another build of {out} is running"
    with file_lock.exclusive(lock, wait=wait, busy=lambda: SiteBusy(busy), poll=0.05):
        clear_leftovers(out)
        yield


def spare_folder(out: Path, lock_dir: Path) -> Path:
    """Where the site a build replaced is kept for the next to start from (beside the
    lock, in Vouch's data folder, so nothing is left beside the site; used only under
    the lock)."""
    return lock_dir / f"{_name(out.resolve())}.spare"


def _name(out: Path) -> str:
    return f"site-{hashlib.sha256(str(out).encode()).hexdigest()[:16]}"


def working_folders(out: Path) -> list[Path]:
    """The builds' working folders beside `out`: marked ones, and empty ones (a build
    killed before it marked its folder)."""
    return [
        folder
        for folder in out.parent.glob(f".{out.name}.building-*")
        if folder.is_dir()
        and not folder.is_symlink()
        and ((folder / WORKING).is_file() or not any(folder.iterdir()))
    ]


def clear_leftovers(out: Path) -> None:
    """Remove dead builds' folders; put back a previous site caught between two renames."""
    for folder in working_folders(out):
        previous = folder / "old"
        if previous.is_dir() and not out.exists():
            previous.rename(out)
        remove_working(folder)


def remove_working(folder: Path) -> None:
    """Remove a working folder, its mark last: one killed half-way is still known as ours."""
    for child in folder.iterdir():
        if child.name != WORKING:
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
