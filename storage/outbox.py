"""The notifications outbox: the truth about every push the bot owes someone.

A producer (a status change, a reminder scan) enqueues a row under a unique dedup key, in the same
moment it decides the push is due; enqueueing the same key twice is a no-op. The sweeper (bot/scheduler.py)
claims due rows in one statement and marks each sent, failed (rescheduled or given up) or skipped:

* a claim is an ``UPDATE ... WHERE id IN (SELECT ... LIMIT n [FOR UPDATE SKIP LOCKED]) RETURNING *``, so two
  concurrent sweeps (or processes) never get the same row;
* a claim carries a random token and a time; the marks only apply while the token is still the row's, and a
  claim that was never finished (the process died mid-send) expires after the lease, so nothing is lost;
* a sent row is never claimed again, so nothing is sent twice across restarts.

The payload is opaque text (JSON, possibly encrypted by the caller); ``last_error`` holds an error class name
and code only, never message text.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    update,
)

from domain.clock import Clock
from storage.db import DbEngine, UTCDateTime, reading, transaction, upsert
from storage.tables import metadata

__all__ = ["DEFAULT_MAX_ATTEMPTS", "OutboxRepository", "OutboxRow", "OutboxStatus", "outbox"]

DEFAULT_MAX_ATTEMPTS = 5
ERROR_LENGTH = 200


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


outbox = Table(
    "outbox",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedup_key", String(200), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=True),  # the citizen concerned, if any
    Column("kind", String(64), nullable=False),  # status_changed | stuck_citizen | stuck_staff | ...
    Column("payload", Text, nullable=False),  # JSON, possibly encrypted by the producer: opaque here
    Column("due_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("claim_token", String(64), nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(ERROR_LENGTH), nullable=True),  # error class name and code, never text
    Column("status", String(16), nullable=False, server_default=OutboxStatus.PENDING.value),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("dedup_key", name="uq_outbox_dedup_key"),
    Index("ix_outbox_due_at", "status", "due_at"),
    Index("ix_outbox_user_kind", "user_id", "kind", "status"),  # a holder's pending reminders, replaced at once
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    dedup_key: str
    chat_id: int
    user_id: int | None
    kind: str
    payload: str
    due_at: datetime
    sent_at: datetime | None
    claimed_at: datetime | None
    claim_token: str | None
    attempts: int
    last_error: str | None
    status: OutboxStatus
    created_at: datetime

    @classmethod
    def from_mapping(cls, row: Any) -> OutboxRow:
        m = row._mapping
        return cls(
            id=m["id"],
            dedup_key=m["dedup_key"],
            chat_id=m["chat_id"],
            user_id=m["user_id"],
            kind=m["kind"],
            payload=m["payload"],
            due_at=m["due_at"],
            sent_at=m["sent_at"],
            claimed_at=m["claimed_at"],
            claim_token=m["claim_token"],
            attempts=m["attempts"],
            last_error=m["last_error"],
            status=OutboxStatus(m["status"]),
            created_at=m["created_at"],
        )


def _short(text: str) -> str:
    return text[:ERROR_LENGTH]


class OutboxRepository:
    def __init__(self, engine: DbEngine, clock: Clock, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.engine = engine
        self.clock = clock
        self.max_attempts = max_attempts

    # ------------------------------------------------------------------ producing

    async def enqueue(
        self,
        *,
        dedup_key: str,
        chat_id: int,
        user_id: int | None,
        kind: str,
        payload: str,
        due_at: datetime,
    ) -> bool:
        """Insert a pending row; True if it is new, False if a row with this dedup key already exists.

        Called inside the producer's `storage.db.transaction(...)` block, it joins that transaction: the status
        change and its push commit together, or neither does.
        """
        if due_at.tzinfo is None:
            raise ValueError("due_at must be timezone-aware")
        values = {
            "dedup_key": dedup_key,
            "chat_id": chat_id,
            "user_id": user_id,
            "kind": kind,
            "payload": payload,
            "due_at": due_at,
            "attempts": 0,
            "status": OutboxStatus.PENDING.value,
            "created_at": self.clock.now(),
        }
        async with transaction(self.engine) as conn:
            result = await conn.execute(upsert(conn.dialect.name, outbox, values, key=["dedup_key"], update=[]))
        return bool(result.rowcount == 1)

    async def skip_pending(self, dedup_keys: list[str], reason: str) -> int:
        """Pushes that no longer apply (a moved or cancelled booking's reminders) are never sent: pending rows
        under these keys become skipped, in the caller's transaction. A row being sent right now finishes its
        send, but its claim no longer matches a pending row. Returns how many."""
        if not dedup_keys:
            return 0
        stmt = (
            update(outbox)
            .where(outbox.c.dedup_key.in_(dedup_keys), outbox.c.status == OutboxStatus.PENDING.value)
            .values(status=OutboxStatus.SKIPPED.value, last_error=_short(reason), claimed_at=None, claim_token=None)
        )
        async with transaction(self.engine) as conn:
            result = await conn.execute(stmt)
        return int(result.rowcount or 0)

    async def replace_pending(self, user_id: int, kind: str, rows: list[dict[str, Any]]) -> int:
        """A holder's plan of `kind` rows, recomputed: in the caller's transaction, their pending rows that
        are not yet due, not claimed and never tried are deleted, and `rows` (dedup_key, chat_id, payload,
        due_at) are inserted — a key already sent, skipped, due or being sent is left as it is (never sent
        twice). A row that was tried (waiting out a retry, or deferred past quiet hours) stays: its planned
        moment has passed, so the new plan would not make it again, and delivery checks it still stands.
        Returns how many rows were inserted."""
        now = self.clock.now()
        stale = delete(outbox).where(
            outbox.c.user_id == user_id,
            outbox.c.kind == kind,
            outbox.c.status == OutboxStatus.PENDING.value,
            outbox.c.due_at > now,
            outbox.c.claimed_at.is_(None),
            outbox.c.last_error.is_(None),
        )
        inserted = 0
        async with transaction(self.engine) as conn:
            await conn.execute(stale)
            for row in rows:
                values = {
                    **row, "user_id": user_id, "kind": kind, "attempts": 0, "status": OutboxStatus.PENDING.value,
                    "created_at": now,
                }
                result = await conn.execute(upsert(conn.dialect.name, outbox, values, key=["dedup_key"], update=[]))
                inserted += int(result.rowcount == 1)
        return inserted

    # ------------------------------------------------------------------ consuming

    async def claim_due(self, limit: int, lease: timedelta) -> list[OutboxRow]:
        """Claim up to `limit` due rows for this caller, oldest due first, in one statement.

        A row is claimable when pending, due, not exhausted, and not claimed - or claimed longer than `lease`
        ago (its claimer died). Each claim counts as an attempt.
        """
        if limit <= 0:
            return []
        now = self.clock.now()
        token = secrets.token_hex(16)
        claimable = and_(
            outbox.c.status == OutboxStatus.PENDING.value,
            outbox.c.due_at <= now,
            outbox.c.attempts < self.max_attempts,
            or_(outbox.c.claimed_at.is_(None), outbox.c.claimed_at < now - lease),
        )
        due_ids = (
            select(outbox.c.id)
            .where(claimable)
            .order_by(outbox.c.due_at, outbox.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite serialises writers and renders nothing
            .scalar_subquery()
        )
        stmt = (
            update(outbox)
            # `claimable` again: PostgreSQL re-checks it on a row another transaction changed meanwhile
            .where(outbox.c.id.in_(due_ids), claimable)
            .values(claimed_at=now, claim_token=token, attempts=outbox.c.attempts + 1)
            .returning(*outbox.c)
        )
        async with transaction(self.engine) as conn:
            rows = (await conn.execute(stmt)).all()
        claimed = [OutboxRow.from_mapping(r) for r in rows]
        claimed.sort(key=lambda r: (r.due_at, r.id))
        return claimed

    async def _finish(self, row_id: int, token: str, **values: Any) -> bool:
        stmt = (
            update(outbox)
            .where(
                outbox.c.id == row_id,
                outbox.c.claim_token == token,
                outbox.c.status == OutboxStatus.PENDING.value,
            )
            .values(**values)
        )
        async with transaction(self.engine) as conn:
            result = await conn.execute(stmt)
        return bool(result.rowcount == 1)

    async def mark_sent(self, row_id: int, token: str) -> bool:
        """False if the claim was no longer ours (it expired and someone else took the row)."""
        return await self._finish(row_id, token, status=OutboxStatus.SENT.value, sent_at=self.clock.now())

    async def mark_sent_many(self, row_ids: list[int], token: str) -> int:
        """`mark_sent` for rows of one claim in one statement (the sweeper marks what went out every few tens of
        milliseconds, not one commit a message). Returns how many were still ours."""
        if not row_ids:
            return 0
        stmt = (
            update(outbox)
            .where(outbox.c.id.in_(row_ids), outbox.c.claim_token == token,
                   outbox.c.status == OutboxStatus.PENDING.value)
            .values(status=OutboxStatus.SENT.value, sent_at=self.clock.now())
        )
        async with transaction(self.engine) as conn:
            result = await conn.execute(stmt)
        return int(result.rowcount or 0)

    async def mark_failed(
        self, row_id: int, token: str, error: str, *, retry_at: datetime | None = None, give_up: bool = False
    ) -> bool:
        """Record a failed attempt: the row is due again at `retry_at` (now if None), unless `give_up` or its
        attempts reached max_attempts, in which case it becomes failed for good."""
        if give_up:
            status: Any = OutboxStatus.FAILED.value
        else:
            status = case(
                (outbox.c.attempts >= self.max_attempts, OutboxStatus.FAILED.value),
                else_=OutboxStatus.PENDING.value,
            )
        return await self._finish(
            row_id,
            token,
            status=status,
            last_error=_short(error),
            due_at=retry_at or self.clock.now(),
            claimed_at=None,
            claim_token=None,
        )

    async def mark_skipped(self, row_id: int, token: str, reason: str) -> bool:
        """Not sent and never will be (the person blocked the bot, the push no longer applies)."""
        return await self._finish(row_id, token, status=OutboxStatus.SKIPPED.value, last_error=_short(reason))

    async def defer(self, row_id: int, token: str, until: datetime) -> bool:
        """Not now (the holder's quiet hours): due again at `until`, and this attempt does not count."""
        attempts = case((outbox.c.attempts > 0, outbox.c.attempts - 1), else_=0)
        return await self._finish(row_id, token, due_at=until, claimed_at=None, claim_token=None, attempts=attempts,
                                  last_error="QuietHours")

    async def release(self, row_id: int, token: str) -> bool:
        """Give a claimed row back untouched (shutting down before it was tried): the attempt does not count."""
        attempts = case((outbox.c.attempts > 0, outbox.c.attempts - 1), else_=0)
        return await self._finish(row_id, token, claimed_at=None, claim_token=None, attempts=attempts)

    async def fail_exhausted(self, lease: timedelta) -> int:
        """Rows whose last allowed attempt was claimed and never finished (the process kept dying while sending
        them) become failed, so they do not sit pending forever. Returns how many."""
        now = self.clock.now()
        stmt = (
            update(outbox)
            .where(
                outbox.c.status == OutboxStatus.PENDING.value,
                outbox.c.attempts >= self.max_attempts,
                or_(outbox.c.claimed_at.is_(None), outbox.c.claimed_at < now - lease),
            )
            .values(status=OutboxStatus.FAILED.value, last_error="ClaimExpired", claimed_at=None, claim_token=None)
        )
        async with transaction(self.engine) as conn:
            result = await conn.execute(stmt)
        return int(result.rowcount or 0)

    # ------------------------------------------------------------------ reading

    async def pending_count(self) -> int:
        async with reading(self.engine) as conn:
            value = (
                await conn.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.status == OutboxStatus.PENDING.value)
                )
            ).scalar_one()
        return int(value)

    async def get_by_key(self, dedup_key: str) -> OutboxRow | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(outbox).where(outbox.c.dedup_key == dedup_key))).first()
        return OutboxRow.from_mapping(row) if row is not None else None

    async def get(self, row_id: int) -> OutboxRow | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(outbox).where(outbox.c.id == row_id))).first()
        return OutboxRow.from_mapping(row) if row is not None else None

