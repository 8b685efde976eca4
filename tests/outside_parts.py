"""What a test needs from outside the project: PostgreSQL, Chromium, node and npm.

On a developer's machine a missing part skips the tests that need it, saying which part;
under CI=true it fails them, so a run that silently tested less can never pass.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(reason: str, *, whole_module: bool = False) -> NoReturn:
    """Skip (or under CI=true fail) the test; with `whole_module`, every test of the module
    that calls it while it is imported."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: every outside part must be there)", pytrace=False)
    pytest.skip(reason, allow_module_level=whole_module)
