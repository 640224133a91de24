"""Uploads: checked photos and scans, stored encrypted under random names.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.Integer, nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("detected_type", sa.String(16), nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False, server_default="1"),
        sa.Column("width", sa.Integer, nullable=True),
        sa.Column("height", sa.Integer, nullable=True),
        sa.Column("dpi", sa.Integer, nullable=True),
        sa.Column("checks", sa.Text, nullable=False, server_default="[]"),
        sa.Column("telegram_file_id", sa.String(255), nullable=True),
        sa.Column("telegram_file_unique_id", sa.String(64), nullable=True),
        sa.Column("storage_name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_uploads"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_uploads_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_uploads_profile_id_profiles",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_uploads_profile_id", "uploads", ["profile_id"])


def downgrade() -> None:
    op.drop_index("ix_uploads_profile_id", "uploads")
    op.drop_table("uploads")
