"""Two `vouch site build`s of the same database are the same bytes, whatever day they run.

A mirror, a CDN or an operator comparing yesterday's site with today's sees a change only
where the data changed. SQLite only: the pages read the same value on either backend.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from api.db import create_db_engine
from api.models import published_tallies
from api.settings import parse_database_url
from tests.cli_runner import vouch_at
from tests.databases import Database

ANOTHER_DAY = "1893456000"  # 2030-01-01: mkdocs reads SOURCE_DATE_EPOCH as the build's clock
PUBLISHED = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def fingerprints(site: Path) -> dict[str, str]:
    return {
        path.relative_to(site).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def demo_url(database: Database, tmp_path: Path) -> str:
    """A 30-partner demo directory whose figures were all published on PUBLISHED."""
    if database.backend != "sqlite":
        pytest.skip("SQLite only: the site reads the same published value on PostgreSQL")
    url = f"sqlite:///{tmp_path / 'demo' / 'vouch.db'}"
    (tmp_path / "demo").mkdir()
    for command in (("db", "upgrade"), ("demo-data", "--partners", "30", "--seed", "3")):
        result = vouch_at(*command, url=url, data_dir=tmp_path / "demo")
        assert result.returncode == 0, result.stderr
    engine = create_db_engine(parse_database_url(url))
    with engine.begin() as connection:
        connection.execute(update(published_tallies).values(published_at=PUBLISHED))
    engine.dispose()
    return url


def test_two_builds_of_the_same_data_are_byte_identical(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: the same database, built today and (by the build's clock) on another day
    first = vouch_at("site", "build", "--out", str(tmp_path / "a"), url=demo_url, data_dir=tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", ANOTHER_DAY)
    second = vouch_at(
        "site", "build", "--out", str(tmp_path / "b"), url=demo_url, data_dir=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr

    # when: every file of the two sites is compared byte for byte
    a, b = fingerprints(tmp_path / "a"), fingerprints(tmp_path / "b")

    # then: the same files, the same bytes (charts' ids and the sitemap's date included)
    assert a.keys() == b.keys()
    assert len(a) > 60  # partner pages, lists, data files, the search index, the sitemap
    differing = sorted(name for name in a if a[name] != b[name])
    assert differing == []
    # and each chart still points at a title and a description of its own page, once each
    pages = [tmp_path / "a" / "market.html", *sorted((tmp_path / "a" / "partners").glob("*.html"))]
    charts = 0
    for page in pages:
        html = page.read_text()
        ids = re.findall(r' id="([^"]+)"', html)
        for labelled in re.findall(r'aria-labelledby="([^"]+)"', html):
            charts += 1
            assert [ids.count(name) for name in labelled.split()] == [1, 1], page.name
    assert charts > 5  # the market chart and the partners whose segments are shown


def test_the_sitemap_is_dated_by_the_data_not_by_the_build(demo_url: str, tmp_path: Path) -> None:
    # when: the site is built from figures last published on 14 March 2026
    result = vouch_at(
        "site", "build", "--out", str(tmp_path / "s"), url=demo_url, data_dir=tmp_path
    )
    assert result.returncode == 0, result.stderr

    # then: the compressed sitemap carries that day (midnight UTC), not the day of the build
    with gzip.open(tmp_path / "s" / "sitemap.xml.gz") as opened:
        opened.read()
        assert opened.mtime == int(datetime(2026, 3, 14, tzinfo=UTC).timestamp())
