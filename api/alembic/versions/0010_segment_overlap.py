"""published_tallies.shown: which segments the public sees, decided at publication

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

The overlap rule (api.metrics.withholding) reads the answer sets behind each published
copy, so it is decided when figures are published and stored here. After the column, it
is decided once for every partner as the figures stand, and the market figures summed
again (they count only the reason rows shown).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("published_tallies") as batch_op:
        batch_op.add_column(
            sa.Column("shown", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _decide_what_is_shown()


def _decide_what_is_shown() -> None:
    from sqlalchemy.orm import Session

    from api.services import figures_rebuild, shown_segments

    session = Session(bind=op.get_bind())
    shown_segments.refresh(session, None)
    figures_rebuild.sum_published_market(session)


def downgrade() -> None:
    with op.batch_alter_table("published_tallies") as batch_op:
        batch_op.drop_column("shown")
