"""change log for the derived copies (search index, site); partner capabilities

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

One "everything" row is written so that an index or site built before the upgrade is
brought up to date on its next sync.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_change_log_partner_id"), "change_log", ["partner_id"])
    with op.batch_alter_table("partners") as batch_op:
        batch_op.add_column(
            sa.Column("capabilities", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("partners") as batch_op:
        batch_op.alter_column("capabilities", server_default=None)
    op.execute(
        sa.text(
            "INSERT INTO change_log (partner_id, reason, created_at) "
            "VALUES (NULL, 'everything', CURRENT_TIMESTAMP)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("partners") as batch_op:
        batch_op.drop_column("capabilities")
    op.drop_index(op.f("ix_change_log_partner_id"), table_name="change_log")
    op.drop_table("change_log")
