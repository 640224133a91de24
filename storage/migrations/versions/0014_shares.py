"""Shares: a holder's book shared with an employer by a link (token kept as a hash), and each open and
confirmation of it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shares",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("book_id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("employer", sa.Text, nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=True),
        sa.Column("delivered_at", UTCDateTime, nullable=True),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shares"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_shares_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["book_id"], ["books.id"], name="fk_shares_book_id_books", ondelete="CASCADE"),
        sa.UniqueConstraint("token_hash", name="uq_shares_token_hash"),
    )
    op.create_index("ix_shares_owner_id", "shares", ["owner_id"])
    op.create_index("ix_shares_book_id", "shares", ["book_id"])
    op.create_table(
        "share_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("share_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_share_events"),
        sa.ForeignKeyConstraint(["share_id"], ["shares.id"], name="fk_share_events_share_id_shares",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_share_events_share_id", "share_events", ["share_id"])


def downgrade() -> None:
    op.drop_index("ix_share_events_share_id", "share_events")
    op.drop_table("share_events")
    op.drop_index("ix_shares_book_id", "shares")
    op.drop_index("ix_shares_owner_id", "shares")
    op.drop_table("shares")
