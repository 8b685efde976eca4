"""One reader of published partners (api/readers/published.py) for the site, the search
index and GraphQL: a fixed number of statements a batch, and the same partners with the
same figures on every face."""

from __future__ import annotations

from typing import Any

import pytest

from api.demo_data import load_demo_data
from api.readers import published
from api.readers.published import Part, PublishedPartner, published_partners
from api.services import changes
from api.services.figures_rebuild import rebuild
from directory_site import content, pages
from search_index import documents
from search_index.documents import read_documents
from tests.databases import Database, count_statements
from tests.server import GraphQLClient

PARTNERS = 12
EVERY_PART: frozenset[Part] = content.PAGE

LISTED = """
query Listed($first: Int) {
  partners(first: $first) {
    totalCount
    edges { node {
      slug
      offices { city country }
      industries { slug }
      products { slug }
      metrics { responseCount nps { value n } rankingScore evidenceTier }
    } }
  }
}
"""


def seed(db: Database) -> None:
    """A demo directory, every figure published."""
    load_demo_data(db.engine, partners=PARTNERS, seed=5, progress=False)
    with db.session() as session, session.begin():
        rebuild(session=session, publish_all=True)
        changes.record(session, partner_id=None, reason="everything")


def touch(found: PublishedPartner) -> None:
    """Read every column a face shows, so that a lazy load would be counted."""
    shown = [
        found.partner.name,
        found.partner.slug,
        *(f"{office.city}, {office.country}" for office in found.offices),
        *(industry.slug for industry in found.industries),
        *(f"{vendor.name} {product.slug}" for product, vendor in found.products),
        *(certification.name for certification, _vendor in found.certifications),
        *(reference.title for reference, _industry in found.references),
    ]
    assert all(shown)


@pytest.mark.parametrize(
    ("parts", "per_batch"),
    [
        # the partners, their overall tallies, then one statement a part
        (frozenset(), 2),
        (documents.PARTS, 5),
        (content.LISTED, 6),
        (content.PAGE, 10),
        # reviews are shown by the segments' rule, so they bring the segments
        (frozenset({"reviews"}), 4),
    ],
)
def test_a_batch_costs_the_same_statements_however_many_partners_it_holds(
    db: Database, parts: frozenset[Part], per_batch: int
) -> None:
    seed(db)
    with db.session() as session:
        ids = published.partner_ids(session)
        assert len(ids) == PARTNERS
        for batch, batches in ((PARTNERS, 1), (5, 3), (1, PARTNERS)):
            with count_statements(db.engine) as statements:
                found = list(
                    published_partners(
                        session, ids, parts=parts, market_nps=0.0, batch=batch, reviews_shown=20
                    )
                )
                for partner in found:
                    touch(partner)
            assert [partner.partner.id for partner in found] == ids
            assert len(statements) == per_batch * batches, (batch, statements)
            session.expunge_all()  # the next round reads from the database again


def test_every_part_is_read_and_a_missing_id_is_left_out(db: Database) -> None:
    seed(db)
    with db.session() as session:
        ids = published.partner_ids(session)
        wanted = [ids[3], 999_999, ids[0]]
        found = list(
            published_partners(
                session, wanted, parts=EVERY_PART, market_nps=0.0, batch=2, reviews_shown=3
            )
        )
        # batch by batch in the order asked, in id order within a batch
        assert [partner.partner.id for partner in found] == [ids[3], ids[0]]
        everything = list(
            published_partners(
                session, ids, parts=EVERY_PART, market_nps=0.0, batch=5, reviews_shown=3
            )
        )
        lean = list(published_partners(session, ids, parts=frozenset(), market_nps=0.0, batch=5))
    for name in ("offices", "industries", "products", "references", "reviews"):
        assert any(getattr(partner, name) for partner in everything), name
        assert not any(getattr(partner, name) for partner in lean), name
    assert all(len(partner.reviews) <= 3 for partner in everything)
    assert any(partner.segments["industry"] for partner in everything)
    assert [p.figures for p in lean] == [p.figures for p in everything]


