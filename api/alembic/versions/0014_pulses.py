"""pulse checks during an implementation, partners' notes, the published on-track share

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

Three new tables; nothing existing changes. Downgrading drops them with their rows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pulse_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confidence", sa.SmallInteger(), nullable=True),
        sa.Column("risks", sa.String(length=120), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at_risk", sa.Boolean(), nullable=True),
        sa.CheckConstraint(
            "(used_at IS NULL) = (at_risk IS NULL)", name=op.f("ck_pulse_checks_at_risk")
        ),
        sa.CheckConstraint(
            "(used_at IS NULL) = (confidence IS NULL)", name=op.f("ck_pulse_checks_answered")
        ),
        sa.CheckConstraint(
            "confidence BETWEEN 0 AND 10", name=op.f("ck_pulse_checks_confidence")
        ),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_pulse_checks_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pulse_checks")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pulse_checks_token_hash")),
    )
    op.create_index(
        "ix_pulse_checks_engagement_used", "pulse_checks", ["engagement_id", "used_at"]
    )
    op.create_table(
        "engagement_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_engagement_notes_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_notes")),
    )
    op.create_index(
        op.f("ix_engagement_notes_engagement_id"), "engagement_notes", ["engagement_id"]
    )
    op.create_table(
        "published_pulses",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("on_track", sa.Boolean(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["engagement_id"],
            ["engagements.id"],
            name=op.f("fk_published_pulses_engagement_id_engagements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_published_pulses_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pulse_id"],
            ["pulse_checks.id"],
            name=op.f("fk_published_pulses_pulse_id_pulse_checks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "engagement_id", name=op.f("pk_published_pulses")),
    )


def downgrade() -> None:
    op.drop_table("published_pulses")
    op.drop_index(op.f("ix_engagement_notes_engagement_id"), table_name="engagement_notes")
    op.drop_table("engagement_notes")
    op.drop_index("ix_pulse_checks_engagement_used", table_name="pulse_checks")
    op.drop_table("pulse_checks")
