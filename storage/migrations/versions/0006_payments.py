"""Payments: Telegram invoices and their receipts, and receipts people upload.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.Integer, nullable=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("payload", sa.String(128), nullable=True),
        sa.Column("amount", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("telegram_payment_charge_id", sa.String(512), nullable=True),
        sa.Column("provider_payment_charge_id", sa.String(512), nullable=True),
        sa.Column("upload_id", sa.Integer, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("paid_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_payments"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_payments_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_payments_profile_id_profiles",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name="fk_payments_upload_id_uploads",
                                ondelete="SET NULL"),
        sa.UniqueConstraint("payload", name="uq_payments_payload"),
        sa.UniqueConstraint("telegram_payment_charge_id", name="uq_payments_telegram_payment_charge_id"),
    )
    op.create_index("ix_payments_owner_id", "payments", ["owner_id"])
    op.create_index("ix_payments_profile_id", "payments", ["profile_id"])


def downgrade() -> None:
    op.drop_index("ix_payments_profile_id", "payments")
    op.drop_index("ix_payments_owner_id", "payments")
    op.drop_table("payments")
