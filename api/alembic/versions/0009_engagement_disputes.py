"""engagements confirmed by both sides: who recorded each one, and a dispute with its reason

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Existing engagements keep their state: a confirmed one stays confirmed (recorded by its
vendor, or by an admin when it names none), an unconfirmed one was a partner's proposal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RECORDED_BY = (
    "UPDATE engagements SET recorded_by = CASE WHEN NOT confirmed THEN 'partner' "
    "WHEN vendor_id IS NULL THEN 'admin' ELSE 'vendor' END"
)


def upgrade() -> None:
    with op.batch_alter_table("engagements") as batch_op:
        batch_op.add_column(
            sa.Column("recorded_by", sa.String(length=8), nullable=False, server_default="admin")
        )
        batch_op.add_column(sa.Column("disputed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("dispute_reason", sa.Text(), nullable=True))
    op.get_bind().execute(sa.text(RECORDED_BY))
    with op.batch_alter_table("engagements") as batch_op:
        batch_op.alter_column("recorded_by", server_default=None)
        batch_op.create_check_constraint(
            op.f("ck_engagements_recorded_by"),
            "recorded_by IN ('vendor', 'partner', 'admin', 'import')",
        )
        batch_op.create_check_constraint(
            op.f("ck_engagements_dispute_reason"),
            "(disputed_at IS NULL) = (dispute_reason IS NULL)",
        )
        batch_op.create_check_constraint(
            op.f("ck_engagements_disputed_unconfirmed"), "disputed_at IS NULL OR NOT confirmed"
        )


def downgrade() -> None:
    with op.batch_alter_table("engagements") as batch_op:
        batch_op.drop_constraint(op.f("ck_engagements_disputed_unconfirmed"), type_="check")
        batch_op.drop_constraint(op.f("ck_engagements_dispute_reason"), type_="check")
        batch_op.drop_constraint(op.f("ck_engagements_recorded_by"), type_="check")
        batch_op.drop_column("dispute_reason")
        batch_op.drop_column("disputed_at")
        batch_op.drop_column("recorded_by")
