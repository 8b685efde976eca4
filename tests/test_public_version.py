"""Every mutation that changes what a buyer sees moves the public data version, and only such
a mutation does: no ETag or cached answer outlives the data it shows, and the tag tells
no one that something unseen (an answer below the publication step) arrived.

Each mutation of the schema runs as the authorization matrix runs it
(tests/test_authorization_matrix.py: its documents, variables and callers), on a world
where partner alpha-health has published figures and answers waiting for the next step.
Everything a buyer can ask (tests/public_answers.py, written from the schema) is read
before and after: the answer changed exactly when the ETag did.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from api.models import Base, Engagement, Office, Partner, public_version, published_tallies
from api.services import surveys
from api.services.apikeys import Caller
from api.services.changes import SHOWN_AT_ONCE, SHOWN_LATER_OR_NEVER
from tests import public_answers
from tests.databases import Database
from tests.server import GraphQLClient
from tests.test_authorization_matrix import (
    CUSTOMER_DOMAIN,
    MUTATIONS,
    Seed,
    schema_mutation_names,
    seed,
)

SHOWS: dict[str, bool] = {
    "createPartner": True,
    "updatePartnerProfile": True,
    "addOffice": True,
    "changeOffice": True,
    "removeOffice": True,
    "setPartnerClaims": True,
    "addCertification": True,
    "changeCertification": True,
    "removeCertification": True,
    "addReference": True,
    "changeReference": True,
    "removeReference": True,
    "replyToReview": True,
    "recordEngagement": False,
    "proposeEngagement": False,
    "confirmEngagement": False,
    "disputeEngagement": False,
    "setEngagementStatus": False,
    "createSurveyInvitation": True,  # the invitation count and the response rate
    "submitSurveyResponse": True,  # the tenth answer: the next publication step
    "voidSurveyResponse": True,  # a published answer: taken out at once
    # shown only once its quarter has ended, and never per partner
    "submitProgramFeedback": False,
    "createVendor": True,  # the vendors list
    "addProduct": True,  # the products list
    "setProgramMembership": False,  # the vendor's scorecard only: keyed
    "addWebhook": False,
    "removeWebhook": False,
    "createPulseCheck": False,
    "submitPulse": False,  # one answer: below the on-track share's publication step
    "addEngagementNote": False,  # its vendor and partner only
}
"""Whether the mutation, run as the authorization matrix runs it on the world below,
changes what a buyer sees. A new mutation needs a row in the matrix and one here."""

CALLER_PREFERENCE = ("own_vendor", "own_partner", "no_key", "admin")
"""Who runs each mutation: the first of these the matrix allows (the narrowest right)."""

WAITING = 4
"""Answers beyond the first publication: the seed's unused token makes the tenth."""


def world(db: Database, *, waiting: int = WAITING) -> Seed:
    """The matrix's seed, with alpha-health's figures published at 5 answers and `waiting`
    more answers short of the next step (the matrix seed's own answer is the first)."""
    db.wipe()
    data = seed(db)
    admin = Caller(role="admin", source="test:world")
    with db.session() as session, session.begin():
        # A migrated database has the version row; the test wipe took it.
        session.execute(insert(public_version).values(id=1, version=1))
        engagement = session.get_one(Engagement, data.engagement_id)
        for number in range(4 + waiting):
            _, token = surveys.create_invitation(
                session=session,
                caller=admin,
                engagement_id=engagement.id,
                email=f"team{number}@{CUSTOMER_DOMAIN}",
            )
            answers = surveys.SurveyAnswers(
                likelihood_to_recommend=number % 11, comment=f"Answer {number}."
            )
            surveys.submit_response(session=session, token=token, answers=answers)
    return data


_nonce = itertools.count()


def public_answer(api: GraphQLClient) -> tuple[dict[str, Any], dict[str, str]]:
    """What a buyer sees now (asked afresh: a cached answer would hide a change), and the
    ETag of each document as a buyer's cache would hold it."""
    seen, tags = {}, {}
    for root, document in public_answers.documents().items():
        tagged = api.http.get(f"{api.base_url}/graphql", params={"query": document})
        assert tagged.status_code == 200, tagged.text
        tags[root] = tagged.headers["etag"]
        # The same question in other words: a key of its own, so never a kept answer.
        fresh = api.http.get(
            f"{api.base_url}/graphql", params={"query": f"# {next(_nonce)}\n{document}"}
        )
        body = fresh.json()
        assert "errors" not in body, body["errors"]
        seen[root] = body["data"]
    return seen, tags


@pytest.fixture(scope="module")
def client(server_url: str) -> Iterator[GraphQLClient]:
    with httpx.Client(timeout=30) as http:
        yield GraphQLClient(base_url=server_url, http=http)


