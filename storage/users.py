"""The users repository: who wrote to the bot, their language, their consent, whether they blocked us."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from domain.clock import Clock
from storage.db import DbEngine, WriteThroughCache, reading, transaction, upsert
from storage.tables import consent_events, users


@dataclass(frozen=True, slots=True)
class User:
    telegram_id: int
    locale: str | None
    consent_version: str | None
    consent_at: datetime | None
    consent_declined_at: datetime | None
    blocked_at: datetime | None

    @property
    def has_consent(self) -> bool:
        return self.consent_at is not None


def _user(row: Any) -> User:
    return User(row.telegram_id, row.locale, row.consent_version, row.consent_at, row.consent_declined_at,
                row.blocked_at)


class UserRepository:
    """Write-through: every change goes to the database at once; reads are served from a small cache,
    which is safe because one bot process owns its users. The cache follows commits, never runs ahead."""

    def __init__(self, engine: DbEngine, clock: Clock, cache_size: int = 10_000) -> None:
        self.engine = engine
        self.clock = clock
        self._cache: WriteThroughCache[int, User] = WriteThroughCache(cache_size)

    _GET = select(users).where(users.c.telegram_id == bindparam("tid"))

    async def get(self, telegram_id: int) -> User | None:
        cached = self._cache.get(telegram_id)
        if cached is not None:
            return cached
        token = self._cache.token()
        async with reading(self.engine) as conn:
            row = (await conn.execute(self._GET, {"tid": telegram_id})).first()
        if row is None:
            return None
        return self._cache.fill(telegram_id, _user(row), token)

    async def get_or_create(self, telegram_id: int) -> User:
        user = await self.get(telegram_id)
        if user is not None:
            return user
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            await conn.write(
                upsert(conn.dialect.name, users,
                       {"telegram_id": telegram_id, "created_at": now, "updated_at": now},
                       key=["telegram_id"], update=[])
            )
            row = (await conn.execute(self._GET, {"tid": telegram_id})).one()
            return self._cache.put(telegram_id, _user(row))

    async def _update(self, telegram_id: int, event: str | None = None, **values: object) -> User:
        """Change the person's row; `event` (given | declined | withdrawn) goes into the consent history in the
        same transaction."""
        user = await self.get_or_create(telegram_id)
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            await conn.write(
                update(users).where(users.c.telegram_id == telegram_id).values(updated_at=now, **values)
            )
            if event is not None:
                await conn.write(insert(consent_events).values(
                    owner_id=telegram_id, event=event, version=values.get("consent_version"), at=now))
            return self._cache.put(telegram_id, replace(user, **values))  # type: ignore[arg-type]

    async def set_locale(self, telegram_id: int, locale: str) -> User:
        return await self._update(telegram_id, locale=locale)

    async def accept_consent(self, telegram_id: int, version: str) -> User:
        return await self._update(
            telegram_id, "given", consent_version=version, consent_at=self.clock.now(), consent_declined_at=None
        )

    async def decline_consent(self, telegram_id: int) -> User:
        """No consent (any more): a person who had given it withdraws it, the history says which."""
        had = (await self.get_or_create(telegram_id)).has_consent
        return await self._update(
            telegram_id, "withdrawn" if had else "declined",
            consent_version=None, consent_at=None, consent_declined_at=self.clock.now(),
        )

    async def erased(self, telegram_id: int) -> User:
        """After an erasure: the row stays (records kept by law point at it) with consent withdrawn, so the
        person starts again as a newcomer; the history says so. Call inside the erasure's transaction."""
        had = (await self.get_or_create(telegram_id)).has_consent
        if had:
            await self._update(telegram_id, "withdrawn")
        return await self._update(
            telegram_id, "erased", consent_version=None, consent_at=None,
            consent_declined_at=self.clock.now(), blocked_at=None,
        )

    async def consent_history(self, telegram_id: int) -> list[dict[str, object]]:
        query = select(consent_events).where(consent_events.c.owner_id == telegram_id).order_by(consent_events.c.id)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [dict(r._mapping) for r in rows]

    async def set_blocked(self, telegram_id: int, blocked: bool) -> User:
        return await self._update(telegram_id, blocked_at=self.clock.now() if blocked else None)
