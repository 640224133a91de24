"""The users repository: who wrote to the bot, their language, their consent, whether they blocked us."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.clock import Clock
from storage.db import reading, transaction, upsert
from storage.tables import users


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


class UserRepository:
    """Write-through: every change goes to the database at once; reads are served from a small cache,
    which is safe because one bot process owns its users."""

    def __init__(self, engine: AsyncEngine, clock: Clock, cache_size: int = 10_000) -> None:
        self.engine = engine
        self.clock = clock
        self._cache: dict[int, User] = {}
        self._cache_size = cache_size

    def _remember(self, user: User) -> User:
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[user.telegram_id] = user
        return user

    async def get(self, telegram_id: int) -> User | None:
        cached = self._cache.get(telegram_id)
        if cached is not None:
            return cached
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(users).where(users.c.telegram_id == telegram_id))).first()
        if row is None:
            return None
        return self._remember(
            User(row.telegram_id, row.locale, row.consent_version, row.consent_at,
                 row.consent_declined_at, row.blocked_at)
        )

    async def get_or_create(self, telegram_id: int) -> User:
        user = await self.get(telegram_id)
        if user is not None:
            return user
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            await conn.execute(
                upsert(conn.dialect.name, users,
                       {"telegram_id": telegram_id, "created_at": now, "updated_at": now},
                       key=["telegram_id"], update=[])
            )
        self._cache.pop(telegram_id, None)
        user = await self.get(telegram_id)
        assert user is not None
        return user

    async def _update(self, telegram_id: int, **values: object) -> User:
        user = await self.get_or_create(telegram_id)
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            await conn.execute(
                update(users).where(users.c.telegram_id == telegram_id).values(updated_at=now, **values)
            )
        return self._remember(replace(user, **values))  # type: ignore[arg-type]

    async def set_locale(self, telegram_id: int, locale: str) -> User:
        return await self._update(telegram_id, locale=locale)

    async def accept_consent(self, telegram_id: int, version: str) -> User:
        return await self._update(
            telegram_id, consent_version=version, consent_at=self.clock.now(), consent_declined_at=None
        )

    async def decline_consent(self, telegram_id: int) -> User:
        return await self._update(
            telegram_id, consent_version=None, consent_at=None, consent_declined_at=self.clock.now()
        )

    async def set_blocked(self, telegram_id: int, blocked: bool) -> User:
        return await self._update(telegram_id, blocked_at=self.clock.now() if blocked else None)
