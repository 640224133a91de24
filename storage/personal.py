"""Where a person's data lives: one registry of every table that can hold it, and how each is exported and erased.

152-FZ gives the holder the right to know and to erase what is kept about them (issue 15). What the bot keeps is
spread over many tables, written by many features; `REGISTRY` is the one place that names them all, in the
order an erasure deletes them (children before the rows they point at). A new table that holds a person's data
is one more `Personal(...)` entry here: the export, the erasure and the retention sweep then cover it, and
tests/storage/test_personal.py fails, walking the migrated schema, until it is there.

For each table an entry says:

* `section`: its name in the export's JSON (the field names inside are the table's column names, listed in
  the README, «Your data»);
* `find`: how the person's rows are found (`Owner`: a column holding their Telegram id; `Via`: a column
  pointing at a parent table's rows that are theirs; `KeyOf`: the conversation keys of their private chat);
* `erase`: what an erasure does (`Erase`); `export`: the columns exported (None: all);
* `file_column`: a stored file's name (DATA_DIR/files): exported decrypted, removed from disk after the commit.

Encrypted columns are decrypted for the export with the context and row binding storage/keycheck.py's `SEALED`
names (the one list the key rotation also uses).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table, and_, delete, exists, func, insert, not_, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

import storage.books
import storage.elmk
import storage.exams
import storage.outbox
import storage.payments
import storage.reminders
import storage.shares  # noqa: F401  -- every table on the shared metadata
from storage.crypto import DecryptionError, FieldCipher
from storage.db import reading, transaction
from storage.keycheck import SEALED, Sealed
from storage.tables import audit_log, metadata

log = logging.getLogger("emk.privacy")

__all__ = ["NOT_PERSONAL", "REGISTRY", "Collected", "Erase", "Erasure", "KeyOf", "Owner", "Personal",
           "PersonalData", "StoredFile", "Via"]


class Erase(StrEnum):
    DELETE = "delete"  # the rows are deleted
    RESET = "reset"  # the person's own row stays, emptied, consent withdrawn: they may start again as a newcomer
    SCRUB = "scrub"  # the rows stay (that something happened, when, on whose request), `scrub` columns emptied
    KEEP = "keep"  # kept as they are: the consent history (the withdrawal is the operator's proof)
    LAW = "law"  # kept while the operator's policy says the law asks (rows with keep_since >= the cutoff)


class Owner:
    """The person's rows: one of `columns` holds their Telegram id."""

    def __init__(self, *columns: str) -> None:
        self.columns = columns

    def where(self, table: Table, uid: int) -> ColumnElement[bool]:
        return or_(*(table.c[c] == uid for c in self.columns))


class Via:
    """The person's rows: `column` points at `parent`'s id, and those parent rows are the person's."""

    def __init__(self, column: str, parent: str) -> None:
        self.columns = (column,)
        self.column, self.parent = column, parent

    def where(self, table: Table, uid: int) -> ColumnElement[bool]:
        parent = metadata.tables[self.parent]
        return table.c[self.column].in_(select(parent.c.id).where(BY_TABLE[self.parent].find.where(parent, uid)))


class KeyOf:
    """The conversation records of the person's private chat: keys "bot:chat:user[:...]" with chat = user."""

    def __init__(self, column: str) -> None:
        self.columns = (column,)
        self.column = column

    def where(self, table: Table, uid: int) -> ColumnElement[bool]:
        key = table.c[self.column]
        return or_(key.like(f"%:{uid}:{uid}"), key.like(f"%:{uid}:{uid}:%"))


Find = Owner | Via | KeyOf


@dataclass(frozen=True)
class Personal:
    table: str
    section: str
    find: Find
    erase: Erase
    export: tuple[str, ...] | None = None
    scrub: tuple[str, ...] = ()
    file_column: str | None = None
    keep_since: str | None = None  # Erase.LAW: rows whose column is at or after the cutoff are kept

    @property
    def t(self) -> Table:
        return metadata.tables[self.table]


