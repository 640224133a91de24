"""Books: the signed canonical JSON of each issued book (encrypted), its signature, number and check id.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "books",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("check_id", sa.String(64), nullable=False),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.Integer, nullable=True),
        sa.Column("application_id", sa.Integer, nullable=True),
        sa.Column("photo_upload_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_books"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_books_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_books_profile_id_profiles",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], name="fk_books_application_id_applications",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["photo_upload_id"], ["uploads.id"], name="fk_books_photo_upload_id_uploads",
                                ondelete="SET NULL"),
        sa.UniqueConstraint("number", name="uq_books_number"),
        sa.UniqueConstraint("check_id", name="uq_books_check_id"),
    )
    op.create_index("ix_books_owner_id", "books", ["owner_id"])
    op.create_index("ix_books_profile_id", "books", ["profile_id"])


def downgrade() -> None:
    op.drop_index("ix_books_profile_id", "books")
    op.drop_index("ix_books_owner_id", "books")
    op.drop_table("books")
