"""Bookings: a person's seat in a clinic's slot. The seat guarantee is a partial unique index over the
bookings that hold a seat (active, no_show), so two processes can never give one seat twice.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

_HOLDS_SEAT = sa.text("status IN ('active', 'no_show')")


def upgrade() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("clinic_code", sa.String(32), nullable=False),
        sa.Column("slot_start", UTCDateTime, nullable=False),
        sa.Column("seat", sa.Integer, nullable=False),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("profile_id", sa.Integer, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("replaced_by", sa.Integer, nullable=True),
        sa.Column("marked_by", sa.BigInteger, nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("cancelled_at", UTCDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_bookings"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.telegram_id"], name="fk_bookings_owner_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["profile_id"], ["profiles.id"], name="fk_bookings_profile_id_profiles",
                                ondelete="SET NULL"),
        sa.UniqueConstraint("number", name="uq_bookings_number"),
    )
    op.create_index("ix_bookings_owner_id", "bookings", ["owner_id"])
    op.create_index("ix_bookings_clinic_code", "bookings", ["clinic_code", "slot_start"])
    op.create_index("uq_bookings_seat", "bookings", ["clinic_code", "slot_start", "seat"], unique=True,
                    sqlite_where=_HOLDS_SEAT, postgresql_where=_HOLDS_SEAT)


def downgrade() -> None:
    op.drop_index("uq_bookings_seat", "bookings")
    op.drop_index("ix_bookings_clinic_code", "bookings")
    op.drop_index("ix_bookings_owner_id", "bookings")
    op.drop_table("bookings")
