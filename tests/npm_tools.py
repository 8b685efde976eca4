"""npm packages the tests run, each in its own folder under tools/ with a lock file.

`npm ci` installs the locked versions on first use; node_modules is kept (and ignored by
git), and reinstalled only when the lock file is newer than the install.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.outside_parts import unavailable

TOOLS = Path(__file__).resolve().parent.parent / "tools"


def installed(tool: str) -> Path:
    """tools/<tool> with its node_modules in place; skips the test without node and npm."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable(f"tools/{tool} needs node and npm on the PATH")
    folder = TOOLS / tool
    done = folder / "node_modules" / ".package-lock.json"
    lock = folder / "package-lock.json"
    if not done.exists() or done.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            timeout=300,
        )
    return folder
