"""Files carried from the published site into a new build, and writes that never reach it.

An incremental build starts as a copy of the published site made of hard links (a copy
where the file system has none), so a page nobody touched costs a directory entry: made
from nothing, or, cheaper at scale, from the site the last one replaced, kept as a spare
(sync_tree links again only the entries a build changed since). A linked file shares its
bytes with the published one: every write into the new build goes through `put`, which
replaces the entry instead of writing through it, so the published site is only ever read
while it serves.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Collection
from pathlib import Path


def sync_tree(published: Path, spare: Path, *, skip: Collection[str] = ()) -> int:
    """`spare` (an empty folder, or an earlier copy of `published`: an older site) made a
    copy of `published` of hard links (copies where the file system has none): each entry
    whose inode differs from the published one's (a file a later build wrote), or that is
    missing, is linked, and what the published site does not have goes; the top-level
    `skip` go too. Every entry is compared, so a spare left half-synced by a killed build
    is put right by the next. The entries it linked or removed."""
    done = 0
    folders = [(os.fspath(published), os.fspath(spare), True)]
    while folders:
        source, target, top = folders.pop()
        with os.scandir(source) as entries:
            wanted = {e.name: e for e in entries if not (top and e.name in skip)}
        with os.scandir(target) as entries:
            held = {e.name: e for e in entries}
        for name, entry in wanted.items():
            there = held.pop(name, None)
            path = os.path.join(target, name)
            if entry.is_dir(follow_symlinks=False):
                if there is not None and not there.is_dir(follow_symlinks=False):
                    os.unlink(path)
                    there = None
                if there is None:
                    os.mkdir(path)
                folders.append((entry.path, path, False))
                continue
            if there is not None:
                if not there.is_dir(follow_symlinks=False) and there.inode() == entry.inode():
                    continue  # the same file: a build never writes through a link
                _remove(there)
            _link_or_copy(entry.path, path)
            done += 1
        for there in held.values():
            _remove(there)
            done += 1
    return done


def _remove(entry: os.DirEntry[str]) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def put(path: Path, content: str | bytes) -> bool:
    """Write `content` at `path` unless it holds exactly that already (then a carried page
    stays the published one's link); never through a link. Whether it wrote."""
    data = content.encode() if isinstance(content, str) else content
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
        path.unlink()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def file_sizes(folder: Path) -> dict[str, int]:
    """Every file under `folder` (links not followed; none if it is missing) by its POSIX
    path there: its size. Strings and one scandir a folder, not Path objects: a site of
    100,000 partners has 300,000 files."""
    found = {}
    folders = [("", os.fspath(folder))] if folder.is_dir() else []
    while folders:
        prefix, here = folders.pop()
        with os.scandir(here) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{prefix}{entry.name}/", entry.path))
                elif entry.is_file(follow_symlinks=False):
                    found[f"{prefix}{entry.name}"] = entry.stat(follow_symlinks=False).st_size
    return found


def drop(path: Path) -> None:
    """Remove `path` from the new build (the published site keeps its own entry)."""
    path.unlink(missing_ok=True)
