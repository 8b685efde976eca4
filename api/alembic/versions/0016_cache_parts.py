"""public_parts: a version per part of the public data, so kept answers survive writes
to the parts they did not read (api/response_cache.py, issue 25).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_parts",
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("part", name=op.f("pk_public_parts")),
    )


def downgrade() -> None:
    op.drop_table("public_parts")
