"""figure tallies (per partner, per segment, market-wide); one invitation per email

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The integer columns of api.metrics.Tally as of this revision (frozen here on purpose).
TALLY_COLUMNS = (
    'n', 'lp_0', 'lp_1', 'lp_2', 'lp_3', 'lp_4', 'lp_5', 'lp_6', 'lp_7', 'lp_8', 'lp_9',
    'lp_10', 'lv_0', 'lv_1', 'lv_2', 'lv_3', 'lv_4', 'lv_5', 'lv_6', 'lv_7', 'lv_8',
    'lv_9', 'lv_10', 'rating_overall_n', 'rating_overall_sum', 'rating_quality_n',
    'rating_quality_sum', 'rating_schedule_n', 'rating_schedule_sum', 'rating_budget_n',
    'rating_budget_sum', 'rating_communication_n', 'rating_communication_sum',
    'rating_expertise_n', 'rating_expertise_sum', 'went_live_n', 'went_live_yes',
    'on_time_n', 'on_time_yes', 'on_budget_n', 'on_budget_yes', 'goals_met_n',
    'goals_met_yes', 'would_hire_again_n', 'would_hire_again_yes'
)


def tally_columns() -> list[sa.Column]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in TALLY_COLUMNS]


def upgrade() -> None:
    op.create_table(
        "market_tallies",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        *tally_columns(),
        sa.PrimaryKeyConstraint("kind", "segment", name=op.f("pk_market_tallies")),
    )
    op.create_table(
        "partner_tallies",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        *tally_columns(),
        sa.Column("engagements_covered", sa.Integer(), nullable=False),
        sa.Column("invitations", sa.Integer(), nullable=False),
        sa.Column("latest_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_tallies_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "kind", "segment", name=op.f("pk_partner_tallies")),
    )


    with op.batch_alter_table("survey_invitations") as batch_op:
        batch_op.create_unique_constraint(
            op.f("uq_survey_invitations_engagement_id"), ["engagement_id", "email"]
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_invitations") as batch_op:
        batch_op.drop_constraint(op.f("uq_survey_invitations_engagement_id"), type_="unique")
    op.drop_table("partner_tallies")
    op.drop_table("market_tallies")
