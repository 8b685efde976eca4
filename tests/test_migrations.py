"""The migrations build the models' schema on both backends, and go down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from api import asgi, migrations
from api.db import create_db_engine
from api.metrics import TALLY_COLUMNS
from api.models import Base
from api.settings import parse_database_url
from tests.cli_runner import vouch_at
from tests.databases import throwaway_postgres
from tests.outside_parts import unavailable


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_reason: str | None
) -> Iterator[URL]:
    if request.param == "postgresql":
        if postgres_reason:
            unavailable(postgres_reason)
        with throwaway_postgres() as url:
            yield url
    else:
        yield parse_database_url(f"sqlite:///{tmp_path / 'm.db'}")


def tables(url: URL) -> set[str]:
    engine = create_db_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_leaves_the_models_schema(empty_url: URL) -> None:
    migrations.upgrade(empty_url)
    assert tables(empty_url) == set(Base.metadata.tables)

    migrations.downgrade(empty_url)
    assert tables(empty_url) == set()

    migrations.upgrade(empty_url)
    migrations.check(empty_url)  # raises when models and migrations disagree
    assert tables(empty_url) == set(Base.metadata.tables)


def test_upgrading_keeps_every_row_that_refers_to_a_copied_table(empty_url: URL) -> None:
    # SQLite copies a table to alter it (batch mode); with foreign keys on, dropping the
    # old `partners` once cascaded to its offices and claims. Found upgrading 0005 -> 0006.
    migrations.upgrade(empty_url, "0005")
    engine = create_db_engine(empty_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO industries (id, slug, name) VALUES (1, 'h', 'H')"))
            connection.execute(
                text(
                    "INSERT INTO partners (id, slug, name, partner_types, languages, version, "
                    "created_at, updated_at) VALUES (1, 'p', 'P', '[]', '[]', 1, "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO offices (partner_id, city, country, latitude, longitude, "
                    "is_headquarters) VALUES (1, 'Berlin', 'DE', 52.5, 13.4, true)"
                )
            )
            connection.execute(
                text("INSERT INTO partner_industries (partner_id, industry_id) VALUES (1, 1)")
            )
        migrations.upgrade(empty_url)
        with engine.connect() as connection:
            counts = [
                connection.scalar(text(f"SELECT count(*) FROM {table}"))
                for table in ("partners", "offices", "partner_industries")
            ]
            capabilities = connection.scalar(text("SELECT capabilities FROM partners"))
    finally:
        engine.dispose()
    assert counts == [1, 1, 1]
    assert capabilities in ("[]", [])


def test_upgrading_keeps_each_engagement_confirmed_or_not_and_names_who_recorded_it(
    empty_url: URL,
) -> None:
    # given: before 0008, a vendor's confirmed engagement, an admin's (no vendor), and a
    # partner's proposal waiting for its vendor
    migrations.upgrade(empty_url, "0007")
    engine = create_db_engine(empty_url)
    try:
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO industries (id, slug, name) VALUES (1, 'h', 'H')",
                "INSERT INTO vendors (id, slug, name) VALUES (1, 'v', 'V')",
                "INSERT INTO partners (id, slug, name, partner_types, languages, capabilities, "
                "version, ranking_key, created_at, updated_at) VALUES (1, 'p', 'P', '[]', '[]', "
                "'[]', 1, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                "INSERT INTO customers (id, name, email_domain, industry_id) "
                "VALUES (1, 'C', 'c.example', 1)",
            ):
                connection.execute(text(statement))
            for number, vendor, confirmed in ((1, 1, True), (2, None, True), (3, 1, False)):
                connection.execute(
                    text(
                        "INSERT INTO engagements (id, partner_id, customer_id, vendor_id, "
                        "industry_id, status, confirmed, created_at) VALUES (:id, 1, 1, :vendor, "
                        "1, 'completed', :confirmed, CURRENT_TIMESTAMP)"
                    ),
                    {"id": number, "vendor": vendor, "confirmed": confirmed},
                )

        # when: upgraded to the head
        migrations.upgrade(empty_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, confirmed, recorded_by, disputed_at FROM engagements ORDER BY id")
            ).all()
    finally:
        engine.dispose()

    # then: each keeps its state; the proposal still waits for the vendor
    assert [(i, bool(c), by, at) for i, c, by, at in rows] == [
        (1, True, "vendor", None),
        (2, True, "admin", None),
        (3, False, "partner", None),
    ]


def _copy(partner: int, kind: str, segment: str, promoters: int, through: int) -> str:
    """An INSERT of a published copy of `promoters` answers of 10 (column names only)."""
    zeros = dict.fromkeys(TALLY_COLUMNS, 0)
    values = {**zeros, "n": promoters, "lp_10": promoters, "engagements_covered": promoters}
    columns = ", ".join(values)
    numbers = ", ".join(str(value) for value in values.values())
    return (
        f"INSERT INTO published_tallies (partner_id, kind, segment, invitations, "
        f"published_through, published_at, {columns}) VALUES ({partner}, '{kind}', "
        f"'{segment}', 7, {through}, CURRENT_TIMESTAMP, {numbers})"
    )


def test_upgrading_empties_the_published_copies_under_five_answers(empty_url: URL) -> None:
    # given: an install as 0005 and `vouch demo-data` left it: one partner's figures
    # published on 3 answers (its reviews shown beside withheld figures), another's on 6
    migrations.upgrade(empty_url, "0007")
    engine = create_db_engine(empty_url)
    try:
        with engine.begin() as connection:
            for number in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO partners (id, slug, name, partner_types, languages, "
                        "capabilities, version, ranking_key, created_at, updated_at) VALUES "
                        f"({number}, 'p{number}', 'P', '[]', '[]', '[]', 1, 0, "
                        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    )
                )
            connection.execute(text(_copy(1, "all", "", 3, through=3)))
            connection.execute(text(_copy(1, "quarter", "2026-Q4", 3, through=3)))
            connection.execute(text(_copy(2, "all", "", 6, through=6)))
            connection.execute(
                text(
                    "INSERT INTO published_market (kind, segment, engagements_covered, "
                    f"{', '.join(TALLY_COLUMNS)}) SELECT kind, segment, "
                    f"SUM(engagements_covered), {', '.join(f'SUM({c})' for c in TALLY_COLUMNS)} "
                    "FROM published_tallies WHERE kind = 'all' GROUP BY kind, segment"
                )
            )

        # when: the install is upgraded
        migrations.upgrade(empty_url)

        # then: the small copies publish nothing, the invitations stay, the market is the
        # other partner's six answers alone, and the derived copies are told
        with engine.connect() as connection:
            copies = connection.execute(
                text(
                    "SELECT partner_id, kind, n, lp_10, published_through, invitations "
                    "FROM published_tallies ORDER BY partner_id, kind"
                )
            ).all()
            market = connection.execute(
                text("SELECT n, lp_10, engagements_covered FROM published_market")
            ).all()
            told = connection.scalar(
                text("SELECT count(*) FROM change_log WHERE reason = 'everything'")
            )
    finally:
        engine.dispose()
    assert [tuple(row) for row in copies] == [
        (1, "all", 0, 0, 0, 7),
        (1, "quarter", 0, 0, 0, 7),
        (2, "all", 6, 6, 6, 7),
    ]
    assert [tuple(row) for row in market] == [(6, 6, 6)]
    assert told == 2  # 0006's and this upgrade's


def _where(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@pytest.mark.parametrize(
    "command",
    [
        ["site", "build"],
        ["index", "build"],
        ["match", "--industry", "healthcare"],
        ["export", "dump"],
        ["apikey", "create", "--role", "admin"],
        ["serve", "--port", "1"],
    ],
    ids=" ".join,
)
def test_a_database_never_migrated_says_run_vouch_db_upgrade(
    empty_url: URL, tmp_path: Path, command: list[str]
) -> None:
    url = empty_url.render_as_string(hide_password=False)
    done = vouch_at(*[str(tmp_path / a) if a == "dump" else a for a in command],
                    url=url, data_dir=tmp_path / "data")  # fmt: skip

    assert done.returncode == 1, done.stdout
    # (A progress bar that never started leaves an empty line.)
    assert [line for line in done.stderr.splitlines() if line] == [
        f"vouch: the database at {_where(empty_url)} has no Vouch tables: run `vouch db upgrade`"
    ]
    assert not (tmp_path / "dump").exists()


def test_a_database_behind_the_code_says_it_needs_upgrading(empty_url: URL, tmp_path: Path) -> None:
    migrations.upgrade(empty_url, "0006")
    url = empty_url.render_as_string(hide_password=False)

    done = vouch_at("apikey", "create", "--role", "admin", url=url, data_dir=tmp_path)
    upgraded = vouch_at("db", "upgrade", url=url, data_dir=tmp_path)
    again = vouch_at("apikey", "create", "--role", "admin", url=url, data_dir=tmp_path)

    head = migrations.head_revision()
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"vouch: the database at {_where(empty_url)} is at revision 0006, behind this "
        f"Vouch's {head}: run `vouch db upgrade`"
    ]
    assert upgraded.returncode == 0, upgraded.stderr
    assert again.returncode == 0, again.stderr


def test_the_app_factory_refuses_a_database_never_migrated(
    empty_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOUCH_DATABASE_URL", empty_url.render_as_string(hide_password=False))
    monkeypatch.setenv("VOUCH_DATA_DIR", str(tmp_path))

    with pytest.raises(SystemExit, match=r"has no Vouch tables: run `vouch db upgrade`$"):
        asgi.create()
