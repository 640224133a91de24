"""The profiles repository: the people an account applies for, each with an encrypted draft."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import insert, select, update

from domain.applicant import Draft, Relation
from domain.clock import Clock
from storage.db import DbEngine, Prepared, WriteThroughCache, reading, transaction
from storage.tables import profiles

_CONTEXT = "profile"


class Cipher(Protocol):
    def encrypt(self, plaintext: str, *, context: str, row: str = "") -> str: ...
    def decrypt(self, token: str, *, context: str, row: str = "") -> str: ...


@dataclass(frozen=True, slots=True)
class Profile:
    id: int
    owner_id: int
    relation: Relation
    draft: Draft
    step: str | None


class ProfileRepository:
    def __init__(self, engine: DbEngine, clock: Clock, cipher: Cipher) -> None:
        self.engine = engine
        self.clock = clock
        self.cipher = cipher
        # Write-through cache by id: one bot process owns its profiles, so it cannot go stale.
        self._cache: WriteThroughCache[int, Profile] = WriteThroughCache()

    def _seal(self, draft: Draft, profile_id: int) -> str:
        # bound to the row: a draft copied into another person's profile does not decrypt
        return self.cipher.encrypt(draft.model_dump_json(), context=_CONTEXT, row=f"profiles:{profile_id}")

    def _open(self, row: object) -> Profile:
        text = self.cipher.decrypt(row.data, context=_CONTEXT, row=f"profiles:{row.id}")  # type: ignore[attr-defined]
        draft = Draft.model_validate_json(text)
        return Profile(row.id, row.owner_id, Relation(row.relation), draft, row.step)  # type: ignore[attr-defined]

    async def create(self, owner_id: int, relation: Relation) -> Profile:
        now = self.clock.now()
        draft = Draft(relation=relation)
        async with transaction(self.engine) as conn:
            result = await conn.execute(
                insert(profiles)
                .values(owner_id=owner_id, relation=relation.value, data="", step=None,
                        created_at=now, updated_at=now)
                .returning(profiles.c.id)
            )
            profile_id = result.scalar_one()
            # the id is known only now: the draft is sealed to it in the same transaction
            await conn.write(update(profiles).where(profiles.c.id == profile_id)
                             .values(data=self._seal(draft, profile_id)))
            return self._cache.put(profile_id, Profile(profile_id, owner_id, relation, draft, None))

    async def get(self, profile_id: int, owner_id: int) -> Profile | None:
        cached = self._cache.get(profile_id)
        if cached is not None:
            return cached if cached.owner_id == owner_id else None
        token = self._cache.token()
        async with reading(self.engine) as conn:
            row = (
                await conn.execute(
                    select(profiles).where(profiles.c.id == profile_id, profiles.c.owner_id == owner_id)
                )
            ).first()
        if row is None:
            return None
        profile = self._open(row)
        return self._cache.fill(profile.id, profile, token)

    async def list_for(self, owner_id: int) -> list[Profile]:
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(profiles).where(profiles.c.owner_id == owner_id).order_by(profiles.c.id)
                )
            ).all()
        return [self._open(r) for r in rows]

    _SAVE = Prepared.update(
        profiles, where={"id": "pid", "owner_id": "owner"}, values={"data": "data", "step": "step", "updated_at": "now"}
    )

    async def save(self, profile: Profile, draft: Draft, step: str | None) -> Profile:
        async with transaction(self.engine) as conn:
            await conn.write(
                self._SAVE,
                {"pid": profile.id, "owner": profile.owner_id, "data": self._seal(draft, profile.id), "step": step,
                 "now": self.clock.now()},
            )
            return self._cache.put(profile.id, Profile(profile.id, profile.owner_id, profile.relation, draft, step))

    def forget(self, profile_ids: list[int]) -> None:
        """Profiles deleted in the current transaction (an erasure, the retention sweep): out of the cache once it
        commits, so an id SQLite hands out again never shows a deleted draft."""
        for profile_id in profile_ids:
            self._cache.drop(profile_id)
