"""Exam results: the institution and the result become Text, as they now hold encrypted tokens (health data).

The values themselves are sealed by the application at start-up (storage/keycheck.py `seal_plaintext`),
which has the data key; a migration does not.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exam_results") as batch:
        batch.alter_column("institution", type_=sa.Text, existing_type=sa.String(200), existing_nullable=True)
        batch.alter_column("result", type_=sa.Text, existing_type=sa.String(64), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("exam_results") as batch:
        batch.alter_column("institution", type_=sa.String(200), existing_type=sa.Text, existing_nullable=True)
        batch.alter_column("result", type_=sa.String(64), existing_type=sa.Text, existing_nullable=True)
