"""Settings from the environment, and the `vouch` command line run as the operator runs it."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from api.cli import build_parser
from api.db import create_db_engine, session_factory
from api.models import ApiKey
from api.services.apikeys import authenticate
from api.settings import SEARCH_ENGINES, SettingsError, load_settings, parse_database_url
from search_index import ENGINES
from tests.cli_runner import vouch_at
from tests.databases import Database

UNREACHABLE_POSTGRES = "postgresql://vouch@127.0.0.1:1/vouch"

# --- settings -----------------------------------------------------------------------------


def test_defaults() -> None:
    settings = load_settings({})

    assert settings.data_dir == Path("var")
    assert settings.database_url.drivername in ("sqlite", "sqlite+pysqlite")
    assert Path(settings.database_url.database or "") == Path("var") / "vouch.db"
    assert settings.environment == "development"
    assert settings.production is False


def test_the_default_database_lives_in_the_data_dir(tmp_path: Path) -> None:
    settings = load_settings({"VOUCH_DATA_DIR": str(tmp_path)})

    assert settings.data_dir == tmp_path
    assert Path(settings.database_url.database or "") == tmp_path / "vouch.db"
    assert settings.index_dir == tmp_path / "index"
    assert settings.site_dir == tmp_path / "site"


def test_a_plain_postgresql_url_gets_the_psycopg_driver() -> None:
    settings = load_settings({"VOUCH_DATABASE_URL": "postgresql://u@h/db"})

    url = settings.database_url
    assert (url.drivername, url.username, url.host, url.database) == (
        "postgresql+psycopg",
        "u",
        "h",
        "db",
    )


def test_production_is_an_environment() -> None:
    settings = load_settings({"VOUCH_ENV": "production"})

    assert settings.production is True


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"VOUCH_DATABASE_URL": "not a url"}, "VOUCH_DATABASE_URL"),
        ({"VOUCH_DATABASE_URL": "://nothing"}, "VOUCH_DATABASE_URL"),
        ({"VOUCH_DATABASE_URL": "mysql://u@h/db"}, "VOUCH_DATABASE_URL"),
        ({"VOUCH_DATABASE_URL": "postgresql://u@h"}, "VOUCH_DATABASE_URL"),
        ({"VOUCH_DATABASE_URL": "postgresql+psycopg://u@h/"}, "VOUCH_DATABASE_URL"),
        ({"VOUCH_ENV": "staging"}, "VOUCH_ENV"),
        ({"VOUCH_SEARCH_ENGINE": "elasticsearch"}, "VOUCH_SEARCH_ENGINE"),
        ({"VOUCH_SEARCH_ENGINE": "Tantivy"}, "VOUCH_SEARCH_ENGINE"),
    ],
    ids=[
        "malformed",
        "no-scheme",
        "mysql",
        "postgres-without-database",
        "postgres-empty-database",
        "unknown-environment",
        "unknown-search-engine",
        "search-engine-in-capitals",
    ],
)
def test_a_bad_setting_names_its_variable(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(environ)


def test_the_search_engine_is_whoosh_unless_tantivy_is_named() -> None:
    assert load_settings({}).search_engine == "whoosh"
    assert load_settings({"VOUCH_SEARCH_ENGINE": ""}).search_engine == "whoosh"
    assert load_settings({"VOUCH_SEARCH_ENGINE": "tantivy"}).search_engine == "tantivy"
    assert SEARCH_ENGINES == ENGINES  # every engine search_index has can be named


def test_a_url_with_a_port_that_is_not_a_number_names_its_variable() -> None:
    # make_url raises a bare ValueError here, not its ArgumentError.
    with pytest.raises(SettingsError, match="VOUCH_DATABASE_URL") as raised:
        load_settings({"VOUCH_DATABASE_URL": "postgresql://vouch:s3cret@h:abc/db"})

    assert "s3cret" not in str(raised.value)


def test_a_malformed_url_is_not_echoed_with_its_password() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"VOUCH_DATABASE_URL": "postgresql//vouch:s3cret@h/db"})

    assert "VOUCH_DATABASE_URL" in str(raised.value)
    assert "s3cret" not in str(raised.value)


def test_a_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")

    with pytest.raises(SettingsError, match="VOUCH_DATA_DIR"):
        load_settings({"VOUCH_DATA_DIR": str(a_file)})


@pytest.mark.parametrize(
    "token",
    ["short", "x" * 257, "a token with spaces in it, long enough to count", "é" * 40],
    ids=["short", "long", "spaces", "not-ascii"],
)
def test_a_bad_metrics_token_names_its_variable_and_is_not_echoed(token: str) -> None:
    with pytest.raises(SettingsError, match="VOUCH_METRICS_TOKEN") as raised:
        load_settings({"VOUCH_METRICS_TOKEN": token})

    assert token not in str(raised.value)


def test_a_metrics_token_is_kept_and_none_turns_metrics_off() -> None:
    token = "0123456789abcdef" * 4

    assert load_settings({"VOUCH_METRICS_TOKEN": token}).metrics_token == token
    assert load_settings({}).metrics_token is None


def test_parse_database_url_names_the_variable_it_is_given() -> None:
    with pytest.raises(SettingsError, match="OTHER_URL"):
        parse_database_url("mysql://u@h/db", variable="OTHER_URL")


# --- the command line ---------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def url_of(db: Database) -> str:
    return db.url.render_as_string(hide_password=False)


def test_db_upgrade_creates_the_tables_in_a_fresh_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "fresh" / "vouch.db"

    result = vouch_at("db", "upgrade", data_dir=tmp_path, url=sqlite_url(database))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert database.exists()
    engine = create_db_engine(parse_database_url(sqlite_url(database)))
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"partners", "vendors", "api_keys", "audit_log", "alembic_version"} <= tables


def test_db_upgrade_on_a_migrated_database_changes_nothing(db: Database, tmp_path: Path) -> None:
    result = vouch_at("db", "upgrade", data_dir=tmp_path, url=url_of(db))

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_a_malformed_database_url_exits_2_naming_the_variable(tmp_path: Path) -> None:
    result = vouch_at("db", "upgrade", data_dir=tmp_path, url="not a url")

    assert result.returncode == 2
    assert "VOUCH_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_url_with_a_bad_port_exits_2_without_a_traceback(tmp_path: Path) -> None:
    result = vouch_at("db", "upgrade", data_dir=tmp_path, url="postgresql://u:pw@h:abc/db")

    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert "VOUCH_DATABASE_URL" in result.stderr


def test_an_unreachable_postgresql_exits_1_without_a_traceback(tmp_path: Path) -> None:
    result = vouch_at("db", "upgrade", data_dir=tmp_path, url=UNREACHABLE_POSTGRES)

    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_apikey_create_prints_a_key_that_authenticates(db: Database, tmp_path: Path) -> None:
    result = vouch_at("apikey", "create", "--role", "admin", data_dir=tmp_path, url=url_of(db))

    assert result.returncode == 0, result.stderr
    *before, key = result.stdout.splitlines()
    assert key.startswith("vouch_")
    assert key.split() == [key]
    assert all(key not in line for line in before)

    with session_factory(db.engine)() as session:
        caller = authenticate(session=session, presented=key)
        stored = session.scalar(select(ApiKey).where(ApiKey.prefix == caller.key_prefix))
    assert caller.role == "admin"
    assert stored is not None
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_apikey_create_for_an_unknown_partner_exits_1(db: Database, tmp_path: Path) -> None:
    result = vouch_at(
        "apikey",
        "create",
        "--role",
        "partner",
        "--partner",
        "nobody",
        data_dir=tmp_path,
        url=url_of(db),
    )

    assert result.returncode == 1
    assert "nobody" in result.stderr
    assert "Traceback" not in result.stderr
    assert "vouch_" not in result.stdout
    with session_factory(db.engine)() as session:
        assert session.scalars(select(ApiKey)).all() == []


def test_vouch_help_lists_the_contract_commands(tmp_path: Path) -> None:
    # The console script when `pip install -e .` put it beside this interpreter.
    script = shutil.which("vouch", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "api.cli"]

    result = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: vouch")
    for name in ("db", "demo-data", "serve", "apikey"):
        assert name in result.stdout


@pytest.mark.parametrize(
    ("command", "action"), [("db", "upgrade"), ("apikey", "create")], ids=["db", "apikey"]
)
def test_the_help_of_a_command_lists_its_actions(
    command: str, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([command, "--help"])

    assert exited.value.code == 0
    assert action in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "upgrade"],
        ["demo-data", "--partners", "3", "--seed", "7"],
        ["serve", "--host", "127.0.0.2", "--port", "8080"],
        ["apikey", "create", "--role", "partner", "--partner", "p", "--vendor", "v"],
    ],
    ids=["db-upgrade", "demo-data", "serve", "apikey-create"],
)
def test_the_parser_takes_the_contract_options(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)

    assert callable(args.run)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "argument --port: '99999' is not a port"),
        (["--port", "0"], "argument --port: '0' is not a port"),
        (["--port", "http"], "argument --port: 'http' is not a port"),
        (["--workers", "0"], "argument --workers: '0' is not a number of workers"),
        (["--workers", "100000"], "argument --workers: '100000' is not a number of workers"),
    ],
    ids=["port-too-large", "port-zero", "port-not-a-number", "no-workers", "too-many-workers"],
)
def test_serve_refuses_a_bad_port_or_worker_count_in_one_line(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    database = sqlite_url(tmp_path / "vouch.db")

    result = vouch_at("serve", *argv, data_dir=tmp_path, url=database, timeout=30)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.splitlines()[-1]
    assert last.startswith(f"vouch serve: error: {message}: give a whole number from 1 to ")
    assert not (tmp_path / "vouch.db").exists()
