"""Foundation: users (locale, consent) and FSM records.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("telegram_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("locale", sa.String(8), nullable=True),
        sa.Column("consent_version", sa.String(32), nullable=True),
        sa.Column("consent_at", UTCDateTime, nullable=True),
        sa.Column("consent_declined_at", UTCDateTime, nullable=True),
        sa.Column("blocked_at", UTCDateTime, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name="pk_users"),
    )
    op.create_table(
        "fsm_records",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("state", sa.String(200), nullable=True),
        sa.Column("data", sa.Text, nullable=False, server_default="{}"),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_fsm_records"),
    )


def downgrade() -> None:
    op.drop_table("fsm_records")
    op.drop_table("users")
