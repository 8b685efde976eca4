"""stored ranking keys (partners.ranking_key, ranking_basis) and the public data version

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

The keys of existing partners are worked out at the current published market NPS, which
becomes the ranking basis (api/services/ranking_keys.py).
"""

import time
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DETRACTORS = " + ".join(f"t.lp_{i}" for i in range(7))
# Column names only go into these statements; the market is a parameter.
LIFT = (
    f"(100.0 * ((t.lp_9 + t.lp_10) - ({DETRACTORS})) - t.n * :market) / (t.n + 10)"
)
KEYS = (
    "UPDATE partners SET ranking_key = COALESCE(("  # noqa: S608
    f"SELECT CASE WHEN t.n >= 5 THEN {LIFT} ELSE 0.0 END FROM published_tallies t "
    "WHERE t.partner_id = partners.id AND t.kind = 'all' AND t.segment = ''), 0.0)"
)


def _market_nps() -> float:
    row = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT lp_9 + lp_10, "  # noqa: S608
                + DETRACTORS.replace("t.", "")
                + ", "
                + " + ".join(f"lp_{i}" for i in range(11))
                + " FROM published_market WHERE kind = 'all' AND segment = ''"
            )
        )
        .one_or_none()
    )
    if row is None or not row[2]:
        return 0.0
    promoters, detractors, n = row
    return 100.0 * (promoters - detractors) / n


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch_op:
        batch_op.add_column(
            sa.Column("ranking_key", sa.Float(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("partners") as batch_op:
        batch_op.alter_column("ranking_key", server_default=None)
    op.create_index(op.f("ix_partners_ranking_key"), "partners", ["ranking_key"])
    # Filtered lists and their counts find the partners of an industry, a product or a
    # country from an index alone.
    op.drop_index("ix_offices_country", table_name="offices")
    op.create_index("ix_offices_country_partner_id", "offices", ["country", "partner_id"])
    op.create_index(
        "ix_partner_industries_industry_id", "partner_industries", ["industry_id", "partner_id"]
    )
    op.create_index(
        "ix_partner_products_product_id", "partner_products", ["product_id", "partner_id"]
    )
    op.create_table(
        "ranking_basis",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("market_nps", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_basis")),
    )
    op.create_table(
        "public_version",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_version")),
    )
    market = _market_nps()
    op.get_bind().execute(
        sa.text("INSERT INTO public_version (id, version) VALUES (1, :now)"),
        {"now": time.time_ns() // 1000},
    )
    op.get_bind().execute(
        sa.text("INSERT INTO ranking_basis (id, market_nps) VALUES (1, :market)"),
        {"market": market},
    )
    op.get_bind().execute(sa.text(KEYS), {"market": market})


def downgrade() -> None:
    op.drop_table("public_version")
    op.drop_table("ranking_basis")
    op.drop_index("ix_partner_products_product_id", table_name="partner_products")
    op.drop_index("ix_partner_industries_industry_id", table_name="partner_industries")
    op.drop_index("ix_offices_country_partner_id", table_name="offices")
    op.create_index("ix_offices_country", "offices", ["country"])
    op.drop_index(op.f("ix_partners_ranking_key"), table_name="partners")
    with op.batch_alter_table("partners") as batch_op:
        batch_op.drop_column("ranking_key")
