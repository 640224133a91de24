"""Exam results: one row per result a holder uploads for one checklist item, from the file to staff's
decision; the confirmed rows are the book's entries (date, result, institution, valid until, who confirmed,
when). And the staff card of each applicant's results: one message per staff chat, edited as results come.

A row starts ``uploaded`` (the file is in; the date, institution and result are asked next), becomes
``on_review`` when the holder has answered everything, then ``confirmed`` or ``returned`` (with the reason) by
staff. ``version`` grows with every change, so of two staff pressing at once exactly one wins.

What a result says is health data: the institution, the result and staff's reason are encrypted at rest,
each bound to its row (``exam_results:<id>``); the item, the state and the dates stay in clear for the
checklist, the book's validity and the reminders. Rows written before the encryption are sealed at start-up
(storage/keycheck.py `seal_plaintext`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from domain.clock import Clock
from domain.exams import ExamState
from storage.db import UTCDateTime, reading, transaction, upsert
from storage.tables import metadata

__all__ = ["ExamRecord", "ExamRepository", "exam_cards", "exam_results"]

exam_results = Table(
    "exam_results",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("item", String(48), nullable=False),  # an ExamCode
    Column("upload_id", Integer, ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True),
    Column("done_on", Date, nullable=True),
    Column("clinic", String(32), nullable=True),  # a code of the operator's clinics file, when picked
    Column("institution", Text, nullable=True),  # sealed: the clinic's name then, or what the holder typed
    Column("result", Text, nullable=True),  # sealed: a choice code (fit, negative, ...) or a certificate number
    Column("state", String(16), nullable=False),  # an ExamState
    Column("reason", Text, nullable=True),  # sealed: why staff returned it
    Column("valid_until", Date, nullable=True),  # set on confirmation; None: does not run out
    Column("decided_by", BigInteger, nullable=True),
    Column("decided_by_name", String(128), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

exam_cards = Table(
    "exam_cards",
    metadata,
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="CASCADE"), nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    PrimaryKeyConstraint("profile_id", "chat_id", name="pk_exam_cards"),
)


@dataclass(frozen=True, slots=True)
class ExamRecord:
    id: int
    owner_id: int
    profile_id: int
    item: str
    upload_id: int | None
    done_on: date | None
    clinic: str | None
    institution: str | None
    result: str | None
    state: ExamState
    reason: str | None
    valid_until: date | None
    decided_by: int | None
    decided_by_name: str | None
    decided_at: datetime | None
    version: int
    created_at: datetime


SEALED_COLUMNS: dict[str, str] = {  # column -> the encryption context it is sealed under
    "institution": "exam-institution",
    "result": "exam-result",
    "reason": "exam-reason",
}


def row_name(record_id: Any) -> str:
    return f"exam_results:{record_id}"


class ExamRepository:
    def __init__(self, engine: Any, clock: Clock, cipher: Any) -> None:
        self.engine, self.clock, self.cipher = engine, clock, cipher

    def _seal(self, record_id: int, values: dict[str, Any]) -> dict[str, Any]:
        return {
            name: self.cipher.encrypt(value, context=SEALED_COLUMNS[name], row=row_name(record_id))
            if name in SEALED_COLUMNS and value is not None else value
            for name, value in values.items()
        }

    def _open(self, record_id: int, name: str, value: str | None) -> str | None:
        if value is None:
            return None
        return str(self.cipher.decrypt(value, context=SEALED_COLUMNS[name], row=row_name(record_id)))

    def _record(self, row: Any) -> ExamRecord:
        m = row._mapping
        rid = m["id"]
        return ExamRecord(
            id=rid, owner_id=m["owner_id"], profile_id=m["profile_id"], item=m["item"], upload_id=m["upload_id"],
            done_on=m["done_on"], clinic=m["clinic"], institution=self._open(rid, "institution", m["institution"]),
            result=self._open(rid, "result", m["result"]), state=ExamState(m["state"]),
            reason=self._open(rid, "reason", m["reason"]), valid_until=m["valid_until"],
            decided_by=m["decided_by"], decided_by_name=m["decided_by_name"], decided_at=m["decided_at"],
            version=m["version"], created_at=m["created_at"],
        )

    async def add(self, *, owner_id: int, profile_id: int, item: str, upload_id: int) -> ExamRecord:
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            row = (await conn.execute(insert(exam_results).values(
                owner_id=owner_id, profile_id=profile_id, item=item, upload_id=upload_id,
                state=ExamState.UPLOADED.value, created_at=now, updated_at=now,
            ).returning(*exam_results.c))).one()
        return self._record(row)

    async def get(self, record_id: int, owner_id: int | None = None) -> ExamRecord | None:
        query = select(exam_results).where(exam_results.c.id == record_id)
        if owner_id is not None:
            query = query.where(exam_results.c.owner_id == owner_id)
        async with reading(self.engine) as conn:
            row = (await conn.execute(query)).first()
        return self._record(row) if row is not None else None

    async def list_for(self, profile_id: int) -> list[ExamRecord]:
        query = select(exam_results).where(exam_results.c.profile_id == profile_id).order_by(exam_results.c.id)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [self._record(r) for r in rows]

    async def fill(self, record_id: int, owner_id: int, **values: Any) -> None:
        """The holder's answers for a result not sent for review yet (done_on, clinic, institution, result)."""
        allowed = {"done_on", "clinic", "institution", "result"}
        assert set(values) <= allowed, set(values) - allowed
        async with transaction(self.engine) as conn:
            await conn.write(
                update(exam_results)
                .where(exam_results.c.id == record_id, exam_results.c.owner_id == owner_id,
                       exam_results.c.state == ExamState.UPLOADED.value)
                .values(**self._seal(record_id, values), updated_at=self.clock.now())
            )

    async def send_for_review(self, record_id: int, owner_id: int) -> ExamRecord | None:
        """uploaded → on_review; None when the row is not (or no longer) waiting for its answers."""
        async with transaction(self.engine) as conn:
            row = (await conn.execute(
                update(exam_results)
                .where(exam_results.c.id == record_id, exam_results.c.owner_id == owner_id,
                       exam_results.c.state == ExamState.UPLOADED.value)
                .values(state=ExamState.ON_REVIEW.value, version=exam_results.c.version + 1,
                        updated_at=self.clock.now())
                .returning(*exam_results.c)
            )).first()
        return self._record(row) if row is not None else None

    async def decide(
        self, record_id: int, *, seen_version: int, state: ExamState, by_id: int, by_name: str,
        reason: str | None = None, valid_until: date | None = None,
    ) -> ExamRecord | None:
        """Staff's decision on a result on review; None when it is not on review at that version any more."""
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            row = (await conn.execute(
                update(exam_results)
                .where(exam_results.c.id == record_id, exam_results.c.version == seen_version,
                       exam_results.c.state == ExamState.ON_REVIEW.value)
                .values(state=state.value, **self._seal(record_id, {"reason": reason}), valid_until=valid_until,
                        decided_by=by_id, decided_by_name=by_name[:128], decided_at=now,
                        version=exam_results.c.version + 1, updated_at=now)
                .returning(*exam_results.c)
            )).first()
        return self._record(row) if row is not None else None

    async def cards(self, profile_id: int) -> dict[int, int]:
        """chat id → message id of the staff cards showing this applicant's results."""
        async with reading(self.engine) as conn:
            rows = (await conn.execute(select(exam_cards).where(exam_cards.c.profile_id == profile_id))).all()
        return {int(r.chat_id): int(r.message_id) for r in rows}

    async def set_card(self, profile_id: int, chat_id: int, message_id: int) -> None:
        async with transaction(self.engine) as conn:
            values = {"profile_id": profile_id, "chat_id": chat_id, "message_id": message_id}
            await conn.write(upsert(conn.dialect.name, exam_cards, values, ["profile_id", "chat_id"],
                                    ["message_id"]))
