"""Vouch installed from its wheel, as docs/deploy.md installs it, works from any folder.

The wheel is built once from a copy of the checkout, installed into a virtualenv outside
it (its dependencies come from the package index, through pip), and the guide's commands
run from an unrelated folder: nothing may be read from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.server import free_port
from tests.test_deploy_guide import block_with, run_block, wait_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
# What a fresh clone does not have (or the build would not need).
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "*.egg-info", "node_modules", "__pycache__", ".*_cache"
)


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path
    build_log: str
    env: dict[str, str]
    elsewhere: Path

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        return run_block(script, env=self.env, cwd=self.elsewhere)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    tmp = tmp_path_factory.mktemp("installed")
    source, venv, dist, elsewhere = (tmp / name for name in ("src", "venv", "dist", "ops"))
    shutil.copytree(ROOT, source, ignore=NOT_IN_A_CLONE)
    elsewhere.mkdir()
    environ = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # Not the test's virtualenv: the guide's `python3`, then only the new venv's commands.
    path = os.pathsep.join(
        part for part in environ["PATH"].split(os.pathsep) if not part.startswith(str(ROOT))
    )
    env = {
        **environ,
        "PATH": f"{venv / 'bin'}{os.pathsep}{path}",
        "VOUCH_DATA_DIR": str(tmp / "var"),
        "VOUCH_ENV": "test",
        "VOUCH_DATABASE_URL": "",
    }
    install = (
        block_with("/opt/vouch/bin/pip install")
        .replace("/opt/vouch", str(venv))
        .replace("/tmp/vouch-dist", str(dist))  # noqa: S108 (the guide's folder, replaced)
        .replace("/path/to/vouch", str(source))
        .replace("pip wheel ", "pip wheel --verbose ")
    )
    done = run_block(install, env=env, cwd=elsewhere)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = dist.glob("vouch-*.whl")
    return Installed(venv, wheel, done.stdout + done.stderr, env, elsewhere)


def test_the_code_comes_from_the_wheel_not_the_checkout(installed: Installed) -> None:
    done = installed.run("python -c 'import api, directory_site; print(api.__file__)'")

    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).is_relative_to(installed.venv)


def test_the_wheel_says_apache_2_without_a_deprecation_warning(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        metadata = wheel.read("vouch-0.1.0.dist-info/METADATA").decode()

    assert "License-Expression: Apache-2.0" in metadata.splitlines()
    assert "vouch-0.1.0.dist-info/licenses/LICENSE" in names
    # setuptools warned: "`project.license` as a TOML table is deprecated".
    assert "Warning:" not in installed.build_log


def test_the_deploy_guide_runs_from_another_folder(installed: Installed) -> None:
    migrate = installed.run(block_with("vouch apikey create --role admin"))
    assert migrate.returncode == 0, migrate.stderr
    demo = installed.run("vouch demo-data --partners 20")
    assert demo.returncode == 0, demo.stderr
    index = installed.run(block_with("vouch index build"))
    assert index.returncode == 0, index.stderr
    site_folder = installed.elsewhere / "site"
    guide_site = block_with("vouch site build")
    site = installed.run(guide_site.replace("/srv/vouch/site", str(site_folder)))
    assert site.returncode == 0, site.stderr
    assert (site_folder / "index.html").is_file()
    assert (site_folder / "stylesheets" / "vouch.css").is_file()

    port = free_port()
    with subprocess.Popen(
        ["vouch", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=installed.elsewhere, env=installed.env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) as server:  # fmt: skip
        try:
            assert wait_for(f"http://127.0.0.1:{port}/healthz") == 200
            answer = httpx.post(
                f"http://127.0.0.1:{port}/graphql",
                json={"query": "{ partners(first: 3) { edges { node { slug } } } }"},
                timeout=30,
            )
            ide = httpx.get(f"http://127.0.0.1:{port}/graphiql/graphiql.min.js", timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=60)
    assert answer.status_code == 200, answer.text
    assert len(json.loads(answer.text)["data"]["partners"]["edges"]) == 3
    assert ide.status_code == 200


def test_every_file_of_the_packages_is_in_the_wheel(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        shipped = set(wheel.namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "api", "directory_site", "search_index"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip

    assert tracked
    assert set(tracked) - shipped == set()
