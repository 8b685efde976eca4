"""The README's API examples run as written against the demo data, and answer as shown.

The rule: every fenced block of the README's "## Using the API" section (down to the next
"## " heading, subsections included) is either a ```sh example or the ```json answer of the
```sh block just before it. The ```sh blocks run in README order in one bash script
(`set -euo pipefail`), as a reader pastes them into one shell, so later blocks see the
variables (keys, ids, tokens) that earlier ones set. Any other fenced block in the section,
an answer without its request, or a request (`curl`) without its answer fails
`test_the_api_section_holds_only_examples_that_run`, and so does a `curl` call anywhere else
in the README: a new example has to be one this test runs.

Each block must exit with status 0. Where an answer is shown, the block's output must be
JSON with the same keys at every level as the one shown, and values of the same kind
(string, number, boolean; null matches anything); a list shown empty must be empty, and a
longer list is compared item by item, its extra items against the last one shown. So
numbers, ids and tokens may differ, and a field added to the API shows up here only once
an example asks for it, in its request and its shown answer alike. "errors" are allowed
only where the README shows them.

The database is what `make demo` builds: `vouch db upgrade`, `vouch demo-data
--partners 500 --seed 1` and `vouch index build`, on SQLite in a temporary VOUCH_DATA_DIR
(the README examples use the default SQLite setup; PostgreSQL answers the same and is
covered elsewhere). The server
runs on a free port, and `http://127.0.0.1:8000` in the blocks is rewritten to it. Blocks
run in a scratch folder whose `.venv/bin` is the running interpreter's, so that
`.venv/bin/vouch` is the code under test, with the same VOUCH_DATA_DIR.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from api.db import create_db_engine
from api.settings import load_settings
from tests.server import running_server

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
SECTION = "## Using the API"
README_URL = "http://127.0.0.1:8000"
DEMO = ("--partners", "500", "--seed", "1")
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Fence:
    line: int  # of the opening ``` in README.md, counting from 1
    language: str
    text: str


@dataclass(frozen=True)
class Example:
    request: Fence
    answer: Fence | None


def fences(lines: list[str], first_line: int) -> list[Fence]:
    found: list[Fence] = []
    opened: tuple[int, str] | None = None
    body: list[str] = []
    for number, line in enumerate(lines, start=first_line):
        if opened is None and line.startswith("```"):
            opened, body = (number, line[3:].strip()), []
        elif opened is not None and line.rstrip() == "```":
            found.append(Fence(opened[0], opened[1], "".join(body)))
            opened = None
        elif opened is not None:
            body.append(line)
    assert opened is None, f"README.md line {opened[0]}: a fenced block is never closed"
    return found


def api_section() -> tuple[list[Fence], list[Fence]]:
    """The fenced blocks of the API section, and those of the rest of the README."""
    lines = README.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == SECTION)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    inside = fences(lines[start:end], first_line=start + 1)
    outside = fences(lines[:start], first_line=1) + fences(lines[end:], first_line=end + 1)
    return inside, outside


def examples(blocks: list[Fence]) -> list[Example]:
    """Each ```sh block with the ```json answer right after it, if any."""
    found: list[Example] = []
    for block in blocks:
        if block.language == "sh":
            found.append(Example(block, None))
        elif block.language == "json" and found and found[-1].answer is None:
            found[-1] = Example(found[-1].request, block)
    return found


EXAMPLES = examples(api_section()[0])


def test_the_api_section_holds_only_examples_that_run() -> None:
    inside, outside = api_section()
    problems = [
        f"line {fence.line}: a ```{fence.language} block; examples are ```sh, answers ```json"
        for fence in inside
        if fence.language not in ("sh", "json")
    ]
    answers = {example.answer for example in EXAMPLES}
    for fence in inside:
        if fence.language == "json" and fence not in answers:
            problems.append(f"line {fence.line}: an answer without a ```sh request before it")
    for example in EXAMPLES:
        request = example.request
        if "curl " in request.text and example.answer is None:
            problems.append(f"line {request.line}: a request without its ```json answer")
        if "curl " in request.text and f"{README_URL}/" not in request.text:
            problems.append(f"line {request.line}: a request not sent to {README_URL}")
        if example.answer is not None:
            try:
                json.loads(example.answer.text)
            except json.JSONDecodeError as error:
                problems.append(f"line {example.answer.line}: the answer is not JSON: {error}")
    problems += [
        f"line {fence.line}: a request outside {SECTION!r}, where no test runs it"
        for fence in outside
        if "curl " in fence.text
    ]
    assert len(EXAMPLES) >= 5, "the API section has lost its examples: has it moved?"
    assert problems == []


def shape_problems(shown: Any, got: Any, where: str = "$") -> list[str]:
    """Where `got` differs from `shown` in keys, list emptiness or the kind of a value."""
    if shown is None or got is None:
        return []
    if isinstance(shown, dict):
        if not isinstance(got, dict):
            return [f"{where}: an object is shown, the answer has {got!r}"]
        problems = [f"{where}: no {key!r} in the answer" for key in shown if key not in got]
        problems += [f"{where}: {key!r} is not shown" for key in got if key not in shown]
        for key in shown:
            if key in got:
                problems += shape_problems(shown[key], got[key], f"{where}.{key}")
        return problems
    if isinstance(shown, list):
        if not isinstance(got, list):
            return [f"{where}: a list is shown, the answer has {got!r}"]
        if not shown or not got:
            return [] if shown == got else [f"{where}: {shown!r} is shown, the answer has {got!r}"]
        problems = []
        for index, item in enumerate(got):
            problems += shape_problems(shown[min(index, len(shown) - 1)], item, f"{where}[{index}]")
        return problems
    if kind(shown) != kind(got):
        return [f"{where}: a {kind(shown)} is shown, the answer has {got!r}"]
    return []


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def test_shapes_compare_keys_not_values() -> None:
    shown = {"data": {"a": [{"n": 1, "x": None}], "errors": []}}

    assert shape_problems(shown, {"data": {"a": [{"n": 2.5, "x": {}}] * 3, "errors": []}}) == []
    assert shape_problems(shown, {"data": {"a": [{"n": 1}], "errors": []}}) == [
        "$.data.a[0]: no 'x' in the answer"
    ]
    assert shape_problems(shown, {"data": {"a": [{"n": "1", "x": 0}], "errors": [{}]}}) == [
        "$.data.a[0].n: a number is shown, the answer has '1'",
        "$.data.errors: [] is shown, the answer has [{}]",
    ]
    assert shape_problems(shown, {"data": {"a": [], "errors": [], "b": 1}}) == [
        "$.data: 'b' is not shown",
        "$.data.a: [{'n': 1, 'x': None}] is shown, the answer has []",
    ]


def block_environment(data_dir: Path) -> dict[str, str]:
    """The caller's environment with no VOUCH_ setting but the demo's data folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("VOUCH_")}
    env["VOUCH_DATA_DIR"] = str(data_dir)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    # A proxy in the environment must not come between curl and the loopback server.
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    return env


