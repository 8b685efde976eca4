"""Reading a dump's files as untrusted input: named plainly, regular, bounded line by line.

A dump may come from elsewhere, and its manifest names the files to read: a name that
climbs out of the folder, a link to /proc or /dev/zero, or a FIFO would make `vouch load`
read what it should not, forever. A line of gigabytes, or nested thousands deep, would
take the memory or the stack. The sha256 in the manifest detects damage, not intent:
whoever can change a file can change its checksum too.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from api.dump.format import DumpError

MAX_LINE_BYTES = 2**20
"""A row's line, at most: 50 times the longest row the API's text limits allow."""
MAX_DEPTH = 100
"""JSON nesting, at most: the JSON columns hold a few levels; the parser recurses per level."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKET = re.compile(rb"[\[\]{}]")


def is_plain_name(name: str) -> bool:
    """A file name alone: no folder, no `..`, nothing a path would read as a separator."""
    return name not in ("", ".", "..") and not any(c in name for c in ("/", "\\", "\x00"))


def open_inside(folder: Path, name: str, *, hint: str = "") -> BinaryIO:
    """The regular file `name` in `folder`, opened for reading: never what a link leads out
    to, a device or a FIFO (opened without blocking, so a FIFO cannot stall the load)."""
    path = folder / name
    try:
        resolved = path.resolve(strict=True)
        if resolved.parent != folder.resolve():
            raise DumpError(f"{path}: not a regular file inside the dump folder")
        descriptor = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except FileNotFoundError as error:
        raise DumpError(f"{path}: no such file{hint}") from error
    except OSError as error:
        raise DumpError(f"{path}: cannot read it ({error.strerror or error})") from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise DumpError(f"{path}: not a regular file inside the dump folder")
    return os.fdopen(descriptor, "rb")


def read_lines(file: BinaryIO, path: Path) -> Iterator[tuple[int, bytes]]:
    """(line number, line) for each line, none read past MAX_LINE_BYTES."""
    number = 0
    while line := file.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(line) > MAX_LINE_BYTES:
            raise damaged(path, number, f"longer than {MAX_LINE_BYTES:,} bytes")
        yield number, line


def check_depth(path: Path, number: int, line: bytes) -> None:
    """Refuse a line nested deeper than MAX_DEPTH before the JSON parser recurses into it."""
    if line.count(b"[") + line.count(b"{") <= MAX_DEPTH:
        return  # the common case, counted in C: it cannot nest deeper than it opens
    depth = 0
    for bracket in _BRACKET.finditer(_STRING.sub(b"", line)):
        depth += 1 if bracket[0] in b"[{" else -1
        if depth > MAX_DEPTH:
            raise damaged(path, number, f"nested deeper than {MAX_DEPTH} levels")


def damaged(path: Path, number: int, reason: str) -> DumpError:
    return DumpError(f"{path}, line {number}: {reason}; the file is damaged; nothing was loaded")
