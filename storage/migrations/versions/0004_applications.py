"""Applications, their status history, the yearly number counter and the audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("snapshot", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("signed_by", sa.BigInteger, nullable=False),
        sa.Column("signed_at", UTCDateTime, nullable=False),
        sa.Column("requested_documents", sa.Text, nullable=True),
        sa.Column("staff_chat_id", sa.BigInteger, nullable=True),
        sa.Column("staff_message_id", sa.BigInteger, nullable=True),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_applications"),
        sa.UniqueConstraint("number", name="uq_applications_number"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_applications_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_applications_profile_id_profiles",
                                ondelete="SET NULL"),
    )
    op.create_index("ix_applications_owner_id", "applications", ["owner_id"])
    op.create_table(
        "application_counters",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("year", name="pk_application_counters"),
    )
    op.create_table(
        "status_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("application_id", sa.Integer, nullable=False),
        sa.Column("from_status", sa.String(32), nullable=True),
        sa.Column("to_status", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.BigInteger, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_status_changes"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name="fk_status_changes_application_id_applications", ondelete="CASCADE"),
    )
    op.create_index("ix_status_changes_application_id", "status_changes", ["application_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor_id", sa.BigInteger, nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("application_id", sa.Integer, nullable=True),
        sa.Column("details", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )


def downgrade() -> None:
    op.drop_table("audit_log")
    op.drop_index("ix_status_changes_application_id", "status_changes")
    op.drop_table("status_changes")
    op.drop_table("application_counters")
    op.drop_index("ix_applications_owner_id", "applications")
    op.drop_table("applications")