def test_the_faces_read_through_it_with_fixed_statements(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)
    monkeypatch.setattr(content, "BATCH", 5)
    monkeypatch.setattr(documents, "BATCH", 5)
    with db.session() as session:
        where = content.directory(session)
        ids = published.partner_ids(session)
        session.expunge_all()
        with count_statements(db.engine) as site_pages:
            for entry in content.partners(session, where):
                pages.partner_parts(entry, where)
        session.expunge_all()
        with count_statements(db.engine) as site_lists:
            listed = list(content.listed_partners(session, where))
        session.expunge_all()
        with count_statements(db.engine) as index:
            found = list(read_documents(session, ids))
    # the partners' ids, then three batches of ten (pages) or six (lists) statements
    assert len(site_pages) == 1 + 3 * 10
    assert len(site_lists) == 1 + 3 * 6
    # the market NPS, then three batches of five
    assert len(index) == 1 + 3 * 5
    assert [entry.partner.id for entry in listed] == [doc.partner_id for doc in found] == ids


def _site_face(entry: PublishedPartner) -> dict[str, Any]:
    nps = entry.figures.overall.nps
    return {
        "offices": sorted((office.city, office.country) for office in entry.offices),
        "industries": sorted(industry.slug for industry in entry.industries),
        "products": sorted(product.slug for product, _vendor in entry.products),
        "responses": entry.figures.overall.response_count,
        "nps": None if nps.value is None else (nps.value, nps.n),
        "ranking_score": entry.figures.ranking_score,
        "tier": entry.figures.evidence_tier,
    }


def _api_face(node: dict[str, Any]) -> dict[str, Any]:
    metrics = node["metrics"]
    nps = metrics["nps"]
    return {
        "offices": sorted((office["city"], office["country"]) for office in node["offices"]),
        "industries": sorted(industry["slug"] for industry in node["industries"]),
        "products": sorted(product["slug"] for product in node["products"]),
        "responses": metrics["responseCount"],
        "nps": None if nps is None else (nps["value"], nps["n"]),
        "ranking_score": metrics["rankingScore"],
        "tier": metrics["evidenceTier"].lower(),
    }


def _index_face(doc: documents.PartnerDocument) -> dict[str, Any]:
    return {
        "countries": list(doc.countries),
        "industries": sorted(doc.industries),
        "products": sorted(doc.products),
        "nps": (doc.nps, doc.nps_n) if doc.nps_n else None,
        "tier": doc.evidence_tier,
    }


def test_the_site_the_index_and_the_api_show_the_same_partners_and_figures(
    db: Database, api: GraphQLClient
) -> None:
    seed(db)
    with db.session() as session:
        where = content.directory(session)
        lists = {entry.slug: _site_face(entry) for entry in content.listed_partners(session, where)}
        site_pages = {entry.slug: _site_face(entry) for entry in content.partners(session, where)}
        index = {
            doc.slug: _index_face(doc)
            for doc in read_documents(session, published.partner_ids(session))
        }
    data = api.data(LISTED, {"first": 100})["partners"]
    graphql = {edge["node"]["slug"]: _api_face(edge["node"]) for edge in data["edges"]}

    assert data["totalCount"] == PARTNERS
    assert lists == site_pages == graphql
    shown = {
        slug: {
            "countries": sorted({country for _city, country in face["offices"]}),
            "industries": face["industries"],
            "products": face["products"],
            "nps": face["nps"],
            "tier": face["tier"],
        }
        for slug, face in graphql.items()
    }
    assert index == shown
    # a world where both sides of the rule show: published NPS, and NPS withheld
    assert any(face["nps"] is not None for face in graphql.values())
    assert any(face["nps"] is None for face in graphql.values())
