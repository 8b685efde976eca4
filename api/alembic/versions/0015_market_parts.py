"""The live market figures are summed from the partners' rows when read: no market row.

Every survey submit upserted the one market_tallies row ('all', ''), so under load submits
for different partners queued behind its lock (issue 25). The live market figures are now
the sum of the partners' live 'all' and 'reason' rows (api.models.figures.live_market); the
downgrade stores that sum again.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from api.metrics import TALLY_COLUMNS

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("market_tallies")


def downgrade() -> None:
    op.create_table(
        "market_tallies",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in TALLY_COLUMNS),
        sa.PrimaryKeyConstraint("kind", "segment", name=op.f("pk_market_tallies")),
    )
    names = ", ".join(TALLY_COLUMNS)
    sums = ", ".join(f"SUM({name})" for name in TALLY_COLUMNS)
    op.execute(
        f"INSERT INTO market_tallies (kind, segment, {names}) "  # noqa: S608 - fixed names
        f"SELECT kind, segment, {sums} FROM partner_tallies "
        "WHERE kind IN ('all', 'reason') GROUP BY kind, segment"
    )
