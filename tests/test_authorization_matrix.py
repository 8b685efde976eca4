"""Every mutation times every kind of caller: the right ones succeed, the wrong ones are
refused with a top-level error and leave every table exactly as it was.

The table MUTATIONS below is the authorization matrix. It must name every mutation of the
schema: a new mutation without a row makes test_every_mutation_has_a_row fail. A mutation
whose right depends on its target (which side recorded an engagement) has a row per target.

Callers:
  no_key         no Authorization header (the public role)
  bad_key        a well-formed key nobody issued: UNAUTHENTICATED, HTTP 401
  other_partner  a key of bravo-retail, a partner with no part in the data acted on
  other_vendor   a key of globex, a vendor with no part in the data acted on
  own_partner    a key of alpha-health, the partner every target belongs to
  own_vendor     a key of acme, the vendor of alpha-health's engagements
  admin          an admin key
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import build_schema
from sqlalchemy import select

from api.models import Base, Certification, Office, Reference
from api.schema import schema
from api.services import engagements, pulses, surveys, webhooks
from api.services.apikeys import Caller
from tests import factories
from tests.databases import Database
from tests.server import GraphQLClient

OWN = "alpha-health"
OTHER = "bravo-retail"
CUSTOMER_DOMAIN = "mercy.example"
# Well formed ("vouch_<12 hex>_<43 url-safe characters>") but never issued.
BAD_KEY = "vouch_000000000000_" + "A" * 43

CALLERS = (
    "no_key",
    "bad_key",
    "other_partner",
    "other_vendor",
    "own_partner",
    "own_vendor",
    "admin",
)
EDITORS = frozenset({"own_partner", "admin"})
ADMIN = frozenset({"admin"})
ENGAGEMENT_VENDOR = frozenset({"own_vendor", "admin"})
ENGAGEMENT_PARTNER = frozenset({"own_partner", "admin"})
ANYONE_WITHOUT_A_BAD_KEY = frozenset(CALLERS) - {"bad_key"}
VENDORS_AND_PARTNERS = frozenset({"own_partner", "own_vendor", "other_partner", "other_vendor"})


# -- the data every case starts from ---------------------------------------------------


@dataclass(frozen=True)
class Seed:
    keys: dict[str, str | None]  # caller -> the key it sends
    office_id: int  # alpha-health's second office (not its headquarters)
    certification_id: int
    reference_id: int
    engagement_id: int  # alpha-health for acme, completed and confirmed
    proposed_id: int  # alpha-health for acme, proposed by the partner: unconfirmed
    recorded_id: int  # alpha-health for acme, recorded by acme: unconfirmed
    review_id: int  # a published review (a response with a comment) of alpha-health
    review_key: str  # the same review's public id
    token: str  # an unused survey token of engagement_id
    webhook_id: int  # alpha-health's webhook
    ongoing_id: int  # alpha-health for acme, in progress and confirmed
    pulse_token: str  # an unused pulse check token of ongoing_id


def seed(db: Database) -> Seed:
    admin = Caller(role="admin", source="test:seed")
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        own = factories.partner(
            session,
            world,
            OWN,
            industries=("healthcare",),
            products=("acme-crm",),
            offices=(("Berlin", "DE", 52.52, 13.405), ("Munich", "DE", 48.137, 11.575)),
            certifications=1,
            references=1,
        )
        factories.partner(session, world, OTHER, industries=("retail",))
        keys: dict[str, str | None] = {
            "no_key": None,
            "bad_key": BAD_KEY,
            "other_partner": factories.key(session, "partner", partner=OTHER),
            "other_vendor": factories.key(session, "vendor", vendor="globex"),
            "own_partner": factories.key(session, "partner", partner=OWN),
            "own_vendor": factories.key(session, "vendor", vendor="acme"),
            "admin": factories.key(session, "admin"),
        }
        draft = engagements.EngagementDraft(
            partner_slug=OWN,
            vendor_slug="acme",
            customer_name="Mercy Hospital",
            customer_domain=CUSTOMER_DOMAIN,
            industry="healthcare",
            products=("acme-crm",),
            status="completed",
            selection_reason="peer_referral",
        )
        engagement = engagements.record_engagement(session=session, caller=admin, draft=draft)
        proposer = Caller(role="partner", partner_id=own.id, partner_slug=OWN, source="test:seed")
        proposed = engagements.record_engagement(session=session, caller=proposer, draft=draft)
        vendor = Caller(
            role="vendor",
            vendor_id=world.vendors["acme"].id,
            vendor_slug="acme",
            source="test:seed",
        )
        recorded = engagements.record_engagement(session=session, caller=vendor, draft=draft)
        assert engagement.confirmed
        assert not proposed.confirmed
        assert not recorded.confirmed
        _, answered = surveys.create_invitation(
            session=session,
            caller=admin,
            engagement_id=engagement.id,
            email=f"cio@{CUSTOMER_DOMAIN}",
        )
        review = surveys.submit_response(
            session=session,
            token=answered,
            answers=surveys.SurveyAnswers(likelihood_to_recommend=9, comment="They delivered."),
        )
        _, unused = surveys.create_invitation(
            session=session,
            caller=admin,
            engagement_id=engagement.id,
            email=f"cfo@{CUSTOMER_DOMAIN}",
        )
        webhook, _ = webhooks.add_webhook(
            session=session,
            caller=Caller(role="partner", partner_id=own.id, source="test:seed"),
            url="https://93.184.215.14/alpha",
            events=["figures.published"],
            key=b"k" * 32,
            allow_private=False,
        )
        ongoing = engagements.record_engagement(
            session=session,
            caller=admin,
            draft=dataclasses.replace(
                draft, status="in_progress", customer_domain="ongoing.example"
            ),
        )
        _, pulse_token = pulses.create_pulse_check(
            session=session, caller=admin, engagement_id=ongoing.id, email="pm@ongoing.example"
        )
        offices = session.scalars(
            select(Office.id).where(Office.partner_id == own.id).order_by(Office.id)
        ).all()
        return Seed(
            keys=keys,
            office_id=offices[1],
            certification_id=session.scalars(
                select(Certification.id).where(Certification.partner_id == own.id)
            ).one(),
            reference_id=session.scalars(
                select(Reference.id).where(Reference.partner_id == own.id)
            ).one(),
            engagement_id=engagement.id,
            proposed_id=proposed.id,
            recorded_id=recorded.id,
            review_id=review.id,
            review_key=review.review_key or "",
            token=unused,
            webhook_id=webhook.id,
            ongoing_id=ongoing.id,
            pulse_token=pulse_token,
        )


Dump = dict[str, list[tuple[Any, ...]]]


def dump(db: Database) -> Dump:
    """Every row of every table, ordered by primary key."""
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def changed_tables(before: Dump, after: Dump) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# -- the matrix ------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    document: str
    variables: Callable[[Seed], dict[str, Any]]
    allowed: frozenset[str]
    field: str | None = None  # the mutation, when the row's name says more than that

    def mutation(self, name: str) -> str:
        return self.field or name


PAYLOAD_ERRORS = "errors { code field message }"
PROFILE_PAYLOAD = f"{{ partner {{ version }} {PAYLOAD_ERRORS} }}"
ENGAGEMENT_PAYLOAD = f"{{ engagement {{ id status confirmed }} {PAYLOAD_ERRORS} }}"


def profile_edit(field: str, parameters: str = "", arguments: str = "") -> str:
    """A profile mutation of slug and expectedVersion, plus its own parameters."""
    return f"""
