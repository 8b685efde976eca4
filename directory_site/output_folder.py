"""Which folders a site build may replace: absent, empty, or an earlier build's own.

A build replaces its output folder whole, so it must never be pointed at a folder of
someone's files (the data folder, a home folder, a web root with other sites). Every build
writes MARKER into its output, listing every file it made; the next build replaces the
folder only if MARKER is there and the folder holds nothing else. A file added since (a
`robots.txt` dropped into the web root) stops the build rather than being deleted.
"""

from __future__ import annotations

import os
from pathlib import Path

MARKER = ".vouch-site"
HEADER = "# made by `vouch site build`, which replaces this folder whole; its files:\n"


class NotASiteFolder(Exception):
    """The output folder holds files that no site build made."""


def mark(site: Path) -> None:
    """Write MARKER into the built `site`, naming every file in it."""
    made = sorted(_files(site) | {MARKER})
    (site / MARKER).write_text(HEADER + "".join(f"{name}\n" for name in made))


def check_replaceable(out: Path) -> None:
    """Raise NotASiteFolder unless `out` is absent, empty, or an earlier build's alone."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir():
        raise _refused(out, "it is not a folder")
    if not any(out.iterdir()):
        return
    marker = out / MARKER
    if not marker.is_file():
        # A look at the top only (it may be a home folder), naming a file before a folder.
        first = min((path.is_dir(), path.name) for path in out.iterdir())[1]
        raise _refused(out, f"it holds {first} and no {MARKER} file, so no site build made it")
    made = set(marker.read_text().splitlines()[1:])
    strangers = sorted(_files(out) - made)
    if strangers:
        more = f" and {len(strangers) - 1} more" if len(strangers) > 1 else ""
        raise _refused(out, f"it holds {strangers[0]}{more}, which no site build made")


def _refused(out: Path, why: str) -> NotASiteFolder:
    return NotASiteFolder(
        f"not building the site into {out}: {why}; give an empty or new folder, "
        "or move those files away"
    )


def _files(folder: Path) -> set[str]:
    """Every entry but folders under `folder`, as relative POSIX paths (links not followed).
    Strings, not Path objects: a site of 100,000 partners has 300,000 files."""
    found: set[str] = set()
    root = os.fspath(folder)
    for top, folders, names in os.walk(root):
        here = os.path.relpath(top, root).replace(os.sep, "/")
        prefix = "" if here == "." else f"{here}/"
        links = [name for name in folders if os.path.islink(os.path.join(top, name))]
        found.update(f"{prefix}{name}" for name in [*names, *links])
    return found
