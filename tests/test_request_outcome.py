"""What became of a request is one value, set where its transaction ends
(api/request_transaction.py): each kind of operation ends in its known outcome, and the
transaction kept exactly what that outcome says."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import GraphQLRequestData
from strawberry.types.graphql import OperationType

from api.db import session_factory
from api.models import Partner
from api.request_transaction import request_session, run_operation
from api.schema import schema
from api.schema.context import Context, Outcome
from api.services.apikeys import PUBLIC, Caller, authenticate
from api.settings import Settings
from tests import factories
from tests.databases import Database

REQUEST = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})


def edit(slug: str, version: int) -> str:
    return (
        f'mutation {{ updatePartnerProfile(slug: "{slug}", expectedVersion: {version}, '
        'input: {summary: "changed"}) { partner { slug } errors { code } } }'
    )


@pytest.fixture
def partner_caller(db: Database) -> Caller:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health")
        factories.partner(session, world, "bravo-retail")
        key = factories.key(session, "partner", partner="alpha-health")
        return authenticate(session=session, presented=key)


def summaries(db: Database) -> set[str | None]:
    with db.session() as session:
        return set(session.scalars(select(Partner.summary)))


def outcome(
    db: Database, tmp_path: Path, caller: Caller, document: str, *, deadline: float = 0.0
) -> Outcome | None:
    settings = Settings(data_dir=tmp_path, database_url=db.url, environment="test")
    with request_session(session_factory(db.engine)) as session:
        context = Context(
            request=REQUEST,
            response=Response(),
            session=session,
            caller=caller,
            settings=settings,
            request_id="test",
            deadline=deadline,
        )
        data = GraphQLRequestData(
            query=document, variables=None, operation_name=None, extensions=None
        )
        allowed = {OperationType.QUERY, OperationType.MUTATION}
        run_operation(schema, data, context, allowed)
    return context.outcome


def test_a_query_answered_without_an_error_may_be_kept(db: Database, tmp_path: Path) -> None:
    assert outcome(db, tmp_path, PUBLIC, "{ __typename }") is Outcome.ANSWERED


def test_a_query_with_an_error_commits_but_is_not_kept(db: Database, tmp_path: Path) -> None:
    assert outcome(db, tmp_path, PUBLIC, "{ noSuchField }") is Outcome.COMMITTED


def test_a_mutation_commits_what_it_did(
    db: Database, tmp_path: Path, partner_caller: Caller
) -> None:
    assert outcome(db, tmp_path, partner_caller, edit("alpha-health", 1)) is Outcome.COMMITTED
    assert "changed" in summaries(db)


def test_a_mutation_refused_in_its_payload_commits_the_rest(
    db: Database, tmp_path: Path, partner_caller: Caller
) -> None:
    # a stale expectedVersion is an error in the payload: its savepoint keeps nothing
    assert outcome(db, tmp_path, partner_caller, edit("alpha-health", 9)) is Outcome.COMMITTED
    assert "changed" not in summaries(db)


def test_a_mutation_document_with_a_top_level_error_rolls_back(
    db: Database, tmp_path: Path, partner_caller: Caller
) -> None:
    assert outcome(db, tmp_path, partner_caller, edit("bravo-retail", 1)) is Outcome.ROLLED_BACK
    assert "changed" not in summaries(db)


def test_a_request_out_of_time_rolls_back(
    db: Database, tmp_path: Path, partner_caller: Caller
) -> None:
    past = time.monotonic() - 1
    document = edit("alpha-health", 1)
    assert outcome(db, tmp_path, partner_caller, document, deadline=past) is Outcome.ROLLED_BACK
    assert "changed" not in summaries(db)
