"""The demo data set: deterministic, realistic, within every constraint, and fast to load."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session

from api.demo_data import DemoSummary, load_demo_data
from api.demo_data.cities import CITIES, COUNTRY_LANGUAGES
from api.models import (
    Base,
    Customer,
    Engagement,
    Industry,
    Office,
    Partner,
    Product,
    ProgramFeedback,
    PulseCheck,
    SurveyInvitation,
    SurveyResponse,
    Vendor,
    partner_industries,
)
from api.models.pulse import latest_answers
from api.vocabulary import QUESTION_COLUMNS, SELECTION_REASONS
from tests.databases import Database

SMALL = 40
SEED = 7
DUMPED = (
    "partners",
    "offices",
    "vendor_program_memberships",
    "program_feedback",
    "customers",
    "engagements",
    "engagement_products",
    "survey_invitations",
    "survey_responses",
    "pulse_checks",
)


def fresh_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    return engine


def load_small(path: Path, *, partners: int = SMALL, seed: int = SEED) -> Engine:
    engine = fresh_engine(path)
    load_demo_data(engine, partners=partners, seed=seed, progress=False)
    return engine


def dump(engine: Engine, table_name: str) -> list[tuple[Any, ...]]:
    table = Base.metadata.tables[table_name]
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(select(table).order_by(*table.c))]


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_small(tmp_path_factory.mktemp("small") / "demo.db")


@pytest.fixture(scope="module")
def bigger(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return load_small(tmp_path_factory.mktemp("bigger") / "demo.db", partners=150, seed=SEED)


def test_the_same_seed_gives_the_same_rows(small: Engine, tmp_path: Path) -> None:
    again = load_small(tmp_path / "again.db")
    for name in DUMPED:
        rows = dump(small, name)
        assert rows, name
        assert rows == dump(again, name), name


def test_another_seed_gives_other_partners(small: Engine, tmp_path: Path) -> None:
    other = load_small(tmp_path / "other.db", seed=SEED + 1)
    assert dump(other, "partners") != dump(small, "partners")


def test_the_summary_counts_what_was_loaded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = fresh_engine(tmp_path / "demo.db")
    summary = load_demo_data(engine, partners=12, seed=SEED, progress=False)
    assert capsys.readouterr().out == ""  # progress=False prints nothing
    with Session(engine) as session:

        def count(model: type[Base]) -> int | None:
            return session.scalar(select(func.count()).select_from(model))

        assert summary.partners == count(Partner) == 12
        assert summary.offices == count(Office)
        assert summary.customers == count(Customer)
        assert summary.engagements == count(Engagement)
        assert summary.invitations == count(SurveyInvitation)
        assert summary.responses == count(SurveyResponse)
        assert summary.pulse_checks == count(PulseCheck)
    with pytest.raises(AttributeError):
        summary.partners = 1  # type: ignore[misc]
    assert isinstance(summary, DemoSummary)


def test_reference_data(small: Engine) -> None:
    with Session(small) as session:
        industries = session.scalars(select(Industry)).all()
        vendors = session.scalars(select(Vendor)).all()
        products = session.scalars(select(Product)).all()
    assert len(industries) >= 18
    assert {"healthcare", "financial-services", "retail", "manufacturing"} <= {
        i.slug for i in industries
    }
    assert len(vendors) == 6
    per_vendor = Counter(product.vendor_id for product in products)
    assert all(2 <= per_vendor[vendor.id] <= 4 for vendor in vendors)
    assert len({product.slug for product in products}) == len(products)


A_BEFORE_A_VOWEL = re.compile(r"\b[Aa] [aeiouAEIOU]")


def test_partners_look_real(small: Engine) -> None:
    slug = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
    languages = {code for codes in COUNTRY_LANGUAGES.values() for code in codes} | {"en"}
    with Session(small) as session:
        partners = session.scalars(select(Partner)).all()
        offices = session.scalars(select(Office)).all()
        claims = Counter(session.scalars(select(partner_industries.c.partner_id)))
    assert len(partners) == SMALL
    assert len({p.name for p in partners}) == SMALL
    for partner in partners:
        assert slug.match(partner.slug), partner.slug
        assert partner.website == f"https://{partner.slug}.example"
        assert partner.summary
        assert len(partner.summary) <= 300
        assert partner.description
        assert partner.description.startswith("## About ")
        assert partner.hourly_rate_min is not None
        assert partner.hourly_rate_max is not None
        assert 0 < partner.hourly_rate_min <= partner.hourly_rate_max
        assert partner.partner_types
        assert set(partner.languages) <= languages
        assert partner.created_at.tzinfo is not None
        assert partner.created_at <= datetime(2026, 10, 1, tzinfo=UTC)
        assert 2 <= claims[partner.id] <= 5
        # "an established partner", never "A established partner"
        assert not A_BEFORE_A_VOWEL.search(partner.summary), partner.summary
        assert not A_BEFORE_A_VOWEL.search(partner.description), partner.description
    cities = {(c.name, c.country, c.latitude, c.longitude) for c in CITIES}
    by_partner: dict[int, list[Office]] = {}
    for office in offices:
        assert (office.city, office.country, office.latitude, office.longitude) in cities
        assert -90 <= office.latitude <= 90
        assert -180 <= office.longitude <= 180
        by_partner.setdefault(office.partner_id, []).append(office)
    for partner in partners:
        own = by_partner[partner.id]
        assert 1 <= len(own) <= 5
        (hq,) = [office for office in own if office.is_headquarters]
        assert (hq.city, hq.country) == (partner.headquarters_city, partner.headquarters_country)


def test_engagements_and_surveys_hold_together(small: Engine) -> None:
    with Session(small) as session:
        customers = {c.id: c for c in session.scalars(select(Customer))}
        engagements = {e.id: e for e in session.scalars(select(Engagement))}
        invitations = session.scalars(select(SurveyInvitation)).all()
        responses = session.scalars(select(SurveyResponse)).all()
    assert all(c.email_domain.endswith(".example.com") for c in customers.values())
    statuses = Counter(e.status for e in engagements.values())
    assert statuses["completed"] > statuses["in_progress"] > 0
    for engagement in engagements.values():
        assert engagement.industry_id == customers[engagement.customer_id].industry_id
        assert engagement.selection_reason in SELECTION_REASONS
        assert engagement.confirmed == (engagement.status != "proposed")
        # the vendor recorded it and the partner confirmed it, or the partner proposed it
        assert engagement.recorded_by == (
            "partner" if engagement.status == "proposed" else "vendor"
        )
        assert engagement.disputed_at is None
        if engagement.started_on is not None:
            assert engagement.started_on >= date(2021, 1, 1)
        if engagement.status == "completed":
            assert engagement.ended_on is not None
            assert engagement.started_on is not None
            assert engagement.ended_on <= date(2026, 10, 1)
    invitations_by_engagement = Counter(i.engagement_id for i in invitations)
    for invitation in invitations:
        engagement = engagements[invitation.engagement_id]
        assert engagement.status == "completed"
        assert engagement.confirmed  # surveyed only once both sides agreed it happened
        assert 1 <= invitations_by_engagement[engagement.id] <= 3
        assert re.fullmatch(r"[0-9a-f]{64}", invitation.token_hash)
        assert invitation.email.endswith("@" + customers[engagement.customer_id].email_domain)
        assert invitation.created_at < invitation.expires_at
        if invitation.used_at is not None:
            assert invitation.created_at <= invitation.used_at <= invitation.expires_at
    used = {i.id: i for i in invitations if i.used_at is not None}
    assert 0.5 < len(used) / len(invitations) < 0.8
    assert {r.invitation_id for r in responses} == set(used)
    for response in responses:
        engagement = engagements[response.engagement_id]
        assert response.partner_id == engagement.partner_id
        assert response.selection_reason == engagement.selection_reason
        assert response.submitted_at == used[response.invitation_id].used_at
        assert response.submitted_at.tzinfo is not None
        assert response.comment
        assert response.respondent_name
        assert response.respondent_title
        assert response.likelihood_vendor is not None
        # every question of the vocabulary is answered: a new one needs its generator
        assert [c for c in QUESTION_COLUMNS if getattr(response, c) is None] == [], response.id
    anonymous = sum(r.anonymous for r in responses) / len(responses)
    assert 0.3 < anonymous < 0.5


def test_vendor_recommended_partners_do_worst(bigger: Engine) -> None:
    with Session(bigger) as session:
        responses = session.scalars(select(SurveyResponse)).all()
    by_reason: dict[str, list[SurveyResponse]] = {}
    for response in responses:
        assert response.selection_reason is not None
        by_reason.setdefault(response.selection_reason, []).append(response)

    def mean_likelihood(reason: str) -> float:
        rows = by_reason[reason]
        return sum(r.likelihood_partner for r in rows) / len(rows)

    def goals_met(reason: str) -> float:
        rows = by_reason[reason]
        return sum(bool(r.goals_met) for r in rows) / len(rows)

    assert len(by_reason["vendor_recommended"]) >= 100
    worst = mean_likelihood("vendor_recommended")
    assert worst == min(mean_likelihood(reason) for reason in by_reason)
    for better in ("peer_referral", "rfp_evaluation", "industry_expertise"):
        assert mean_likelihood(better) > worst + 1.0, better
        assert goals_met(better) > goals_met("vendor_recommended") + 0.15, better


def test_responses_per_partner_are_skewed(bigger: Engine) -> None:
    with bigger.connect() as connection:
        partner_ids = connection.scalars(select(Partner.id)).all()
        counts = Counter(connection.scalars(select(SurveyResponse.partner_id)))
    per_partner = [counts[pid] for pid in partner_ids]
    assert sum(n <= 10 for n in per_partner) >= len(per_partner) * 0.4
    assert max(per_partner) >= 60
    assert 12 <= sum(per_partner) / len(per_partner) <= 30


def test_loading_twice_is_refused(small: Engine) -> None:
    with pytest.raises(ValueError, match=f"already holds {SMALL} partners"):
        load_demo_data(small, partners=5, progress=False)
    assert len(dump(small, "partners")) == SMALL


def test_loads_into_the_migrated_schema_and_later_inserts_still_work(db: Database) -> None:
    summary = load_demo_data(db.engine, partners=15, seed=SEED, progress=False)
    with db.session() as session, session.begin():
        partner = Partner(slug="after-the-demo", name="After the Demo")
        session.add(partner)
        session.flush()
        assert partner.id == summary.partners + 1


def test_partners_rate_programmes_and_some_declare_their_capacity(tmp_path: Path) -> None:
    engine = load_small(tmp_path / "demo.db")
    with engine.connect() as connection:
        quarters = connection.execute(
            select(ProgramFeedback.quarter, func.count()).group_by(ProgramFeedback.quarter)
        ).all()
        capacities = connection.execute(select(Partner.delivery_capacity)).scalars().all()
    engine.dispose()

    assert {quarter for quarter, _ in quarters} == {"2026-Q1", "2026-Q2", "2026-Q3"}
    assert all(count >= 5 for _, count in quarters)
    declared = [c for c in capacities if c is not None]
    assert 0 < len(declared) < len(capacities), "some declare, some do not"
    assert all(1 <= c <= 18 for c in declared)


def test_pulse_checks_go_to_engagements_in_progress_and_some_are_at_risk(bigger: Engine) -> None:
    with Session(bigger) as session:
        statuses = session.execute(
            select(Engagement.status, func.count())
            .join(PulseCheck, PulseCheck.engagement_id == Engagement.id)
            .group_by(Engagement.status)
        ).all()
        latest = latest_answers()
        states = session.execute(select(latest.c.at_risk, func.count()).group_by(latest.c.at_risk))
        by_state = dict(states.all())
        wrong_domain = session.scalar(
            select(func.count())
            .select_from(PulseCheck)
            .join(Engagement, Engagement.id == PulseCheck.engagement_id)
            .join(Customer, Customer.id == Engagement.customer_id)
            .where(PulseCheck.email != "pm@" + Customer.email_domain)
        )

    assert [status for status, _ in statuses] == ["in_progress"]
    # some at risk, most on track
    assert 0 < by_state[True] < by_state[False]
    assert wrong_domain == 0
