"""Issued books: the signed canonical JSON (encrypted at rest, context ``"book"``), its signature, and what is
needed to find it (number, the random check id of the check page, the owner and the profile).

The content is personal data (name, birth date, exam results), so it is stored only as a FieldCipher token;
the number, status and check id are not personal and stay in clear for look-ups. A revoked book keeps its
row: the content is re-signed with the status ``revoked`` and the reason, so the check says 'revoked'.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text, func, insert, select, update

from domain.clock import Clock
from storage.crypto import FieldCipher
from storage.db import UTCDateTime, reading, transaction
from storage.tables import metadata

__all__ = ["BookRepository", "StoredBook", "books"]

_CONTEXT = "book"

books = Table(
    "books",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(32), nullable=False, unique=True),  # K-2026-000123 (Cyrillic K)
    Column("year", Integer, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("check_id", String(64), nullable=False, unique=True),  # random, in the check page's URL
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("profile_id", Integer, ForeignKey("profiles.id", ondelete="SET NULL"), nullable=True, index=True),
    Column("application_id", Integer, ForeignKey("applications.id", ondelete="SET NULL"), nullable=True),
    Column("photo_upload_id", Integer, ForeignKey("uploads.id", ondelete="SET NULL"), nullable=True),
    Column("status", String(16), nullable=False),  # valid | revoked (the signed content says the same)
    Column("content", Text, nullable=False),  # the canonical JSON, encrypted (AES-GCM, context "book")
    Column("signature", String(128), nullable=False),  # Ed25519, base64
    Column("issued_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredBook:
    id: int
    number: str
    check_id: str
    owner_id: int
    profile_id: int | None
    application_id: int | None
    photo_upload_id: int | None
    status: str
    canonical: bytes
    signature: bytes
    issued_at: datetime


def row_name(check_id: str) -> str:
    """What a book's ciphertext is bound to besides its column: its random check id (known before the insert)."""
    return f"books:{check_id}"


class BookRepository:
    def __init__(self, engine: Any, clock: Clock, cipher: FieldCipher) -> None:
        self.engine = engine
        self.clock = clock
        self.cipher = cipher

    def _row(self, row: Any) -> StoredBook:
        m = row._mapping
        return StoredBook(
            id=m["id"], number=m["number"], check_id=m["check_id"], owner_id=m["owner_id"],
            profile_id=m["profile_id"], application_id=m["application_id"], photo_upload_id=m["photo_upload_id"],
            status=m["status"],
            canonical=self.cipher.decrypt(m["content"], context=_CONTEXT, row=row_name(m["check_id"])).encode("utf-8"),
            signature=base64.b64decode(m["signature"]), issued_at=m["issued_at"],
        )

    async def next_seq(self, year: int) -> int:
        """The next sequence number of the year; call it inside the issuing transaction (the number is unique)."""
        async with transaction(self.engine) as conn:
            last = (await conn.execute(select(func.max(books.c.seq)).where(books.c.year == year))).scalar()
        return int(last or 0) + 1

    async def insert(
        self, *, number: str, year: int, seq: int, check_id: str, owner_id: int, profile_id: int | None,
        application_id: int | None, photo_upload_id: int | None, status: str, canonical: bytes, signature: bytes,
    ) -> int:
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            row = (
                await conn.execute(
                    insert(books).values(
                        number=number, year=year, seq=seq, check_id=check_id, owner_id=owner_id,
                        profile_id=profile_id, application_id=application_id, photo_upload_id=photo_upload_id,
                        status=status, content=self.cipher.encrypt(
                            canonical.decode("utf-8"), context=_CONTEXT, row=row_name(check_id)),
                        signature=base64.b64encode(signature).decode("ascii"), issued_at=now, updated_at=now,
                    ).returning(books.c.id)
                )
            ).one()
        return int(row[0])

    async def resign(self, book_id: int, *, status: str, canonical: bytes, signature: bytes) -> None:
        async with transaction(self.engine) as conn:
            check_id = (await conn.execute(select(books.c.check_id).where(books.c.id == book_id))).scalar_one()
            sealed = self.cipher.encrypt(canonical.decode("utf-8"), context=_CONTEXT, row=row_name(check_id))
            await conn.execute(
                update(books).where(books.c.id == book_id).values(
                    status=status, content=sealed,
                    signature=base64.b64encode(signature).decode("ascii"), updated_at=self.clock.now(),
                )
            )

    async def _one(self, *where: Any) -> StoredBook | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(books).where(*where))).first()
        return self._row(row) if row is not None else None

    async def by_check_id(self, check_id: str) -> StoredBook | None:
        return await self._one(books.c.check_id == check_id)

    async def by_number(self, number: str) -> StoredBook | None:
        return await self._one(books.c.number == number)

    async def by_application(self, app_id: int) -> StoredBook | None:
        """The newest book issued on an application."""
        query = select(books).where(books.c.application_id == app_id).order_by(books.c.id.desc()).limit(1)
        async with reading(self.engine) as conn:
            row = (await conn.execute(query)).first()
        return self._row(row) if row is not None else None

    async def get(self, book_id: int, owner_id: int | None = None) -> StoredBook | None:
        where = [books.c.id == book_id] + ([books.c.owner_id == owner_id] if owner_id is not None else [])
        return await self._one(*where)

    async def has_any(self, owner_id: int) -> bool:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(books.c.id).where(books.c.owner_id == owner_id).limit(1))).first()
        return row is not None

    async def list_for_owner(self, owner_id: int) -> list[StoredBook]:
        query = select(books).where(books.c.owner_id == owner_id).order_by(books.c.id)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [self._row(r) for r in rows]

    async def number_and_status(self, book_id: int, owner_id: int) -> tuple[str, str] | None:
        """A book's number and status (clear columns): what a reminder needs, without decrypting the content."""
        query = select(books.c.number, books.c.status).where(books.c.id == book_id, books.c.owner_id == owner_id)
        async with reading(self.engine) as conn:
            row = (await conn.execute(query)).first()
        return (str(row[0]), str(row[1])) if row is not None else None
