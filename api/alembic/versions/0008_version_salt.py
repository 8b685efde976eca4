"""public_version.salt: the public sees the data version only hashed under a secret

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

The version is a microsecond clock; an ETag that showed it told when the last publication
(and so an answer) happened. Existing installs get a random salt here.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("public_version") as batch:
        batch.add_column(sa.Column("salt", sa.String(length=32), nullable=True))
    op.get_bind().execute(
        sa.text("UPDATE public_version SET salt = :salt"), {"salt": secrets.token_hex(16)}
    )
    with op.batch_alter_table("public_version") as batch:
        batch.alter_column("salt", existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("public_version") as batch:
        batch.drop_column("salt")