def demo_vouch(env: Mapping[str, str], *args: str) -> None:
    done = subprocess.run(
        [str(BIN / "vouch"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"vouch {' '.join(args)}: {done.stderr}"


@dataclass(frozen=True)
class Run:
    ran: bool
    ok: bool
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Run]:
    """Every example block, run once in order against a fresh demo: its result by line."""
    data_dir = tmp_path_factory.mktemp("demo")
    env = block_environment(data_dir)
    demo_vouch(env, "db", "upgrade")
    demo_vouch(env, "demo-data", *DEMO)
    demo_vouch(env, "index", "build")
    shell = tmp_path_factory.mktemp("shell")
    (shell / ".venv").mkdir()
    (shell / ".venv" / "bin").symlink_to(BIN)
    results = tmp_path_factory.mktemp("results")
    settings = load_settings(env)
    engine = create_db_engine(settings.database_url)
    with running_server(settings, engine) as url:
        script = ["set -euo pipefail"]
        for example in EXAMPLES:
            out = shlex.quote(str(results / str(example.request.line)))
            text = example.request.text.replace(README_URL, url)
            script += ["{", text.rstrip("\n"), f"}} > {out}.out 2> {out}.err", f"touch {out}.ok"]
        done = subprocess.run(
            ["bash", "-c", "\n".join(script) + "\n"],
            cwd=shell,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    engine.dispose()

    def result(line: int) -> Run:
        base = results / str(line)
        ran = base.with_suffix(".out").exists()
        return Run(
            ran=ran,
            ok=base.with_suffix(".ok").exists(),
            stdout=base.with_suffix(".out").read_text() if ran else "",
            stderr=base.with_suffix(".err").read_text() if ran else done.stderr,
        )

    return {example.request.line: result(example.request.line) for example in EXAMPLES}


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"README.md:{example.request.line}" for example in EXAMPLES]
)
def test_the_example_runs_and_answers_as_shown(example: Example, runs: dict[int, Run]) -> None:
    run = runs[example.request.line]
    assert run.ran, "not run: an example before it failed"
    assert run.ok, f"failed:\n{run.stderr}{run.stdout}"
    if example.answer is None:
        return
    shown = json.loads(example.answer.text)
    try:
        got = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the output is not JSON:\n{run.stdout}{run.stderr}")
    if "errors" not in shown:
        assert "errors" not in got, got["errors"]
    assert shape_problems(shown, got) == [], json.dumps(got, indent=1)
