"""Exam results (a holder's uploaded results, staff's decisions: the book's entries) and the staff card of
each applicant's results.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exam_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.Integer, nullable=False),
        sa.Column("item", sa.String(48), nullable=False),
        sa.Column("upload_id", sa.Integer, nullable=True),
        sa.Column("done_on", sa.Date, nullable=True),
        sa.Column("clinic", sa.String(32), nullable=True),
        sa.Column("institution", sa.String(200), nullable=True),
        sa.Column("result", sa.String(64), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("decided_by", sa.BigInteger, nullable=True),
        sa.Column("decided_by_name", sa.String(128), nullable=True),
        sa.Column("decided_at", UTCDateTime, nullable=True),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exam_results"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_exam_results_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_exam_results_profile_id_profiles",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.id"], name="fk_exam_results_upload_id_uploads",
                                ondelete="SET NULL"),
    )
    op.create_index("ix_exam_results_owner_id", "exam_results", ["owner_id"])
    op.create_index("ix_exam_results_profile_id", "exam_results", ["profile_id"])
    op.create_table(
        "exam_cards",
        sa.Column("profile_id", sa.Integer, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("message_id", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("profile_id", "chat_id", name="pk_exam_cards"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_exam_cards_profile_id_profiles",
                                ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("exam_cards")
    op.drop_index("ix_exam_results_profile_id", "exam_results")
    op.drop_index("ix_exam_results_owner_id", "exam_results")
    op.drop_table("exam_results")
