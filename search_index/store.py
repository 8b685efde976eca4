"""Where an index lives: versioned folders, an atomic switch, locks and the sync state.

    <data dir>/index/   (Settings.index_dir)
        current -> index-20261201T140102-3f2a   (a symlink, replaced atomically)
        index-20261201T140102-3f2a/             (the engine's files and state.json)
        build.lock  writer.lock

A build writes a new folder and switches `current` to it only when complete, so a build
that fails or is killed leaves the previous index serving. `writer.lock` (an flock, so
it is released when its process dies) admits one writer at a time across processes.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from api import file_lock

STATE_FILE = "state.json"
STATE_FORMAT = 1
BUILDING = ".building"


class IndexBusy(Exception):
    """Another process holds the lock longer than we wait."""


@dataclass
class State:
    engine: str
    applied_through: int  # every change-log row up to this id is in the index...
    gaps: dict[str, float] = field(default_factory=dict)  # ...but these, maybe uncommitted
    built_at: str = ""
    documents: int = 0
    format: int = STATE_FORMAT


def read_state(folder: Path) -> State | None:
    try:
        raw = json.loads((folder / STATE_FILE).read_text())
        if raw.get("format") != STATE_FORMAT:
            return None
        return State(**raw)
    except (OSError, ValueError, TypeError):
        return None


def write_state(folder: Path, state: State) -> None:
    temporary = folder / f"{STATE_FILE}.{uuid.uuid4().hex}"
    temporary.write_text(json.dumps(asdict(state)))
    os.replace(temporary, folder / STATE_FILE)


@contextmanager
def locked(root: Path, name: str, *, wait: float) -> Iterator[None]:
    """Hold `root/name` exclusively; IndexBusy after `wait` seconds (0: do not wait)."""
    root.mkdir(parents=True, exist_ok=True)
    busy = f"{name} is held by another process"
    with file_lock.exclusive(root / name, wait=wait, busy=lambda: IndexBusy(busy)):
        yield


def current(root: Path) -> Path | None:
    link = root / "current"
    if not link.is_symlink():
        return None
    target = root / os.readlink(link)
    return target if target.is_dir() else None


def new_folder(root: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    folder = root / f"index-{stamp}-{uuid.uuid4().hex[:6]}{BUILDING}"
    folder.mkdir(parents=True)
    return folder


def switch_to(root: Path, building: Path) -> Path:
    """Make the finished `building` folder current; the old ones are removed."""
    ready = building.with_name(building.name.removesuffix(BUILDING))
    building.rename(ready)
    link = root / f"current.{uuid.uuid4().hex}"
    link.symlink_to(ready.name)
    os.replace(link, root / "current")
    for old in root.glob("index-*"):
        if old != ready and not old.name.endswith(BUILDING):
            shutil.rmtree(old, ignore_errors=True)
    return ready


def remove_unfinished(root: Path) -> None:
    """Folders of builds that died (only called while holding the build lock)."""
    for folder in root.glob(f"index-*{BUILDING}"):
        shutil.rmtree(folder, ignore_errors=True)
