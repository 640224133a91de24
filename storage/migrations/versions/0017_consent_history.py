"""Consent history: every time a person gave, declined or withdrew consent (issue 15, the holder's data rights).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from storage.db import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner_id", sa.BigInteger, nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("version", sa.String(32), nullable=True),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consent_events"),
    )
    op.create_index("ix_consent_events_owner_id", "consent_events", ["owner_id"])
    # What was known before the history existed: each consent given, as of when it was given.
    op.execute(
        "INSERT INTO consent_events (owner_id, event, version, at) "
        "SELECT telegram_id, 'given', consent_version, consent_at FROM users WHERE consent_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_consent_events_owner_id", "consent_events")
    op.drop_table("consent_events")
