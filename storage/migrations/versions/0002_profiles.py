"""Profiles: one per person an account applies for (itself, its children), with the encrypted draft.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("relation", sa.String(16), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("step", sa.String(64), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_profiles"),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.telegram_id"], name="fk_profiles_owner_id_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_profiles_owner_id", "profiles", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_profiles_owner_id", "profiles")
    op.drop_table("profiles")
