"""Worker processes that die with the build that started them.

A `kill -9` of the build gives its workers no word: forked ones lived on, asleep on the
task queue (which they held open themselves), holding the build lock they had inherited,
so every later build waited out the lock and failed. So the workers are spawned, not
forked (they inherit no open file, the lock's neither, and no thread of the parent's),
and on Linux ask the kernel to SIGKILL them the moment their parent dies. (Elsewhere a
killed build's workers may still outlive it, but hold no lock.)
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes that die when this process dies. Create it and submit
    to it from the main thread: the kernel's death signal follows the thread that started
    the worker."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def die_with_parent(parent: int) -> None:
    """In a worker: be killed when `parent` dies, or exit now if it already has."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The parent may have died before the signal was asked for: then it never comes.
    if os.getppid() != parent:
        os._exit(1)
