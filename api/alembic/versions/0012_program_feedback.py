"""partners rate the vendor's programme; a partner's declared delivery capacity

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

`program_feedback` holds one answer per partner, vendor and quarter (a later one that
quarter replaces it); `partners.delivery_capacity` the projects a partner says it can run
at once (null: not declared).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

THEMES = ("enablement", "support", "lead_sharing", "payments")


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch_op:
        batch_op.add_column(sa.Column("delivery_capacity", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_partners_delivery_capacity"), "delivery_capacity BETWEEN 1 AND 1000"
        )
    op.create_table(
        "program_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("likelihood_to_recommend", sa.SmallInteger(), nullable=False),
        *(sa.Column(theme, sa.SmallInteger(), nullable=True) for theme in THEMES),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "likelihood_to_recommend BETWEEN 0 AND 10",
            name=op.f("ck_program_feedback_likelihood"),
        ),
        *(
            sa.CheckConstraint(f"{theme} BETWEEN 1 AND 5", name=op.f(f"ck_program_feedback_{theme}"))
            for theme in THEMES
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_program_feedback_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendors.id"],
            name=op.f("fk_program_feedback_vendor_id_vendors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_feedback")),
        sa.UniqueConstraint(
            "vendor_id", "partner_id", "quarter", name=op.f("uq_program_feedback_vendor_id")
        ),
    )
    with op.batch_alter_table("program_feedback") as batch_op:
        batch_op.create_index(batch_op.f("ix_program_feedback_partner_id"), ["partner_id"])


def downgrade() -> None:
    op.drop_table("program_feedback")
    with op.batch_alter_table("partners") as batch_op:
        batch_op.drop_constraint(op.f("ck_partners_delivery_capacity"), type_="check")
        batch_op.drop_column("delivery_capacity")
