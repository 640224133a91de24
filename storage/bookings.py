"""Bookings: one person's seat in one slot of a clinic (the slots themselves are computed, never stored).

The seat guarantee is the database's: the partial unique index ``uq_bookings_seat`` (storage/tables.py)
lets a (clinic, slot, seat) exist once among the bookings that hold a seat. Taking a seat is an
``INSERT ... ON CONFLICT DO NOTHING RETURNING`` of the lowest seat that looked free, then the next ones up to
the clinic's ``seats``: whoever loses a race gets no row back and tries the next seat, and when none is left
the slot is full. No lock in memory, so two bot processes on one database file never overbook either.

Every method joins the caller's ``transaction(...)`` (a reschedule books, supersedes and moves reminders in
one unit of work).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.clock import Clock
from storage.db import reading, transaction
from storage.tables import SEAT_HOLDING, audit_log, bookings

__all__ = ["Booking", "BookingRepository", "BookingStatus"]

_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
_NUMBER_LENGTH = 6


class BookingStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    SUPERSEDED = "superseded"


@dataclass(frozen=True, slots=True)
class Booking:
    id: int
    number: str
    clinic_code: str
    start: datetime  # UTC
    seat: int
    owner_id: int
    profile_id: int | None
    status: BookingStatus
    replaced_by: int | None
    created_at: datetime
    cancelled_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status is BookingStatus.ACTIVE


def _booking(row: Any) -> Booking:
    m = row._mapping
    return Booking(
        id=m["id"], number=m["number"], clinic_code=m["clinic_code"], start=m["slot_start"], seat=m["seat"],
        owner_id=m["owner_id"], profile_id=m["profile_id"], status=BookingStatus(m["status"]),
        replaced_by=m["replaced_by"], created_at=m["created_at"], cancelled_at=m["cancelled_at"],
    )


def _number() -> str:
    return "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(_NUMBER_LENGTH))


class BookingRepository:
    def __init__(self, engine: Any, clock: Clock) -> None:
        self.engine = engine
        self.clock = clock

    # ------------------------------------------------------------------ writing

    async def take_seat(
        self, *, clinic_code: str, start: datetime, seats: int, owner_id: int, profile_id: int | None
    ) -> Booking | None:
        """Book the lowest free seat of the slot; ``None`` when all ``seats`` are held."""
        async with transaction(self.engine) as conn:
            held = await conn.execute(
                select(bookings.c.seat).where(
                    bookings.c.clinic_code == clinic_code, bookings.c.slot_start == start,
                    bookings.c.status.in_(SEAT_HOLDING),
                )
            )
            taken = {row[0] for row in held}
            # The seats that looked free first; the others too, for a race another process may have lost.
            order = [s for s in range(1, seats + 1) if s not in taken] + sorted(s for s in taken if s <= seats)
            module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
            for seat in order:
                values = {
                    "number": _number(), "clinic_code": clinic_code, "slot_start": start, "seat": seat,
                    "owner_id": owner_id, "profile_id": profile_id, "status": BookingStatus.ACTIVE.value,
                    "created_at": self.clock.now(),
                }
                # No conflict target: any unique index (the seat's, or a appointment slip number drawn twice) skips the
                # row; the seat is then tried again with the next candidate, never given twice.
                stmt = module.insert(bookings).values(**values).on_conflict_do_nothing().returning(*bookings.c)
                row = (await conn.execute(stmt)).first()
                if row is not None:
                    return _booking(row)
        return None

    async def finish(self, booking_id: int, status: BookingStatus, *, replaced_by: int | None = None,
                     marked_by: int | None = None, owner_id: int | None = None) -> Booking | None:
        """Move an active booking to ``status``; ``None`` if it was not active (or not the owner's)."""
        query = update(bookings).where(bookings.c.id == booking_id,
                                       bookings.c.status == BookingStatus.ACTIVE.value)
        if owner_id is not None:
            query = query.where(bookings.c.owner_id == owner_id)
        query = query.values(status=status.value, replaced_by=replaced_by, marked_by=marked_by,
                             cancelled_at=self.clock.now()).returning(*bookings.c)
        async with transaction(self.engine) as conn:
            row = (await conn.execute(query)).first()
        return _booking(row) if row is not None else None

    async def audit(self, *, actor_id: int | None, action: str, **details: Any) -> None:
        """Ids and codes only, never personal data."""
        async with transaction(self.engine) as conn:
            await conn.write(insert(audit_log).values(
                at=self.clock.now(), actor_id=actor_id, action=action, application_id=None,
                details=json.dumps(details, sort_keys=True) if details else None,
            ))

    # ------------------------------------------------------------------ reading

    async def get(self, booking_id: int) -> Booking | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(bookings).where(bookings.c.id == booking_id))).first()
        return _booking(row) if row is not None else None

    async def taken(self, clinic_code: str, since: datetime, until: datetime) -> dict[datetime, int]:
        """Seats held per slot start in [since, until)."""
        query = (
            select(bookings.c.slot_start, func.count())
            .where(bookings.c.clinic_code == clinic_code, bookings.c.status.in_(SEAT_HOLDING),
                   bookings.c.slot_start >= since, bookings.c.slot_start < until)
            .group_by(bookings.c.slot_start)
        )
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return {start: int(count) for start, count in rows}

    async def of_owner(self, owner_id: int) -> list[Booking]:
        query = select(bookings).where(bookings.c.owner_id == owner_id).order_by(bookings.c.slot_start)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [_booking(r) for r in rows]

    async def of_clinic(self, clinic_code: str, since: datetime, until: datetime) -> list[Booking]:
        """Bookings that hold a seat at a clinic in [since, until), by time then seat."""
        query = (
            select(bookings)
            .where(bookings.c.clinic_code == clinic_code, bookings.c.status.in_(SEAT_HOLDING),
                   bookings.c.slot_start >= since, bookings.c.slot_start < until)
            .order_by(bookings.c.slot_start, bookings.c.seat)
        )
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [_booking(r) for r in rows]

    async def upcoming(self, now: datetime) -> list[Booking]:
        """Every active booking not started yet, in the order they were made."""
        query = (
            select(bookings)
            .where(bookings.c.status == BookingStatus.ACTIVE.value, bookings.c.slot_start > now)
            .order_by(bookings.c.id)
        )
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [_booking(r) for r in rows]
