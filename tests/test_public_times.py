"""No public time finer than a day (issue 18, item 4): an exact second of the newest answer,
or of a publication the fifth new answer set off, pins who answered when."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert

from api.models import public_version
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, invite, record, submit

WHEN = "publishedAt"
METRICS = f"""
query {{
  partner(slug: "alpha-health") {{
    metrics {{
      {WHEN} latestResponseAt
      byIndustry {{ figures {{ {WHEN} }} }}
      trend {{ figures {{ {WHEN} }} }}
    }}
    reviews(first: 50) {{ id submittedAt anonymous reply {{ createdAt updatedAt }} }}
  }}
  marketInsights {{ overall {{ {WHEN} }} }}
}}
"""
REPLY = """
mutation($id: ID!) { replyToReview(reviewId: $id, body: "Thank you.") { errors { code } } }
"""
LIST = "{ partners(first: 5) { edges { node { slug } } } }"


@pytest.fixture
def keys(db: Database) -> dict[str, str]:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        session.execute(insert(public_version).values(id=1, version=1))
        return {
            "acme": factories.key(session, "vendor", vendor="acme"),
            "partner": factories.key(session, "partner", partner="alpha-health"),
        }


def answer(api: GraphQLClient, keys: dict[str, str], number: int, **values: Any) -> None:
    """One engagement recorded by acme and confirmed by alpha-health, and its answer."""
    domain = f"customer{number}.example"
    engagement = record(
        api,
        keys["acme"],
        keys["partner"],
        **engagement_input("alpha-health", customerDomain=domain),
    )
    token = invite(api, keys["acme"], engagement, f"cio@{domain}")
    assert submit(api, token, likelihoodToRecommend=9, **values)["accepted"] is True


def times(value: Any) -> list[str]:
    """Every time stamp in a GraphQL answer (the fields named *At)."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k.endswith("At") and isinstance(v, str)]
        return found + [t for v in value.values() for t in times(v)]
    if isinstance(value, list):
        return [t for v in value for t in times(v)]
    return []


def test_every_public_time_is_a_day(api: GraphQLClient, keys: dict[str, str]) -> None:
    # given: five named answers, published, and the partner's reply to one of them
    for number in range(5):
        answer(
            api,
            keys,
            number,
            comment=f"review {number}",
            anonymous=False,
            respondentName=f"Person {number}",
        )
    first = api.data(METRICS)["partner"]["reviews"][0]["id"]
    assert api.data(REPLY, {"id": first}, key=keys["partner"])["replyToReview"]["errors"] == []

    # when: a buyer reads the figures, the reviews and the market
    found = times(api.data(METRICS))

    # then: each names a day at 00:00 UTC, and there are plenty of them
    # publications (overall, industry, quarter), the newest answer, 5 reviews, the reply
    assert len(found) == 3 + 1 + 5 + 2
    today = datetime.now(UTC).date()
    for stamp in found:
        moment = datetime.fromisoformat(stamp)
        assert (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0)
        assert moment.utcoffset() is not None
        assert not moment.utcoffset()
        assert moment.date() == today or (today - moment.date()).days == 1  # near midnight


def test_the_etag_does_not_carry_the_time_of_the_last_change(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: a change a buyer sees (a publication), at a moment the clock knows
    for number in range(5):
        answer(api, keys, number)
    changed = time.time_ns() // 1000

    # when: a buyer reads the list and looks at its ETag
    tag = api.http.get(f"{api.base_url}/graphql", params={"query": LIST}).headers["etag"]
    version = int(tag.removeprefix("W/").strip('"').split("-")[0])

    # then: the version is not the time of the change to the minute (but for the first
    # minutes of a day, when the day itself is that near)
    near_midnight = changed % 86_400_000_000 < 120_000_000
    assert abs(version - changed) > 60_000_000 or near_midnight
