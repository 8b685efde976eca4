"""published figures: copies that move in steps of five answers; numbered responses

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

After the tables, every existing figure is published as it stands (the rebuild with
publish_all), so the public keeps seeing what it saw before the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
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
        "published_market",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        *tally_columns(),
        sa.Column("engagements_covered", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "segment", name=op.f("pk_published_market")),
    )
    op.create_table(
        "published_tallies",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("segment", sa.String(length=32), nullable=False),
        *tally_columns(),
        sa.Column("engagements_covered", sa.Integer(), nullable=False),
        sa.Column("invitations", sa.Integer(), nullable=False),
        sa.Column("latest_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_through", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_published_tallies_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "partner_id", "kind", "segment", name=op.f("pk_published_tallies")
        ),
    )
    with op.batch_alter_table("partner_tallies") as batch_op:
        batch_op.add_column(
            sa.Column("submitted", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("partner_tallies") as batch_op:
        batch_op.alter_column("submitted", server_default=None)
    with op.batch_alter_table("survey_responses") as batch_op:
        batch_op.add_column(sa.Column("partner_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("review_key", sa.String(length=24), nullable=True))
        batch_op.create_unique_constraint(
            op.f("uq_survey_responses_review_key"), ["review_key"]
        )
    _publish_what_is_there()


def _publish_what_is_there() -> None:
    import secrets

    from sqlalchemy.orm import Session

    from api.services.figures_rebuild import rebuild

    bind = op.get_bind()
    ids = bind.execute(sa.text("SELECT id FROM survey_responses WHERE review_key IS NULL")).all()
    if ids:
        bind.execute(
            sa.text("UPDATE survey_responses SET review_key = :key WHERE id = :id"),
            [{"key": secrets.token_urlsafe(12), "id": row.id} for row in ids],
        )
        rebuild(session=Session(bind=bind), publish_all=True)


def downgrade() -> None:
    with op.batch_alter_table("survey_responses") as batch_op:
        batch_op.drop_constraint(op.f("uq_survey_responses_review_key"), type_="unique")
        batch_op.drop_column("review_key")
        batch_op.drop_column("partner_seq")
    with op.batch_alter_table("partner_tallies") as batch_op:
        batch_op.drop_column("submitted")
    op.drop_table("published_tallies")
    op.drop_table("published_market")