REGISTRY: tuple[Personal, ...] = (
    Personal("share_events", "share_events", Via("share_id", "shares"), Erase.DELETE),
    Personal("shares", "shares", Owner("owner_id"), Erase.DELETE,
             export=("id", "book_id", "employer", "level", "state", "created_at", "expires_at", "opened_at",
                     "delivered_at", "revoked_at")),
    Personal("status_changes", "status_history", Via("application_id", "applications"), Erase.DELETE),
    Personal("exam_cards", "exam_cards", Via("profile_id", "profiles"), Erase.DELETE),
    Personal("exam_results", "exam_results", Owner("owner_id"), Erase.DELETE),
    Personal("payments", "payments", Owner("owner_id"), Erase.DELETE),
    Personal("bookings", "bookings", Owner("owner_id"), Erase.DELETE),
    Personal("books", "books", Owner("owner_id"), Erase.LAW, keep_since="issued_at"),
    Personal("added_elmk", "added_elmk", Owner("owner_id"), Erase.DELETE),
    Personal("applications", "applications", Owner("owner_id"), Erase.DELETE),
    Personal("uploads", "files", Owner("owner_id"), Erase.DELETE, file_column="storage_name"),
    Personal("profiles", "profiles", Owner("owner_id"), Erase.DELETE),
    Personal("notification_settings", "notification_settings", Owner("owner_id"), Erase.DELETE,
             export=("disabled", "quiet", "zone", "updated_at")),
    Personal("outbox", "notifications", Owner("user_id", "chat_id"), Erase.DELETE,
             export=("kind", "status", "due_at", "sent_at", "created_at")),
    Personal("fsm_records", "conversation", KeyOf("key"), Erase.DELETE, export=("state", "data", "updated_at")),
    Personal("audit_log", "audit", Owner("actor_id"), Erase.SCRUB, export=("at", "action", "application_id"),
             scrub=("details",)),
    Personal("consent_events", "consent_history", Owner("owner_id"), Erase.KEEP, export=("event", "version", "at")),
    Personal("users", "account", Owner("telegram_id"), Erase.RESET,
             export=("telegram_id", "locale", "consent_version", "consent_at", "consent_declined_at", "blocked_at",
                     "created_at")),
)
BY_TABLE: dict[str, Personal] = {entry.table: entry for entry in REGISTRY}

# Tables that hold nobody's personal data, and why (the schema test asks every other table to be registered).
NOT_PERSONAL: dict[str, str] = {
    "alembic_version": "the schema's revision",
    "application_counters": "the last application number of each year",
    "meta": "facts about the database itself (the data key check)",
}

_SEALED: dict[str, list[Sealed]] = {}
for _sealed in SEALED:
    _SEALED.setdefault(_sealed.table.name, []).append(_sealed)


