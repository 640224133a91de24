"""aiogram FSM storage on our own database, so a conversation survives a restart.

Every `set_state` / `set_data` is written to the `fsm_records` table before it returns (so a kill -9
loses nothing that was acknowledged); reads are served from an in-process cache filled from the
database on first use. One bot process owns its conversations (polling allows only one), so the cache
cannot go stale. The data blob may be encrypted at rest with a `FieldCipher`-like object.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import bindparam, select

from domain.clock import Clock
from storage.db import DbEngine, Prepared, WriteThroughCache, reading, transaction
from storage.tables import fsm_records


class Cipher(Protocol):
    def encrypt(self, plaintext: str, *, context: str, row: str = "") -> str: ...
    def decrypt(self, token: str, *, context: str, row: str = "") -> str: ...


_CONTEXT = "fsm-data"
SEALED_CACHE_SIZE = 100_000


def storage_key(key: StorageKey) -> str:
    parts = [str(key.bot_id), str(key.chat_id), str(key.user_id)]
    if key.thread_id:
        parts.append(f"t{key.thread_id}")
    if key.business_connection_id:
        parts.append(f"b{key.business_connection_id}")
    if key.destiny != "default":
        parts.append(key.destiny)
    return ":".join(parts)


class DatabaseStorage(BaseStorage):
    def __init__(self, engine: DbEngine, clock: Clock, cipher: Cipher | None = None) -> None:
        self.engine = engine
        self.clock = clock
        self.cipher = cipher
        self._cache: WriteThroughCache[str, tuple[str | None, dict[str, Any]]] = WriteThroughCache(100_000)
        self._upsert: Any = None
        # The last data blob this process sealed for each key, with the dict it sealed: a step that moves only
        # the state (most of them) writes the same blob again instead of encoding and encrypting it anew.
        self._sealed: dict[str, tuple[dict[str, Any], str]] = {}

    async def _load(self, key: str) -> tuple[str | None, dict[str, Any]]:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        token = self._cache.token()
        async with reading(self.engine) as conn:
            row = (await conn.execute(self._SELECT, {"key": key})).first()
        record: tuple[str | None, dict[str, Any]] = (None, {})
        if row is not None:
            record = (row.state, self._decode(key, row.data))
        return self._cache.fill(key, record, token)

    _SELECT = select(fsm_records.c.state, fsm_records.c.data).where(fsm_records.c.key == bindparam("key"))

    def _encode(self, key: str, data: Mapping[str, Any]) -> str:
        text = json.dumps(dict(data), ensure_ascii=False, separators=(",", ":"), default=str)
        return self.cipher.encrypt(text, context=_CONTEXT, row=f"fsm:{key}") if self.cipher else text

    def _decode(self, key: str, raw: str) -> dict[str, Any]:
        if self.cipher and not raw.startswith("{"):
            raw = self.cipher.decrypt(raw, context=_CONTEXT, row=f"fsm:{key}")
        value = json.loads(raw or "{}")
        return value if isinstance(value, dict) else {}

    async def _save(self, key: str, state: str | None, data: dict[str, Any]) -> None:
        async with transaction(self.engine) as conn:
            if self._upsert is None:  # built once: statement construction costs more than the write itself
                self._upsert = Prepared.upsert(
                    conn.dialect.name,
                    fsm_records,
                    {c: c for c in ("key", "state", "data", "updated_at")},
                    key=["key"],
                    update=["state", "data", "updated_at"],
                )
            sealed = self._sealed.get(key)
            if sealed is None or sealed[0] is not data:  # the cache's own dict: never mutated once stored
                if len(self._sealed) >= SEALED_CACHE_SIZE:
                    self._sealed.clear()
                sealed = self._sealed[key] = (data, self._encode(key, data))
            await conn.write(
                self._upsert, {"key": key, "state": state, "data": sealed[1], "updated_at": self.clock.now()}
            )
            self._cache.put(key, (state, data))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        k = storage_key(key)
        current, data = await self._load(k)
        value = state.state if isinstance(state, State) else state
        if value != current:
            await self._save(k, value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _ = await self._load(storage_key(key))
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        k = storage_key(key)
        state, current = await self._load(k)
        # Round-trip through JSON so what a handler reads back is what a restart would read.
        new = json.loads(json.dumps(dict(data), default=str))
        if new != current:
            await self._save(k, state, new)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _, data = await self._load(storage_key(key))
        return dict(data)

    async def close(self) -> None:
        self._cache.clear()
        self._sealed.clear()
