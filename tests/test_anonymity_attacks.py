"""Issue 18's attacks on anonymity, each built through the real API and run from outside.

Whoever records the engagements chooses their industries and products; the public reads
the figures. The attacker (tests/attacker.py) then solves every published set at once
for single answers. Each attack must recover nothing.
"""

from __future__ import annotations

import pytest

from api.models import Product
from api.services.figures_rebuild import rebuild
from tests import factories
from tests.attacker import Respondent, answers, market_sums, published_sums, recovered
from tests.databases import Database
from tests.server import GraphQLClient
from tests.survey_flow import INVITE, confirm, engagement_input, invite, record, submit

PRODUCTS = ("acme-crm", "acme-hr", "acme-bi", "acme-iot")


@pytest.fixture
def vendor_key(db: Database) -> str:
    """A vendor, acme, with four products, and a partner, alpha-health."""
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for slug in PRODUCTS[1:]:
            session.add(Product(slug=slug, name=slug.title(), vendor=world.vendors["acme"]))
        factories.partner(session, world, "alpha-health", industries=("healthcare",))
        return factories.key(session, "vendor", vendor="acme")


@pytest.fixture
def partner_key(db: Database, vendor_key: str) -> str:
    """alpha-health's key: it confirms the engagements the vendor records."""
    with db.session() as session, session.begin():
        return factories.key(session, "partner", partner="alpha-health")


def respond(
    api: GraphQLClient,
    key: str,
    partner_key: str,
    respondents: list[Respondent],
    ratings: list[int],
) -> None:
    """One engagement per respondent, labelled as the respondent says, confirmed by the
    partner (the attacker here labels real engagements), and its answer."""
    for number, (who, values) in enumerate(zip(respondents, answers(ratings), strict=True)):
        domain = f"customer{number}.example"
        engagement = record(
            api,
            key,
            partner_key,
            **engagement_input(
                "alpha-health",
                customerName=f"Customer {number}",
                customerDomain=domain,
                industry=who.industry,
                products=list(who.products),
                selectionReason=who.reason,
            ),
        )
        token = invite(api, key, engagement, f"cio@{domain}")
        assert submit(api, token, **values)["accepted"] is True


def test_six_five_answer_subsets_of_six_answers_give_none_back(
    db: Database, api: GraphQLClient, vendor_key: str, partner_key: str
) -> None:
    # given: six engagements labelled so that the overall figures (published at 5 answers),
    # healthcare and each of four products hold a different five of the six answers
    everything = set(PRODUCTS)
    respondents = [
        Respondent("retail", tuple(sorted(everything))),  # in every product, not healthcare
        *(Respondent("healthcare", tuple(sorted(everything - {product}))) for product in PRODUCTS),
        Respondent("healthcare", tuple(sorted(everything))),  # the sixth: not yet overall
    ]
    ratings = [5, 1, 4, 2, 3, 5]

    # when: the vendor has them answered, then reads what the public reads
    respond(api, vendor_key, partner_key, respondents, ratings)
    sums = published_sums(api, "alpha-health", "overall")

    # then: the overall figures are public (5 answers, ratings 5+1+4+2+3 = 15) ...
    assert sums["overall"] == (5, 15)
    # ... and solving every published set together pins down no one's answer
    assert recovered(respondents, sums) == {}


def test_overall_minus_a_product_with_one_answer_fewer_gives_none_back(
    db: Database, api: GraphQLClient, vendor_key: str, partner_key: str
) -> None:
    # given: nine answers, eight of them on engagements with acme-crm and one on an
    # engagement with no product, published as a first load publishes them (every figure
    # as it stands: overall 9, acme-crm 8)
    respondents = [Respondent("healthcare", ("acme-crm",)) for _ in range(8)]
    respondents.append(Respondent("healthcare", ()))
    respond(api, vendor_key, partner_key, respondents, [4, 5, 4, 3, 5, 4, 4, 5, 1])
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)

    # when: the public figures are read
    sums = published_sums(api, "alpha-health", "overall")

    # then: overall shows 9 answers (4+5+4+3+5+4+4+5+1 = 35), acme-crm is withheld, and
    # nothing (overall minus acme-crm was the ninth respondent's 1) can be solved for
    assert sums["overall"] == (9, 35)
    assert "product:acme-crm" not in sums
    assert recovered(respondents, sums) == {}


def test_the_market_minus_a_selection_reason_gives_none_back(
    db: Database, api: GraphQLClient, vendor_key: str, partner_key: str
) -> None:
    # given: the market is one partner's nine answers, eight of customers who chose it on
    # a peer's referral and one who gave no reason, published as a first load publishes
    respondents = [Respondent("healthcare", ("acme-crm",)) for _ in range(8)]
    respondents.append(Respondent("healthcare", ("acme-crm",), reason=None))
    respond(api, vendor_key, partner_key, respondents, [4, 5, 4, 3, 5, 4, 4, 5, 1])
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)

    # when: the market insights are read
    sums = market_sums(api, "overall")

    # then: the market shows its 9 answers, peer referral is withheld, nothing is solved
    assert sums["market"] == (9, 35)
    assert "reason:peer_referral" not in sums
    assert recovered(respondents, sums) == {}


def test_four_planted_answers_beside_one_victim_give_none_back(
    db: Database, api: GraphQLClient, vendor_key: str, partner_key: str
) -> None:
    # given: one real respondent, whose engagement the partner confirmed, and four
    # engagements the vendor recorded alone and tries to have answered by itself
    known = [5, 5, 5, 5]
    for number, value in enumerate([2, *known]):
        domain = f"customer{number}.example"
        engagement = record(
            api, vendor_key, **engagement_input("alpha-health", customerDomain=domain)
        )
        if number == 0:
            confirm(api, partner_key, engagement)
        invited = api.data(INVITE, {"id": engagement, "email": f"cio@{domain}"}, key=vendor_key)
        token = invited["createSurveyInvitation"]["token"]
        if token is not None:  # refused while the partner has not confirmed
            submit(api, token, likelihoodToRecommend=8, ratingOverall=value)

    # when: the vendor reads the public figures and takes its own answers away
    sums = published_sums(api, "alpha-health", "overall")
    n, total = sums.get("overall", (0, 0))

    # then: no figure holds the victim beside only the planted answers
    assert not (n == 1 + len(known) and total - sum(known) == 2)
