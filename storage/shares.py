"""Share links: a holder's book shared with one employer, found by the SHA-256 of the link's token.

The token itself is never stored. The employer's INN/OGRN and the optional name the holder typed are kept as
one FieldCipher token bound to the row's token hash (an entrepreneur's INN is a person's). Each open of the
page and each confirmation is a `share_events` row (time, level), for the holder's list and the audit.
Rows are keyed by the owner (ON DELETE CASCADE from users), so erasing a person erases their shares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, Text, insert, select, update

from domain.clock import Clock
from domain.sharing import ShareLevel, ShareState
from storage.crypto import FieldCipher
from storage.db import UTCDateTime, reading, transaction
from storage.tables import metadata

__all__ = ["ShareRepository", "StoredShare", "row_name", "share_events", "shares"]

_CONTEXT = "share"

shares = Table(
    "shares",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner_id", BigInteger, ForeignKey("users.telegram_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("book_id", Integer, ForeignKey("books.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # hex SHA-256 of the link's token
    Column("employer", Text, nullable=False),  # {"id": INN/OGRN, "name": ...}: encrypted JSON
    Column("level", String(8), nullable=False),  # full | status
    Column("state", String(16), nullable=False),  # created | opened | delivered | revoked (expired: computed)
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("opened_at", UTCDateTime, nullable=True),  # the first open
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

share_events = Table(
    "share_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("share_id", Integer, ForeignKey("shares.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # open | confirm
    Column("level", String(8), nullable=False),  # what the page showed
    Column("at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True, slots=True)
class StoredShare:
    id: int
    owner_id: int
    book_id: int
    token_hash: str
    employer_id: str
    employer_name: str | None
    level: ShareLevel
    state: ShareState  # as stored: never 'expired'
    created_at: datetime
    expires_at: datetime
    opened_at: datetime | None
    delivered_at: datetime | None
    revoked_at: datetime | None


def row_name(token_hash: str) -> str:
    """What a share's ciphertext is bound to besides its column: its token hash (known before the insert)."""
    return f"shares:{token_hash}"


class ShareRepository:
    def __init__(self, engine: Any, clock: Clock, cipher: FieldCipher) -> None:
        self.engine, self.clock, self.cipher = engine, clock, cipher

    def _row(self, row: Any) -> StoredShare:
        m = row._mapping
        employer = json.loads(self.cipher.decrypt(m["employer"], context=_CONTEXT, row=row_name(m["token_hash"])))
        return StoredShare(
            id=m["id"], owner_id=m["owner_id"], book_id=m["book_id"], token_hash=m["token_hash"],
            employer_id=employer["id"], employer_name=employer.get("name"), level=ShareLevel(m["level"]),
            state=ShareState(m["state"]), created_at=m["created_at"], expires_at=m["expires_at"],
            opened_at=m["opened_at"], delivered_at=m["delivered_at"], revoked_at=m["revoked_at"],
        )

    async def add(self, *, owner_id: int, book_id: int, token_hash: str, employer_id: str, employer_name: str | None,
                  level: ShareLevel, expires_at: datetime) -> StoredShare:
        sealed = self.cipher.encrypt(json.dumps({"id": employer_id, "name": employer_name}), context=_CONTEXT,
                                     row=row_name(token_hash))
        async with transaction(self.engine) as conn:
            row = (await conn.execute(
                insert(shares).values(
                    owner_id=owner_id, book_id=book_id, token_hash=token_hash, employer=sealed, level=level.value,
                    state=ShareState.CREATED.value, created_at=self.clock.now(), expires_at=expires_at,
                ).returning(*shares.c)
            )).one()
        return self._row(row)

    async def by_hash(self, token_hash: str) -> StoredShare | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(shares).where(shares.c.token_hash == token_hash))).first()
        return self._row(row) if row is not None else None

    async def get(self, share_id: int, owner_id: int | None = None) -> StoredShare | None:
        where = [shares.c.id == share_id] + ([shares.c.owner_id == owner_id] if owner_id is not None else [])
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(shares).where(*where))).first()
        return self._row(row) if row is not None else None

    async def list_for(self, owner_id: int) -> list[StoredShare]:
        query = select(shares).where(shares.c.owner_id == owner_id).order_by(shares.c.id.desc())
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [self._row(r) for r in rows]

    async def opened(self, share: StoredShare) -> None:
        """An open of the page: the event, and the first open moves 'created' to 'opened'."""
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            await conn.write(insert(share_events).values(share_id=share.id, kind="open", level=share.level.value,
                                                         at=now))
            if share.state is ShareState.CREATED:
                await conn.write(update(shares).where(shares.c.id == share.id, shares.c.state == "created")
                                 .values(state=ShareState.OPENED.value, opened_at=now))

    async def delivered(self, share: StoredShare) -> bool:
        """The employer's confirmation; False when the row is no longer created or opened (revoked meanwhile,
        or confirmed already)."""
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            result = await conn.execute(
                update(shares).where(shares.c.id == share.id, shares.c.state.in_(("created", "opened")))
                .values(state=ShareState.DELIVERED.value, delivered_at=now)
            )
            if result.rowcount != 1:
                return False
            await conn.write(insert(share_events).values(share_id=share.id, kind="confirm", level=share.level.value,
                                                         at=now))
        return True

    async def revoke(self, share_id: int, owner_id: int) -> bool:
        async with transaction(self.engine) as conn:
            result = await conn.execute(
                update(shares).where(shares.c.id == share_id, shares.c.owner_id == owner_id,
                                     shares.c.state != ShareState.REVOKED.value)
                .values(state=ShareState.REVOKED.value, revoked_at=self.clock.now())
            )
        return bool(result.rowcount == 1)

    async def events(self, share_id: int) -> list[tuple[str, str, datetime]]:
        """(kind, level, at) of a share, oldest first."""
        query = select(share_events.c.kind, share_events.c.level, share_events.c.at).where(
            share_events.c.share_id == share_id).order_by(share_events.c.id)
        async with reading(self.engine) as conn:
            return [(r[0], r[1], r[2]) for r in (await conn.execute(query)).all()]
