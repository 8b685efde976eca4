"""The site's vendor pages: the latest published quarter of programme feedback, its
comments cleaned and unattributed, and nothing at all from a withheld quarter."""

from __future__ import annotations

from pathlib import Path

from api.models import ProgramFeedback
from directory_site.vendors import vendor_sources
from tests import factories
from tests.databases import Database

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def rate(db: Database, quarter: str, scores: list[int], comments: dict[int, str]) -> None:
    with db.session() as session, session.begin():
        world = factories.reference_data(session)
        for number, score in enumerate(scores):
            partner = factories.partner(session, world, f"partner-{number}")
            session.add(
                ProgramFeedback(
                    vendor_id=world.vendors["acme"].id,
                    partner_id=partner.id,
                    quarter=quarter,
                    likelihood_to_recommend=score,
                    enablement=4,
                    comment=comments.get(number),
                )
            )


def test_a_vendor_page_shows_the_published_quarter_without_its_partners(
    db: Database, tmp_path: Path
) -> None:
    rate(db, "2020-Q1", [10, 10, 9, 7, 2], {0: XSS, 3: "Slow payments"})

    with db.session() as session:
        pages = vendor_sources(session)
    page = pages["vendors/acme.md"]

    assert "2020-Q1, 5 partners answered" in page
    assert "<strong>+40</strong>" in page  # 3 promoters, 1 detractor of 5
    assert "4.0" in page  # enablement
    assert "Slow payments" in page
    assert "<script" not in page
    assert "onerror=alert" not in page or "&lt;img" in page
    assert "partner-" not in page, "no partner is named beside the programme's figures"
    assert page.index("&lt;script") < page.index("Slow payments"), "sorted by text"
    assert 'href="acme.html"' in pages["vendors/index.md"]


def test_a_withheld_quarter_shows_nothing_but_why(db: Database, tmp_path: Path) -> None:
    rate(db, "2020-Q1", [10, 10, 9, 7], {0: "a secret worth keeping"})

    with db.session() as session:
        pages = vendor_sources(session)
    page = pages["vendors/acme.md"]

    assert "withheld, fewer than 5 partners answered (4)" in page
    assert "a secret worth keeping" not in page
    assert "<strong>" not in page
