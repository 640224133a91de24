"""Added ELMK: an official ELMK (formed by a Centre for Hygiene and Epidemiology, shown on Gosuslugi) that a holder
already has and added here: its number and dates (personal data: one FieldCipher token bound to the row's
random ref), the uploaded PDF or QR photo, and whether staff confirmed it (``reported`` until then).
``version`` grows with every change, so of two staff pressing at once exactly one wins."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text, insert, select, update

from domain.clock import Clock
from storage.crypto import FieldCipher
from storage.db import UTCDateTime, reading, transaction
from storage.tables import metadata

__all__ = ["AddedElmk", "ElmkRepository", "added_elmk"]

_CONTEXT = "added-elmk"
REPORTED, CONFIRMED = "reported", "confirmed"

added_elmk = Table(
    "added_elmk",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(32), nullable=False, unique=True),  # random: what the ciphertext is bound to
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("data", Text, nullable=False),  # number, issued_on, valid_until: encrypted JSON
    Column("upload_id", Integer, ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(16), nullable=False),  # reported | confirmed
    Column("confirmed_by", BigInteger, nullable=True),
    Column("confirmed_by_name", String(128), nullable=True),
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("version", Integer, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class AddedElmk:
    id: int
    owner_id: int
    number: str
    issued_on: date
    valid_until: date
    upload_id: int | None
    status: str
    confirmed_by_name: str | None
    confirmed_at: datetime | None
    version: int

    @property
    def confirmed(self) -> bool:
        return self.status == CONFIRMED


class ElmkRepository:
    def __init__(self, engine: Any, clock: Clock, cipher: FieldCipher) -> None:
        self.engine, self.clock, self.cipher = engine, clock, cipher

    def _row(self, row: Any) -> AddedElmk:
        m = row._mapping
        data = self.cipher.decrypt_json(m["data"], context=_CONTEXT, row=f"added_elmk:{m['ref']}")
        return AddedElmk(
            id=m["id"], owner_id=m["owner_id"], number=data["number"],
            issued_on=date.fromisoformat(data["issued_on"]), valid_until=date.fromisoformat(data["valid_until"]),
            upload_id=m["upload_id"], status=m["status"], confirmed_by_name=m["confirmed_by_name"],
            confirmed_at=m["confirmed_at"], version=m["version"],
        )

    async def add(self, *, owner_id: int, number: str, issued_on: date, valid_until: date,
                  upload_id: int) -> AddedElmk:
        ref = secrets.token_hex(16)
        sealed = self.cipher.encrypt_json(
            {"number": number, "issued_on": issued_on.isoformat(), "valid_until": valid_until.isoformat()},
            context=_CONTEXT, row=f"added_elmk:{ref}")
        async with transaction(self.engine) as conn:
            row = (await conn.execute(insert(added_elmk).values(
                ref=ref, owner_id=owner_id, data=sealed, upload_id=upload_id, status=REPORTED,
                created_at=self.clock.now(),
            ).returning(*added_elmk.c))).one()
        return self._row(row)

    async def get(self, elmk_id: int) -> AddedElmk | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(added_elmk).where(added_elmk.c.id == elmk_id))).first()
        return self._row(row) if row is not None else None

    async def list_for(self, owner_id: int) -> list[AddedElmk]:
        query = select(added_elmk).where(added_elmk.c.owner_id == owner_id).order_by(added_elmk.c.id)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [self._row(r) for r in rows]

    async def confirm(self, elmk_id: int, *, seen_version: int, by_id: int, by_name: str) -> AddedElmk | None:
        """reported → confirmed; None when it is not reported at that version any more."""
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            row = (await conn.execute(
                update(added_elmk)
                .where(added_elmk.c.id == elmk_id, added_elmk.c.version == seen_version,
                       added_elmk.c.status == REPORTED)
                .values(status=CONFIRMED, confirmed_by=by_id, confirmed_by_name=by_name[:128], confirmed_at=now,
                        version=added_elmk.c.version + 1)
                .returning(*added_elmk.c)
            )).first()
        return self._row(row) if row is not None else None