def _plain(value: Any) -> Any:
    """A column value as JSON can hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None
    return value


def _decoded(text: str) -> Any:
    """Decrypted text that is JSON (a draft, a snapshot, a book) as JSON; anything else as it is."""
    if text[:1] in ("{", "["):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


@dataclass(frozen=True, slots=True)
class StoredFile:
    upload_id: int
    kind: str
    detected_type: str | None
    storage_name: str


@dataclass
class Collected:
    """Everything the bot holds about one person: JSON sections and the stored files to add decrypted."""

    sections: dict[str, list[dict[str, Any]]]
    files: list[StoredFile]


@dataclass
class Erasure:
    """What an erasure (or its preview) deletes: rows per section, files, profile ids; and the rows kept by law."""

    deleted: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    profile_ids: list[int] = field(default_factory=list)
    kept: list[dict[str, Any]] = field(default_factory=list)  # the kept rows' number and keep_since value


class PersonalData:
    """The registry's export and erasure over the database; files on disk are the caller's (after the commit)."""

    def __init__(self, engine: Any, cipher: FieldCipher, registry: Sequence[Personal] = REGISTRY) -> None:
        self.engine, self.cipher, self.registry = engine, cipher, registry

    def _open(self, entry: Personal, row: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(row)
        for sealed in _SEALED.get(entry.table, []):
            token = values.get(sealed.column)
            if not token:
                continue
            if token.startswith("{"):  # a conversation record written before encryption
                values[sealed.column] = _decoded(token)
                continue
            try:
                plain = self.cipher.decrypt(token, context=sealed.context, row=sealed.row(values[sealed.key]))
            except DecryptionError:
                if sealed.plain_before:  # plain text kept by an earlier version, not sealed yet
                    continue
                log.warning("export: a value of %s.%s does not decrypt; left out", entry.table, sealed.column)
                values[sealed.column] = None
                continue
            values[sealed.column] = _decoded(plain)
        columns = entry.export if entry.export is not None else tuple(values)
        return {c: _plain(values[c]) for c in columns}

    async def collect(self, uid: int) -> Collected:
        sections: dict[str, list[dict[str, Any]]] = {}
        files: list[StoredFile] = []
        async with reading(self.engine) as conn:
            for entry in self.registry:
                t = entry.t
                rows = (await conn.execute(select(t).where(entry.find.where(t, uid)).order_by(*t.primary_key))).all()
                sections[entry.section] = [self._open(entry, r._mapping) for r in rows]
                if entry.file_column is not None:
                    files += [StoredFile(r.id, r.kind, r.detected_type, r._mapping[entry.file_column]) for r in rows]
        return Collected(sections, files)

    async def holds_any(self, uid: int) -> bool:
        """Whether anything but the person's account, consent history and audit trail holds their data."""
        async with reading(self.engine) as conn:
            for entry in self.registry:
                if entry.erase in (Erase.DELETE, Erase.LAW) and isinstance(entry.find, Owner):
                    t = entry.t
                    if (await conn.execute(select(t.c[entry.find.columns[0]]).where(entry.find.where(t, uid))
                                           .limit(1))).first() is not None:
                        return True
        return False

    def _kept(self, entry: Personal, keep_after: datetime | None) -> ColumnElement[bool] | None:
        if entry.erase is not Erase.LAW or keep_after is None or entry.keep_since is None:
            return None
        return entry.t.c[entry.keep_since] >= keep_after

    async def erase(self, uid: int, keep_after: datetime | None, *, dry_run: bool = False) -> Erasure:
        """Delete (or, `dry_run`, count) the person's rows entry by entry, scrub their audit rows; rows of an
        Erase.LAW entry from `keep_after` on are kept. The caller owns the transaction (and the users row,
        the conversation and the files on disk)."""
        result = Erasure()
        async with transaction(self.engine) as conn:
            for entry in self.registry:
                t, mine = entry.t, entry.find.where(entry.t, uid)
                if entry.erase in (Erase.RESET, Erase.KEEP):
                    continue
                if entry.erase is Erase.SCRUB:
                    if not dry_run:
                        await conn.write(update(t).where(mine).values({c: None for c in entry.scrub}))
                    continue
                kept = self._kept(entry, keep_after)
                if kept is not None:
                    rows = (await conn.execute(select(t).where(mine, kept))).all()
                    since = entry.keep_since or ""
                    result.kept += [{"table": entry.table, "number": r._mapping.get("number"),
                                     "since": r._mapping[since]} for r in rows]
                    mine = and_(mine, not_(kept))
                if entry.file_column is not None:
                    result.files += [r[0] for r in (await conn.execute(select(t.c[entry.file_column]).where(mine)))
                                     .all()]
                if entry.table == "profiles":
                    result.profile_ids = [r[0] for r in (await conn.execute(select(t.c.id).where(mine))).all()]
                count = int((await conn.execute(select(func.count()).select_from(t).where(mine))).scalar_one())
                result.deleted[entry.section] = count
                if count and not dry_run:
                    await conn.write(delete(t).where(mine))
        return result

    async def audit_erasure(self, uid: int, at: datetime, kept: int) -> None:
        """The one audit row an erasure leaves: that it happened, when, on whose request (no personal data)."""
        async with transaction(self.engine) as conn:
            await conn.write(insert(audit_log).values(
                at=at, actor_id=uid, action="privacy.erased", application_id=None,
                details=json.dumps({"kept": kept}),
            ))

    # --- retention -------------------------------------------------------------------------------------------

    async def stale_drafts(self, before: datetime) -> list[int]:
        """Profiles never sent (no application, no book) and untouched since `before`."""
        profiles, apps, books = (metadata.tables[n] for n in ("profiles", "applications", "books"))
        query = select(profiles.c.id).where(
            profiles.c.updated_at < before,
            not_(exists().where(apps.c.profile_id == profiles.c.id)),
            not_(exists().where(books.c.profile_id == profiles.c.id)),
        )
        async with reading(self.engine) as conn:
            return [r[0] for r in (await conn.execute(query)).all()]

    async def erase_profiles(self, ids: list[int]) -> list[str]:
        """Delete draft profiles with their uploads and exam results; returns the file names to remove from disk
        once the caller's transaction commits."""
        if not ids:
            return []
        uploads, profiles = metadata.tables["uploads"], metadata.tables["profiles"]
        async with transaction(self.engine) as conn:
            names = [r[0] for r in (await conn.execute(
                select(uploads.c.storage_name).where(uploads.c.profile_id.in_(ids)))).all()]
            for name in ("exam_cards", "exam_results", "uploads"):
                t = metadata.tables[name]
                await conn.write(delete(t).where(t.c.profile_id.in_(ids)))
            await conn.write(delete(profiles).where(profiles.c.id.in_(ids)))
        return names

    async def erase_rejected(self, status: str, before: datetime) -> int:
        """Delete applications in `status` (rejected) unchanged since `before`, with their status history."""
        apps, changes = metadata.tables["applications"], metadata.tables["status_changes"]
        async with transaction(self.engine) as conn:
            ids = [r[0] for r in (await conn.execute(
                select(apps.c.id).where(apps.c.status == status, apps.c.updated_at < before))).all()]
            if ids:
                await conn.write(delete(changes).where(changes.c.application_id.in_(ids)))
                await conn.write(delete(apps).where(apps.c.id.in_(ids)))
        return len(ids)
