"""The SQL deadline: on SQLite set on the connection the request holds, and on no other; on
PostgreSQL set by a public request's first statement."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool, StaticPool

from api import response_cache
from api.db import create_db_engine, statement_deadline
from api.services.apikeys import authenticate
from tests import factories
from tests.databases import Database, count_statements

HEAVY = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
    " SELECT count(*) FROM n"
)


def test_a_commit_inside_the_deadline_does_not_fail_when_the_pool_closes_the_connection(
    tmp_path: Path,
) -> None:
    # given: a pool that closes every connection given back (as an overflow connection is)
    engine = create_db_engine(make_url(f"sqlite:///{tmp_path / 'v.db'}"), poolclass=NullPool)

    # when: the request commits inside its deadline, as every request does
    with Session(engine) as session, statement_deadline(session, time.monotonic() + 5):
        session.execute(text("CREATE TABLE t (x INTEGER)"))
        session.commit()

    # then: leaving the deadline did not touch the closed connection (CI saw
    # "Cannot operate on a closed database" as a 500 under 40 clients)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0


def test_a_connection_given_back_carries_no_deadline_to_its_next_user(tmp_path: Path) -> None:
    # given: one connection shared in turn, as a small pool does under load
    engine = create_db_engine(make_url(f"sqlite:///{tmp_path / 'v.db'}"), poolclass=StaticPool)
    with Session(engine) as first, statement_deadline(first, time.monotonic() + 0.05):
        first.commit()
        # when: the connection serves someone else before the first request leaves
        time.sleep(0.1)
        with Session(engine) as second:
            # then: the first request's passed deadline does not stop the second's query
            assert second.execute(text(HEAVY)).scalar() == 3000000


def test_a_query_past_its_deadline_is_stopped(tmp_path: Path) -> None:
    engine = create_db_engine(make_url(f"sqlite:///{tmp_path / 'v.db'}"))
    with (
        Session(engine) as session,
        statement_deadline(session, time.monotonic() + 0.01),
        pytest.raises(OperationalError, match="interrupted"),
    ):
        session.execute(text(HEAVY))


@pytest.mark.parametrize(
    "first", ["public: the data version", "public: no version row", "keyed: the key"]
)
def test_on_postgresql_the_first_statement_sets_the_deadline_the_operation_keeps(
    db: Database, first: str
) -> None:
    """A request's first statement (a public one's data version, a keyed one's key) carries
    its statement_timeout (issue 25: one round trip less); the operation's
    statement_deadline, in the same transaction with the same deadline, sends no SET of
    its own, and the timeout holds."""
    if db.backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's deadline is a handler on the connection")
    with db.session() as session, session.begin():
        presented = factories.key(session, "admin")
    with db.session() as session:
        # The version row as a migrated database has it, or none (a test database may
        # lack it): the version's statement sets the timeout either way. Undone with the
        # transaction.
        session.execute(text("DELETE FROM public_version"))
        if first != "public: no version row":
            session.execute(text("INSERT INTO public_version VALUES (1, 1, 'salt')"))
        deadline = time.monotonic() + 0.3
        with count_statements(db.engine) as statements:
            if first.startswith("public"):
                response_cache.current_version(session, None, deadline)
            else:
                authenticate(session=session, presented=presented, deadline=deadline)
            with statement_deadline(session, deadline):
                timeout = session.execute(text("SELECT current_setting('statement_timeout')"))
                assert 0 < int(timeout.scalar_one().removesuffix("ms")) <= 300
                with pytest.raises(OperationalError, match="statement timeout"):
                    session.execute(text("SELECT pg_sleep(2)"))
        assert len(statements) == 3, statements  # the first, the setting, the sleep: no SET
        session.rollback()
        # A new transaction (or another deadline) is set anew.
        with count_statements(db.engine) as statements, statement_deadline(session, deadline + 1):
            pass
        [statement] = statements
        assert "set_config" in statement
