"""Renewal: an application remembers the book it renews, so issuing it supersedes that book.

A plain integer, not a foreign key: books already refer to applications (books.application_id), and a key
each way would make a cycle that SQLite's table rebuilds and the downgrade cannot order.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("renews_book_id", sa.Integer, nullable=True))
        batch.create_index("ix_applications_renews_book_id", ["renews_book_id"])


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_index("ix_applications_renews_book_id")
        batch.drop_column("renews_book_id")
