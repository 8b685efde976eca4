"""The public on-track share (issue 22, item 4): per partner, the share of its engagements
in progress whose latest pulse check is on track; withheld below 5 engagements, and
republished only once 5 of them changed, so two snapshots never show one answer."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from api.services.apikeys import Caller
from api.services.engagements import EngagementDraft, record_engagement
from api.services.pulse_publication import STEP, changed, next_copy
from api.services.pulses import PulseAnswers, create_pulse_check, submit_pulse
from directory_site.content import directory, partners
from directory_site.pages import partner_parts
from tests import factories
from tests.databases import Database
from tests.pulse_flow import answer, send
from tests.server import GraphQLClient
from tests.survey_flow import engagement_input, record

PUBLIC = """
query Public($slug: String!) {
  partner(slug: $slug) { metrics { onTrack { share onTrack engagements publishedOn } } }
}
"""


def on_track(api: GraphQLClient, key: str | None = None) -> dict[str, Any] | None:
    found: dict[str, Any] | None = api.data(PUBLIC, {"slug": "alpha-health"}, key=key)["partner"][
        "metrics"
    ]["onTrack"]
    return found


def test_the_share_is_withheld_below_five_then_moves_in_steps_of_five(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    # given: six of alpha-health's engagements in progress (an admin's: agreed at once)
    ids = [
        record(
            api,
            keys["admin"],
            **engagement_input(
                "alpha-health", status="in_progress", customerDomain=f"e{n}.example"
            ),
        )
        for n in range(6)
    ]

    def pulse(number: int, confidence: int, **more: Any) -> None:
        token = send(api, keys["admin"], ids[number], f"pm@e{number}.example")
        assert answer(api, token, confidence, **more)["accepted"] is True

    # when: four answer (three calm, one worried): fewer than five engagements
    pulse(0, 8)
    pulse(1, 9)
    pulse(2, 10)
    pulse(3, 5)
    # then: withheld, for the public and for the partner itself
    assert on_track(api) is None
    assert on_track(api, keys["alpha"]) is None

    # when: a fifth names a risk
    pulse(4, 9, risks=["budget"])
    # then: 3 of 5 on track (e0, e1, e2), published
    first = on_track(api)
    assert first is not None
    assert (first["share"], first["onTrack"], first["engagements"]) == (0.6, 3, 5)

    # when: the sixth answers calmly: one change only
    pulse(5, 9)
    # then: the copy stays as it was (a new copy would show that one answer)
    assert on_track(api) == first

    # when: four more changes (e3 recovers, e0 to e2 answer again, calm)
    pulse(3, 9)
    pulse(0, 8)
    pulse(1, 8)
    pulse(2, 9)
    # then: five changed since the copy: 5 of 6 on track (all but e4), share 0.8333
    second = on_track(api)
    assert second is not None
    assert (second["share"], second["onTrack"], second["engagements"]) == (0.8333, 5, 6)


def test_a_single_answer_never_shows_in_the_public_share(
    api: GraphQLClient, keys: dict[str, str]
) -> None:
    """Five engagements answered, then one turns worried: the public copy does not move."""
    ids = [
        record(
            api,
            keys["admin"],
            **engagement_input(
                "alpha-health", status="in_progress", customerDomain=f"s{n}.example"
            ),
        )
        for n in range(5)
    ]
    for number, engagement_id in enumerate(ids):
        token = send(api, keys["admin"], engagement_id, f"pm@s{number}.example")
        answer(api, token, 9)
    before = on_track(api)
    assert before is not None
    assert before["onTrack"] == 5

    token = send(api, keys["admin"], ids[0], "pm@s0.example")
    answer(api, token, 2, risks=["quality"])

    assert on_track(api) == before


Changes = st.lists(
    st.tuples(st.integers(0, 9), st.integers(0, 10), st.booleans()), min_size=1, max_size=60
)


@settings(max_examples=300)
@given(changes=Changes)
def test_no_two_copies_differ_by_one_to_four_engagements(
    changes: list[tuple[int, int, bool]],
) -> None:
    """Any sequence of answers (engagement, its new pulse, on track) and completions
    (pulse 0: the engagement leaves the set): every copy holds 0 or at least STEP
    engagements, and each copy differs from the one before in at least STEP."""
    live: dict[int, tuple[int, bool]] = {}
    copy: dict[int, tuple[int, bool]] = {}
    copies = [copy]
    for serial, (engagement, pulse, on_track) in enumerate(changes):
        if pulse == 0:
            live.pop(engagement, None)
        else:
            live[engagement] = (serial, on_track)
        made = next_copy(live, copy)
        if made is not None:
            copy = made
            copies.append(copy)
    for earlier, later in itertools.pairwise(copies):
        assert changed(earlier, later) >= STEP
    assert all(len(c) == 0 or len(c) >= STEP for c in copies)


def test_the_partner_page_shows_the_published_share(db: Database) -> None:
    admin = Caller(role="admin", source="test")
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        where = directory(session)
        withheld = partner_parts(next(partners(session, where)), where)[1]
        for number, confidence in enumerate([9, 8, 4, 10, 7, 9]):
            draft = EngagementDraft(
                partner_slug="alpha-health",
                vendor_slug="acme",
                customer_name="Customer",
                customer_domain=f"p{number}.example",
                industry="healthcare",
                status="in_progress",
            )
            engagement = record_engagement(session=session, caller=admin, draft=draft)
            _, token = create_pulse_check(
                session=session,
                caller=admin,
                engagement_id=engagement.id,
                email=f"pm@p{number}.example",
            )
            submit_pulse(session=session, token=token, answers=PulseAnswers(confidence))
        shown = partner_parts(next(partners(session, where)), where)[1]

    assert "withheld: fewer than 5 engagements in progress checked" in withheld
    # published at the fifth answer (4 of 5: the 4 is worried); the sixth waits
    assert "<td>4 of 5 (80%; published " in shown
