"""Reminders: the holder's notification settings, and an index to replace a holder's pending reminders.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notification_settings",
        sa.Column("owner_id", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("disabled", sa.String(200), nullable=False, server_default=""),
        sa.Column("quiet", sa.String(16), nullable=True),
        sa.Column("zone", sa.String(64), nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("owner_id", name="pk_notification_settings"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_notification_settings_owner_id_users",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_outbox_user_kind", "outbox", ["user_id", "kind", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_user_kind", "outbox")
    op.drop_table("notification_settings")
