"""Added ELMK: an official book a holder already has, added by its number, dates and file.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "added_elmk",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("upload_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confirmed_by", sa.BigInteger, nullable=True),
        sa.Column("confirmed_by_name", sa.String(128), nullable=True),
        sa.Column("confirmed_at", UTCDateTime, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_added_elmk"),
        sa.UniqueConstraint("ref", name="uq_added_elmk_ref"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_added_elmk_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name="fk_added_elmk_upload_id_uploads",
                                ondelete="SET NULL"),
    )
    op.create_index("ix_added_elmk_owner_id", "added_elmk", ["owner_id"])


def downgrade() -> None:
    op.drop_index("ix_added_elmk_owner_id", "added_elmk")
    op.drop_table("added_elmk")
