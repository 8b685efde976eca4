"""docs/deploy.md stays true: its commands parse, and the ones marked (tested) run as written.

A marked block runs in bash (`set -euo pipefail`) with the venv's `vouch` first on PATH;
the guide's host names are the only thing replaced (db.internal, the vouch role and
databases become a throwaway database on the test server).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL

from api.cli import build_parser
from api.db import create_db_engine
from api.settings import load_settings, parse_database_url
from tests.databases import throwaway_postgres
from tests.dump_helpers import every_row, fill
from tests.outside_parts import unavailable
from tests.server import free_port

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "deploy.md").read_text()
BIN = Path(sys.executable).parent
GUIDE_PG = "postgresql+psycopg://vouch@db.internal:5432/vouch"


def blocks(language: str | None = None) -> list[str]:
    found = re.findall(r"^```(\w*)\n(.*?)^```$", GUIDE, flags=re.M | re.S)
    return [body for lang, body in found if language is None or lang == language]


def block_with(text: str) -> str:
    (found,) = [body for body in blocks("sh") if text in body]
    return found


def vouch_commands() -> Iterator[str]:
    """Every `vouch COMMAND ...` of the shell, ini and cron blocks, up to a separator."""
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    names = "|".join(re.escape(name) for name in sub.choices)
    pattern = re.compile(rf"(?:^|[\s/])vouch ((?:{names})\b[^;&#|\n]*)")
    for language in ("sh", "ini", ""):
        for body in blocks(language):
            yield from (match.group(1).strip() for match in pattern.finditer(body))


def test_the_guide_is_linked_from_the_readme() -> None:
    assert "(docs/deploy.md)" in (ROOT / "README.md").read_text()


def test_every_vouch_command_in_the_guide_parses() -> None:
    commands = list(vouch_commands())
    assert len(commands) >= 10, commands
    parser = build_parser()
    for command in commands:
        try:
            parser.parse_args(shlex.split(command))
        except SystemExit:
            pytest.fail(f"`vouch {command}` in docs/deploy.md does not parse")


def run_block(body: str, *, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + body],
        cwd=cwd,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def rows(url: URL) -> dict[str, list[tuple[object, ...]]]:
    engine = create_db_engine(url)
    try:
        return every_row(engine)
    finally:
        engine.dispose()


@pytest.fixture
def postgres(postgres_reason: str | None) -> Iterator[URL]:
    if postgres_reason:
        unavailable(postgres_reason)
    with throwaway_postgres() as url:
        yield url


def test_sqlite_to_postgresql_in_the_two_commands_of_the_guide(
    tmp_path: Path, postgres: URL, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = block_with("vouch export dump/")
    assert len(block.strip().splitlines()) == 2
    # Given the embedded default: no VOUCH_DATABASE_URL, a SQLite file in VOUCH_DATA_DIR.
    data = tmp_path / "var"
    sqlite = parse_database_url(f"sqlite:///{data / 'vouch.db'}")
    fill(sqlite, data, partners=8)
    env = {"VOUCH_DATA_DIR": str(data), "VOUCH_ENV": "test"}
    monkeypatch.delenv("VOUCH_DATABASE_URL", raising=False)

    done = run_block(
        block.replace(GUIDE_PG, postgres.render_as_string(hide_password=False)),
        env=env,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert rows(postgres) == rows(sqlite)


def test_backup_and_restore_with_pg_dump_as_the_guide_says(tmp_path: Path, postgres: URL) -> None:
    fill(postgres, tmp_path, partners=8)
    restored = f"{postgres.database}_restored"
    libpq = f"postgresql://{postgres.username}@{postgres.host}:{postgres.port}"
    names = {
        "postgresql://vouch@db.internal:5432/vouch_restored": f"{libpq}/{restored}",
        "postgresql://vouch@db.internal:5432/vouch": f"{libpq}/{postgres.database}",
        "--host db.internal --owner vouch vouch_restored": (
            f"--host {postgres.host} --username {postgres.username} {restored}"
        ),
    }
    script = block_with("pg_dump ") + block_with("pg_restore ")
    for guide, here in names.items():
        assert guide in script
        script = script.replace(guide, here)

    try:
        done = run_block(script, env={}, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert rows(postgres.set(database=restored)) == rows(postgres)
    finally:
        subprocess.run(
            ["dropdb", "--if-exists", "--force", f"--host={postgres.host}",
             f"--username={postgres.username}", restored],
            check=False, capture_output=True,
        )  # fmt: skip


def test_the_site_and_the_search_index_as_the_guide_builds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "var"
    fill(parse_database_url(f"sqlite:///{data / 'vouch.db'}"), data, partners=6)
    site = tmp_path / "srv" / "vouch" / "site"
    script = block_with("vouch site build") + block_with("vouch index build")
    env = {"VOUCH_DATA_DIR": str(data), "VOUCH_ENV": "test"}
    monkeypatch.delenv("VOUCH_DATABASE_URL", raising=False)

    done = run_block(script.replace("/srv/vouch/site", str(site)), env=env, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert (site / "index.html").is_file()
    assert "up to date" in done.stdout


def test_the_guide_keeps_the_site_current_on_a_timer() -> None:
    # The site and its search box show old text after an API edit until the next build:
    # the guide must say how it is rebuilt, with a timer and a cron line that parse.
    section = GUIDE.split("### Keeping the site current", 1)[1].split("\n## ", 1)[0]
    fenced = re.findall(r"^```(\w*)\n(.*?)^```$", section, flags=re.M | re.S)
    units = [body for language, body in fenced if language == "ini"]
    (service,) = [unit for unit in units if "[Service]" in unit]
    (timer,) = [unit for unit in units if "[Timer]" in unit]
    assert "Type=oneshot" in service
    assert re.search(r"^OnCalendar=\S+$", timer, flags=re.M)
    (cron,) = [body for language, body in fenced if not language]
    assert re.match(r"(\S+ ){5}vouch ", cron)  # five time fields, then the user
    for line in (service, cron):
        command = re.search(r"/opt/vouch/bin/vouch (site build[^\n;]*)", line)
        assert command is not None
        build_parser().parse_args(shlex.split(command.group(1)))
    readme = (ROOT / "README.md").read_text()
    assert "(docs/deploy.md#keeping-the-site-current)" in readme


def test_migrate_and_the_first_key_as_the_guide_says(tmp_path: Path, postgres: URL) -> None:
    env = {"VOUCH_DATABASE_URL": postgres.render_as_string(hide_password=False)}

    first = run_block(block_with("vouch apikey create --role admin"), env=env, cwd=tmp_path)
    again = run_block("vouch db upgrade", env=env, cwd=tmp_path)

    assert first.returncode == 0, first.stderr
    *_, announced, key = first.stdout.splitlines()
    assert announced.startswith("created an admin key with prefix ")
    assert re.fullmatch(r"\S{20,}", key)
    assert again.stdout.startswith("the database is already at the latest revision")


def test_several_workers_on_postgresql_as_the_guide_starts_them(
    tmp_path: Path, postgres: URL
) -> None:
    (command,) = block_with("vouch serve --host").strip().splitlines()
    assert "--workers 4" in command
    port = free_port()
    url = postgres.render_as_string(hide_password=False)
    assert (
        run_block("vouch db upgrade", env={"VOUCH_DATABASE_URL": url}, cwd=tmp_path).returncode == 0
    )
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
        "VOUCH_DATABASE_URL": url,
    }
    with subprocess.Popen(
        shlex.split(command.replace("--port 8000", f"--port {port}")),
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    ) as server:  # fmt: skip
        try:
            answers = [wait_for(f"http://127.0.0.1:{port}/healthz") for _ in range(8)]
            assert set(answers) == {200}
            children = subprocess.run(
                ["pgrep", "--parent", str(server.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
            # Four workers (and multiprocessing's resource tracker beside them).
            assert len(children) >= 4
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)


def wait_for(address: str, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return httpx.get(address, timeout=5).status_code
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_guide_s_production_settings_are_accepted() -> None:
    lines = block_with("VOUCH_ENV=production").strip().splitlines()
    environ = dict(line.split("=", 1) for line in lines)

    settings = load_settings(environ)

    assert settings.production
    assert settings.database_url.get_backend_name() == "postgresql"
    assert settings.redis_url == environ["VOUCH_REDIS_URL"]
    assert settings.forwarded_allow_ips == ("127.0.0.1/32",)
