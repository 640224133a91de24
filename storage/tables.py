"""Table definitions (SQLAlchemy Core). Alembic migrations in storage/migrations create them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, text

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

# Consent history (issue 15): every time a person gave, declined or withdrew consent. It outlives an erasure
# (the withdrawal is the operator's proof), so it has no foreign key to users.
consent_events = Table(
    "consent_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", BigInteger, nullable=False, index=True),
    Column("event", String(16), nullable=False),  # given | declined | withdrawn | erased
    Column("version", String(32), nullable=True),  # the consent text's version, for given
    Column("at", UTCDateTime, nullable=False),
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

uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=True, index=True),
    Column("kind", String(32), nullable=False),  # photo | passport_main | oms_policy | ... (DocumentKind)
    Column("sha256", String(64), nullable=False),  # of the bytes the person sent
    Column("detected_type", String(16), nullable=True),  # jpeg | png | heic | pdf, decided by the bytes
    Column("size", Integer, nullable=False),
    Column("pages", Integer, nullable=False, server_default="1"),
    Column("width", Integer, nullable=True),
    Column("height", Integer, nullable=True),
    Column("dpi", Integer, nullable=True),
    Column("checks", Text, nullable=False, server_default="[]"),  # JSON list of issue codes found
    Column("telegram_file_id", String(255), nullable=True),
    Column("telegram_file_unique_id", String(64), nullable=True),
    Column("storage_name", String(64), nullable=False),  # random name under DATA_DIR/files, encrypted bytes
    Column("status", String(16), nullable=False, server_default="active"),  # active | removed
    Column("created_at", UTCDateTime, nullable=False),
)

applications = Table(
    "applications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(32), nullable=False, unique=True),  # EMK-2026-000123 in Cyrillic letters, never reused
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(32), nullable=False),
    Column("version", Integer, nullable=False, server_default="1"),  # optimistic concurrency
    Column("snapshot", Text, nullable=False),  # what was submitted, encrypted
    Column("content_sha256", String(64), nullable=False),  # simple electronic signature: hash
    Column("signed_by", BigInteger, nullable=False),  # ... who
    Column("signed_at", UTCDateTime, nullable=False),  # ... when
    Column("requested_documents", Text, nullable=True),  # JSON list of DocumentKind staff asked for
    Column("staff_cards", Text, nullable=False, server_default="[]"),  # JSON [[chat_id, message_id], ...]
    Column("updated_at", UTCDateTime, nullable=False),
    # «Renew»: the book this application renews (books.id; no foreign key, books already point here)
    Column("renews_book_id", Integer, nullable=True, index=True),
)

application_counters = Table(
    "application_counters",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
)

status_changes = Table(
    "status_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("application_id", Integer, ForeignKey("applications.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("from_status", String(32), nullable=True),
    Column("to_status", String(32), nullable=False),
    Column("actor", String(16), nullable=False),  # citizen | staff | system
    Column("actor_id", BigInteger, nullable=True),
    Column("comment", Text, nullable=True),  # encrypted: a reason may name personal details
    Column("at", UTCDateTime, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", BigInteger, nullable=True),
    Column("action", String(64), nullable=False),  # staff.take | staff.approve | staff.view_documents | ...
    Column("application_id", Integer, nullable=True),
    Column("details", Text, nullable=True),  # codes and ids only, never personal data
)

# Appointments at the operator's clinics (issue 10). Slots are computed from the clinics file, never stored;
# a row is one person's seat in one slot. The seat guarantee is this partial unique index: among the bookings
# that hold a seat (active, and no_show: a missed visit frees nothing retroactively) a (clinic, slot, seat)
# exists once, whatever process inserts it. Cancelled and superseded rows hold none.
SEAT_HOLDING = ("active", "no_show")
_holds_seat = text("status IN ('active', 'no_show')")

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(16), nullable=False, unique=True),  # the appointment slip number people read out
    Column("clinic_code", String(32), nullable=False),  # a code of the clinics file
    Column("slot_start", UTCDateTime, nullable=False),
    Column("seat", Integer, nullable=False),  # 1..seats of the clinic
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(16), nullable=False),  # active | cancelled | no_show | superseded
    Column("replaced_by", Integer, nullable=True),  # the booking a reschedule made (status superseded)
    Column("marked_by", BigInteger, nullable=True),  # the staff member who recorded a no-show
    Column("created_at", UTCDateTime, nullable=False),
    Column("cancelled_at", UTCDateTime, nullable=True),  # when it stopped being active (any reason)
    Index("ix_bookings_clinic_code", "clinic_code", "slot_start"),
    Index(
        "uq_bookings_seat", "clinic_code", "slot_start", "seat", unique=True,
        sqlite_where=_holds_seat, postgresql_where=_holds_seat,
    ),
)

meta = Table(
    "meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # e.g. the data key check, encrypted (storage/keycheck.py)
)
