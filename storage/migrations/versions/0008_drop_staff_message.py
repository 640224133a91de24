"""Drop applications.staff_chat_id and staff_message_id: written with the first staff card and never read
since every card lives in staff_cards (0007). A card only these columns remember (an application whose
card was posted before 0007) is copied into staff_cards first, so its status changes still update it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_applications = sa.table(
    "applications",
    sa.column("id", sa.Integer),
    sa.column("staff_chat_id", sa.BigInteger),
    sa.column("staff_message_id", sa.BigInteger),
    sa.column("staff_cards", sa.Text),
)


def upgrade() -> None:
    conn = op.get_bind()
    apps = _applications.c
    only_here = conn.execute(
        sa.select(apps.id, apps.staff_chat_id, apps.staff_message_id).where(
            apps.staff_chat_id.is_not(None), apps.staff_message_id.is_not(None), apps.staff_cards == "[]"
        )
    ).all()
    for row in only_here:
        cards = json.dumps([[row.staff_chat_id, row.staff_message_id]])
        conn.execute(sa.update(_applications).where(apps.id == row.id).values(staff_cards=cards))
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("staff_message_id")
        batch.drop_column("staff_chat_id")


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("staff_chat_id", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("staff_message_id", sa.BigInteger, nullable=True))
    conn = op.get_bind()
    apps = _applications.c
    for row in conn.execute(sa.select(apps.id, apps.staff_cards).where(apps.staff_cards != "[]")).all():
        chat_id, message_id = json.loads(row.staff_cards)[0]
        conn.execute(
            sa.update(_applications).where(apps.id == row.id).values(staff_chat_id=chat_id, staff_message_id=message_id)
        )
