"""CI cannot pass by skipping: a test that needs PostgreSQL, Chromium or npm skips without it
on a developer's machine, and fails under CI=true, which .ci/run sets."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# A skip whose reason names one of these is a missing outside part: tests/outside_parts.py
# decides, not the test.
OUTSIDE_PART = re.compile(r"chromium|playwright|\bnpm\b|\bnode\b|no postgresql", re.I)
SKIPS = {"skip", "importorskip", "skipif"}

NEEDS_A_PART = """
from tests.outside_parts import unavailable

def test_needs_chromium() -> None:
    unavailable("no chromium here")
"""


def _run(test_file: Path, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", str(test_file)],
        cwd=ROOT,
        env={**env, **environ},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("ci", "code", "outcome"), [("", 0, "1 skipped"), ("true", 1, "1 failed")])
def test_a_missing_part_skips_and_fails_under_ci(
    tmp_path: Path, ci: str, code: int, outcome: str
) -> None:
    test_file = tmp_path / "test_needs_a_part.py"
    test_file.write_text(NEEDS_A_PART)

    done = _run(test_file, CI=ci)

    assert done.returncode == code, done.stdout
    assert outcome in done.stdout
    assert "no chromium here" in done.stdout


def test_ci_runs_with_ci_true() -> None:
    script = (ROOT / ".ci" / "run").read_text()

    assert re.search(r"^export CI=true$", script, flags=re.M)
    assert script.index("export CI=true") < script.index("make test")


def _skip_reasons(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
        if name in SKIPS:
            words = " ".join(
                part.value
                for argument in [*node.args, *(keyword.value for keyword in node.keywords)]
                for part in ast.walk(argument)
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            found.append((node.lineno, words))
    return found


def test_every_missing_outside_part_goes_through_outside_parts() -> None:
    direct = [
        f"{path.name}:{line}: {words}"
        for path in sorted((ROOT / "tests").glob("*.py"))
        if path.name != "outside_parts.py"
        for line, words in _skip_reasons(path)
        if OUTSIDE_PART.search(words)
    ]

    assert direct == []
