"""Table definitions (SQLAlchemy Core). Alembic migrations in storage/migrations create them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, String, Table, Text

from storage.db import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("telegram_id", BigInteger, primary_key=True, autoincrement=False),
    Column("locale", String(8), nullable=True),  # explicit choice through /language
    Column("consent_version", String(32), nullable=True),
    Column("consent_at", UTCDateTime, nullable=True),
    Column("consent_declined_at", UTCDateTime, nullable=True),
    Column("blocked_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

fsm_records = Table(
    "fsm_records",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("state", String(200), nullable=True),
    Column("data", Text, nullable=False, server_default="{}"),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime, nullable=False),
)

profiles = Table(
    "profiles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "owner_id",
        BigInteger,
        ForeignKey("users.telegram_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("relation", String(16), nullable=False),
    Column("data", Text, nullable=False),  # the Draft as JSON, encrypted (AES-GCM, context "profile")
    Column("step", String(64), nullable=True),  # where the person left the wizard
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