def test_every_mutation_says_whether_a_buyer_sees_it() -> None:
    exported = schema_mutation_names(str(public_answers.schema))
    missing = sorted(exported - set(SHOWS))
    assert not missing, (
        f"add {missing} to SHOWS in {__name__.replace('.', '/')}.py (and a row to the "
        "authorization matrix): True when running it changes what a buyer sees"
    )
    assert set(SHOWS) <= exported, f"SHOWS names no mutation: {sorted(set(SHOWS) - exported)}"


def test_every_table_says_whether_a_buyer_sees_its_writes_at_once() -> None:
    tables = {table.name for table in Base.metadata.sorted_tables}
    assert not SHOWN_AT_ONCE & SHOWN_LATER_OR_NEVER
    unclassified = sorted(tables - SHOWN_AT_ONCE - SHOWN_LATER_OR_NEVER)
    assert not unclassified, (
        f"name {unclassified} in SHOWN_AT_ONCE or SHOWN_LATER_OR_NEVER (api/services/changes.py)"
    )


@pytest.mark.parametrize("mutation", sorted(SHOWS))
def test_the_etag_moves_exactly_when_a_mutation_changes_what_a_buyer_sees(
    db: Database, client: GraphQLClient, mutation: str, caplog: pytest.LogCaptureFixture
) -> None:
    # given the world, what a buyer sees of it, and the tags a buyer's cache holds
    row = MUTATIONS[mutation]
    caller = next(name for name in CALLER_PREFERENCE if name in row.allowed)
    data = world(db)
    seen_before, tags_before = public_answer(client)
    caplog.set_level(logging.WARNING, logger="vouch.changes")

    # when the mutation runs, and succeeds
    body = client.execute(row.document, row.variables(data), key=data.keys[caller])
    assert "errors" not in body, body["errors"]
    assert body["data"][mutation]["errors"] == []

    # then a buyer sees a change exactly when the mutation shows, and every tag moved with it
    seen_after, tags_after = public_answer(client)
    changed = public_answers.differences(seen_before, seen_after)
    assert bool(changed) == SHOWS[mutation], f"{mutation} as {caller} changed {changed}"
    moved = [root for root in tags_before if tags_before[root] != tags_after[root]]
    if changed:
        assert moved == list(tags_before), f"{mutation} changed {changed}; tags moved: {moved}"
    else:
        assert moved == [], f"{mutation} changed nothing a buyer sees, yet moved the tag"
    # and the change log has it too: the search index and the site redo what it changed
    assert [r.getMessage() for r in caplog.records if r.name == "vouch.changes"] == []


def test_an_answer_below_the_publication_step_leaves_every_tag_alone(
    db: Database, client: GraphQLClient
) -> None:
    # given published figures at 5 answers and 2 more waiting, and the public tags
    data = world(db, waiting=2)
    seen_before, tags_before = public_answer(client)

    # when an eighth answer arrives, short of the next step at ten
    accepted = client.data(
        MUTATIONS["submitSurveyResponse"].document,
        {"token": data.token, "input": {"likelihoodToRecommend": 0, "comment": "Late."}},
    )
    assert accepted["submitSurveyResponse"]["accepted"] is True

    # then a buyer sees nothing new, and no tag tells that an answer arrived
    seen_after, tags_after = public_answer(client)
    assert public_answers.differences(seen_before, seen_after) == []
    assert tags_after == tags_before


def version(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(public_version.c.version)) or 0)


def test_a_write_buyers_see_moves_the_version_even_when_its_service_forgot_the_change_log(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # given the world and its public version
    world(db, waiting=0)
    start = version(db)
    caplog.set_level(logging.WARNING, logger="vouch.changes")

    # when code writes tables buyers read, through the unit of work and as statements,
    # and never records a change
    with db.session() as session, session.begin():
        partner = session.scalars(select(Partner).where(Partner.slug == "alpha-health")).one()
        session.add(
            Office(partner_id=partner.id, city="Bonn", country="DE", latitude=50.7, longitude=7.1)
        )
    after_flush = version(db)
    with db.session() as session, session.begin():
        session.execute(
            update(published_tallies).values(invitations=published_tallies.c.invitations + 1)
        )
    after_statement = version(db)

    # then the version moved each time, and the log says the copies may have missed it
    assert start < after_flush < after_statement
    warnings = [r.getMessage() for r in caplog.records if r.name == "vouch.changes"]
    assert warnings == [
        "a transaction wrote offices without a change-log row",
        "a transaction wrote published_tallies without a change-log row",
    ]


def test_a_write_buyers_do_not_see_leaves_the_version(db: Database) -> None:
    # given the world and its public version
    data = world(db, waiting=0)
    start = version(db)

    # when an engagement changes status (nothing a buyer reads of it changes)
    with db.session() as session, session.begin():
        session.get_one(Engagement, data.proposed_id).status = "cancelled"

    # then the version stays
    assert version(db) == start