mutation Edit($slug: String!, $version: Int!{parameters}) {{
  {field}(slug: $slug, expectedVersion: $version{arguments}) {PROFILE_PAYLOAD}
}}
"""


def own_profile(**more: Any) -> Callable[[Seed], dict[str, Any]]:
    def variables(s: Seed) -> dict[str, Any]:
        values = {"slug": OWN, "version": 1}
        values.update(
            {name: value(s) if callable(value) else value for name, value in more.items()}
        )
        return values

    return variables


OFFICE = {"city": "Hamburg", "country": "DE", "latitude": 53.55, "longitude": 9.99}
CERTIFICATION = {"name": "Acme Gold", "vendor": "acme", "year": 2024}
REFERENCE = {"title": "Clinic roll-out", "industry": "healthcare", "year": 2023}


def engagement_input(domain: str) -> dict[str, Any]:
    return {
        "partnerSlug": OWN,
        "vendorSlug": "acme",
        "customerName": "St. Luke's",
        "customerDomain": domain,
        "industry": "healthcare",
        "products": ["acme-crm"],
        "status": "completed",
    }


MUTATIONS: dict[str, Row] = {
    "createPartner": Row(
        f"""mutation($input: NewPartnerInput!) {{
          createPartner(input: $input) {PROFILE_PAYLOAD}
        }}""",
        lambda s: {"input": {"slug": "charlie-systems", "name": "Charlie Systems"}},
        ADMIN,
    ),
    "updatePartnerProfile": Row(
        profile_edit("updatePartnerProfile", ", $input: PartnerProfileInput!", ", input: $input"),
        own_profile(input={"summary": "Changed by the caller"}),
        EDITORS,
    ),
    "addOffice": Row(
        profile_edit("addOffice", ", $input: OfficeInput!", ", input: $input"),
        own_profile(input=OFFICE),
        EDITORS,
    ),
    "changeOffice": Row(
        profile_edit(
            "changeOffice", ", $id: ID!, $input: OfficeInput!", ", officeId: $id, input: $input"
        ),
        own_profile(id=lambda s: str(s.office_id), input=OFFICE),
        EDITORS,
    ),
    "removeOffice": Row(
        profile_edit("removeOffice", ", $id: ID!", ", officeId: $id"),
        own_profile(id=lambda s: str(s.office_id)),
        EDITORS,
    ),
    "setPartnerClaims": Row(
        profile_edit(
            "setPartnerClaims",
            ", $industries: [String!], $products: [String!]",
            ", industries: $industries, products: $products",
        ),
        own_profile(industries=["retail", "energy"], products=["globex-erp"]),
        EDITORS,
    ),
    "addCertification": Row(
        profile_edit("addCertification", ", $input: CertificationInput!", ", input: $input"),
        own_profile(input=CERTIFICATION),
        EDITORS,
    ),
    "changeCertification": Row(
        profile_edit(
            "changeCertification",
            ", $id: ID!, $input: CertificationInput!",
            ", certificationId: $id, input: $input",
        ),
        own_profile(id=lambda s: str(s.certification_id), input=CERTIFICATION),
        EDITORS,
    ),
    "removeCertification": Row(
        profile_edit("removeCertification", ", $id: ID!", ", certificationId: $id"),
        own_profile(id=lambda s: str(s.certification_id)),
        EDITORS,
    ),
    "addReference": Row(
        profile_edit("addReference", ", $input: ReferenceInput!", ", input: $input"),
        own_profile(input=REFERENCE),
        EDITORS,
    ),
    "changeReference": Row(
        profile_edit(
            "changeReference",
            ", $id: ID!, $input: ReferenceInput!",
            ", referenceId: $id, input: $input",
        ),
        own_profile(id=lambda s: str(s.reference_id), input=REFERENCE),
        EDITORS,
    ),
    "removeReference": Row(
        profile_edit("removeReference", ", $id: ID!", ", referenceId: $id"),
        own_profile(id=lambda s: str(s.reference_id)),
        EDITORS,
    ),
    "replyToReview": Row(
        f"""mutation($id: ID!, $body: String!) {{
          replyToReview(reviewId: $id, body: $body) {{ reply {{ body }} {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"id": s.review_key, "body": "Thank you for the kind words."},
        EDITORS,
    ),
    "recordEngagement": Row(
        f"""mutation($input: EngagementInput!) {{
          recordEngagement(input: $input) {ENGAGEMENT_PAYLOAD}
        }}""",
        lambda s: {"input": engagement_input("stlukes.example")},
        ENGAGEMENT_VENDOR,
    ),
    "proposeEngagement": Row(
        f"""mutation($input: EngagementInput!) {{
          proposeEngagement(input: $input) {ENGAGEMENT_PAYLOAD}
        }}""",
        lambda s: {"input": engagement_input("stlukes.example")},
        EDITORS,
    ),
    # The other side confirms or disputes: the vendor a partner's proposal, the partner a
    # vendor's record; never the side that recorded it (own_vendor below, own_partner above).
    "confirmEngagement": Row(
        f"""mutation($id: ID!) {{ confirmEngagement(engagementId: $id) {ENGAGEMENT_PAYLOAD} }}""",
        lambda s: {"id": str(s.proposed_id)},
        ENGAGEMENT_VENDOR,
    ),
    "confirmEngagement of a vendor's record": Row(
        f"""mutation($id: ID!) {{ confirmEngagement(engagementId: $id) {ENGAGEMENT_PAYLOAD} }}""",
        lambda s: {"id": str(s.recorded_id)},
        ENGAGEMENT_PARTNER,
        field="confirmEngagement",
    ),
    "disputeEngagement": Row(
        f"""mutation($id: ID!, $reason: String!) {{
          disputeEngagement(engagementId: $id, reason: $reason) {ENGAGEMENT_PAYLOAD}
        }}""",
        lambda s: {"id": str(s.proposed_id), "reason": "We never worked with this customer."},
        ENGAGEMENT_VENDOR,
    ),
    "disputeEngagement of a vendor's record": Row(
        f"""mutation($id: ID!, $reason: String!) {{
          disputeEngagement(engagementId: $id, reason: $reason) {ENGAGEMENT_PAYLOAD}
        }}""",
        lambda s: {"id": str(s.recorded_id), "reason": "We never worked with this customer."},
        ENGAGEMENT_PARTNER,
        field="disputeEngagement",
    ),
    "setEngagementStatus": Row(
        f"""mutation($id: ID!, $status: String!) {{
          setEngagementStatus(engagementId: $id, status: $status) {ENGAGEMENT_PAYLOAD}
        }}""",
        lambda s: {"id": str(s.engagement_id), "status": "cancelled"},
        ENGAGEMENT_VENDOR,
    ),
    "createSurveyInvitation": Row(
        f"""mutation($id: ID!, $email: String!) {{
          createSurveyInvitation(engagementId: $id, email: $email) {{
            token invitationId {PAYLOAD_ERRORS}
          }}
        }}""",
        lambda s: {"id": str(s.engagement_id), "email": f"cto@{CUSTOMER_DOMAIN}"},
        ENGAGEMENT_VENDOR,
    ),
    # The respondent needs no key; the token is the right. A bad key is still refused.
    "submitSurveyResponse": Row(
        f"""mutation($token: String!, $input: SurveyResponseInput!) {{
          submitSurveyResponse(token: $token, input: $input) {{ accepted {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"token": s.token, "input": {"likelihoodToRecommend": 7}},
        ANYONE_WITHOUT_A_BAD_KEY,
    ),
    # A partner rates the programme of a vendor it works with (alpha-health has an agreed
    # engagement with acme; bravo-retail has none): only its own key, never for another.
    "submitProgramFeedback": Row(
        f"""mutation($vendor: String!, $input: ProgramFeedbackInput!) {{
          submitProgramFeedback(vendor: $vendor, input: $input) {{ accepted {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"vendor": "acme", "input": {"likelihoodToRecommend": 8, "enablement": 4}},
        frozenset({"own_partner"}),
    ),
    # A webhook is its owner's own: any vendor or partner registers one (an admin owns none).
    # A literal public address: registering resolves no name, and the test server refuses
    # private ones (VOUCH_WEBHOOK_ALLOW_PRIVATE unset).
    "addWebhook": Row(
        f"""mutation($url: String!, $events: [String!]!) {{
          addWebhook(url: $url, events: $events) {{ webhook {{ id }} secret {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"url": "https://93.184.215.14/hooks", "events": ["engagement.at_risk"]},
        VENDORS_AND_PARTNERS,
    ),
    "removeWebhook": Row(
        f"""mutation($id: ID!) {{
          removeWebhook(webhookId: $id) {{ removed {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"id": str(s.webhook_id)},
        frozenset({"own_partner"}),
    ),
    "voidSurveyResponse": Row(
        f"""mutation($id: ID!, $reason: String!) {{
          voidSurveyResponse(responseId: $id, reason: $reason) {{ voided {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"id": str(s.review_id), "reason": "the respondent works for the partner"},
        ADMIN,
    ),
    "createVendor": Row(
        f"""mutation($input: NewVendorInput!) {{
          createVendor(input: $input) {{ vendor {{ slug }} {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"input": {"slug": "initech", "name": "Initech"}},
        ADMIN,
    ),
    # A vendor for itself: acme's key for acme (other_vendor is globex's key).
    "addProduct": Row(
        f"""mutation($vendor: String!, $input: NewProductInput!) {{
          addProduct(vendor: $vendor, input: $input) {{ product {{ slug }} {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"vendor": "acme", "input": {"slug": "acme-analytics", "name": "Acme Analytics"}},
        ENGAGEMENT_VENDOR,
    ),
    "setProgramMembership": Row(
        f"""mutation($partner: String!, $vendor: String!, $input: MembershipInput!) {{
          setProgramMembership(partnerSlug: $partner, vendor: $vendor, input: $input) {{
            membership {{ tier annualRevenue }} {PAYLOAD_ERRORS}
          }}
        }}""",
        lambda s: {
            "partner": OWN,
            "vendor": "acme",
            "input": {"tier": "gold", "annualRevenue": 250_000, "sponsored": True},
        },
        ENGAGEMENT_VENDOR,
    ),
    "createPulseCheck": Row(
        f"""mutation($id: ID!, $email: String!) {{
          createPulseCheck(engagementId: $id, email: $email) {{
            token invitationId {PAYLOAD_ERRORS}
          }}
        }}""",
        lambda s: {"id": str(s.ongoing_id), "email": "cio@ongoing.example"},
        ENGAGEMENT_VENDOR,
    ),
    # Like a survey, the customer needs no key; the token is the right.
    "submitPulse": Row(
        f"""mutation($token: String!, $input: PulseInput!) {{
          submitPulse(token: $token, input: $input) {{ accepted {PAYLOAD_ERRORS} }}
        }}""",
        lambda s: {"token": s.pulse_token, "input": {"confidence": 4, "risks": ["budget"]}},
        ANYONE_WITHOUT_A_BAD_KEY,
    ),
    "addEngagementNote": Row(
        f"""mutation($id: ID!, $note: String!) {{
          addEngagementNote(engagementId: $id, note: $note) {{
            note {{ note }} {PAYLOAD_ERRORS}
          }}
        }}""",
        lambda s: {"id": str(s.ongoing_id), "note": "We added a second consultant."},
        ENGAGEMENT_PARTNER,
    ),
}


def schema_mutation_names(sdl: str) -> set[str]:
    mutation = build_schema(sdl).mutation_type
    assert mutation is not None
    return set(mutation.fields)


def test_every_mutation_has_a_row() -> None:
    exported = schema_mutation_names(str(schema))
    named = {row.mutation(name) for name, row in MUTATIONS.items()}
    assert named == exported, (
        f"rows missing for {sorted(exported - named)}, "
        f"rows for no mutation {sorted(named - exported)}"
    )


def test_the_matrix_names_only_known_callers() -> None:
    for name, row in MUTATIONS.items():
        assert row.allowed <= set(CALLERS), name
        assert "bad_key" not in row.allowed, name


def cases(*, allowed: bool) -> list[Any]:
    return [
        pytest.param(mutation, caller, id=f"{mutation}-{caller}")
        for mutation, row in MUTATIONS.items()
        for caller in CALLERS
        if (caller in row.allowed) == allowed
    ]


def refusal_codes(caller: str) -> set[str]:
    if caller == "bad_key":
        return {"UNAUTHENTICATED"}
    if caller == "no_key":  # CONTRACT.md: no key is FORBIDDEN or UNAUTHENTICATED
        return {"FORBIDDEN", "UNAUTHENTICATED"}
    return {"FORBIDDEN"}


class Seeder:
    """Gives each case the data seed() writes, with the dump of every table.

    Seeding costs more than a request, and a refused request must change nothing: so the
    last seed is reused only while every row of every table is still exactly as it was
    dumped right after seeding. Any difference (a successful mutation, a refused one that
    wrote something, another test's leftovers) and the tables are wiped and seeded anew.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.last: tuple[Seed, Dump] | None = None

    def fresh(self) -> tuple[Seed, Dump]:
        if self.last is None or dump(self.db) != self.last[1]:
            self.db.wipe()
            data = seed(self.db)
            self.last = (data, dump(self.db))
        return self.last


@pytest.fixture(scope="module")
def seeder(database: Database) -> Iterator[Seeder]:
    yield Seeder(database)
    database.wipe()


@pytest.fixture(scope="module")
def client(server_url: str) -> Iterator[GraphQLClient]:
    with httpx.Client(timeout=30) as http:
        yield GraphQLClient(base_url=server_url, http=http)


@pytest.mark.parametrize(("mutation", "caller"), cases(allowed=False))
def test_a_wrong_caller_is_refused_and_nothing_changes(
    seeder: Seeder, client: GraphQLClient, mutation: str, caller: str
) -> None:
    row = MUTATIONS[mutation]
    data, before = seeder.fresh()

    response = client.post(row.document, row.variables(data), key=data.keys[caller])

    body = response.json()
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors") or []]
    assert len(codes) == 1, body
    assert codes[0] in refusal_codes(caller), body
    if caller == "bad_key":
        assert response.status_code == 401
    assert (body.get("data") or {}).get(row.mutation(mutation)) is None, body
    after = dump(seeder.db)
    assert changed_tables(before, after) == [], "a refused request changed these tables"
    assert after == before


@pytest.mark.parametrize(("mutation", "caller"), cases(allowed=True))
def test_a_right_caller_succeeds(
    seeder: Seeder, client: GraphQLClient, mutation: str, caller: str
) -> None:
    row = MUTATIONS[mutation]
    data, before = seeder.fresh()

    response = client.post(row.document, row.variables(data), key=data.keys[caller])

    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    payload = body["data"][row.mutation(mutation)]
    assert payload["errors"] == []
    empty = [name for name, value in payload.items() if name != "errors" and value in (None, False)]
    assert empty == [], payload
    assert changed_tables(before, dump(seeder.db)), f"{caller} succeeded but nothing changed"


# -- refused before the input is looked at ---------------------------------------------

BAD_VALUES: list[Any] = [
    pytest.param("updatePartnerProfile", {"input": {"website": "javascript:alert(1)"}}),
    pytest.param("addOffice", {"input": {**OFFICE, "latitude": 95.0}}),
    pytest.param("changeOffice", {"input": {**OFFICE, "country": "XX"}}),
    pytest.param("setPartnerClaims", {"industries": ["nope"]}),
    pytest.param("addCertification", {"input": {"name": "", "vendor": "nope"}}),
    pytest.param(
        "changeCertification",
        {"input": {"name": "", "vendor": "nope"}},
    ),
    pytest.param("addReference", {"input": {"title": "", "industry": "nope"}}),
    pytest.param(
        "changeReference",
        {"input": {"title": "", "industry": "nope"}},
    ),
    pytest.param("replyToReview", {"body": ""}),
    pytest.param("createSurveyInvitation", {"email": "someone@elsewhere.example"}),
    pytest.param("setEngagementStatus", {"status": "nope"}),
    pytest.param("disputeEngagement", {"reason": ""}),
    pytest.param("submitProgramFeedback", {"input": {"likelihoodToRecommend": 11}}),
    pytest.param("disputeEngagement of a vendor's record", {"reason": ""}),
    pytest.param("createVendor", {"input": {"slug": "Not A Slug", "name": ""}}),
    pytest.param("addProduct", {"input": {"slug": "acme-crm", "name": ""}}),
    pytest.param("setProgramMembership", {"partner": "nope", "input": {"tier": "diamond"}}),
]


@pytest.mark.parametrize(
    ("mutation", "bad"), BAD_VALUES, ids=lambda v: v if isinstance(v, str) else "bad_values"
)
def test_a_caller_without_the_right_is_refused_whatever_it_sends(
    seeder: Seeder, client: GraphQLClient, mutation: str, bad: dict[str, Any]
) -> None:
    """CONTRACT.md: a valid key without the right is FORBIDDEN; it is not told what else
    is wrong with its request."""
    row = MUTATIONS[mutation]
    caller = "other_vendor" if row.allowed == ENGAGEMENT_VENDOR else "other_partner"
    data, before = seeder.fresh()

    body = client.execute(row.document, {**row.variables(data), **bad}, key=data.keys[caller])

    codes = [e.get("extensions", {}).get("code") for e in body.get("errors") or []]
    assert codes == ["FORBIDDEN"], body
    assert dump(seeder.db) == before
