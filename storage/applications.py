"""Submitted applications: numbers, the signed snapshot, the status history, the audit log.

Status changes use optimistic concurrency: `UPDATE ... WHERE id = :id AND version = :seen`. Of two staff
pressing at the same moment exactly one changes the row; the other gets `Conflict` with what happened.
A change, its history row and the push to the citizen (an outbox row) are written in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from domain.clock import Clock
from domain.signature import SimpleSignature
from domain.status import (
    AWAITING_ORGANISATION,
    INITIAL_STATUS,
    STAFF_ACTIONS,
    Actor,
    Status,
    StatusChange,
    format_application_number,
    transition,
)
from storage.db import reading, transaction, upsert
from storage.tables import application_counters, applications, audit_log, status_changes

_SNAPSHOT = "application-snapshot"
STAFF_CHANGES = frozenset(f"staff.{name}" for name in STAFF_ACTIONS.values())
_COMMENT = "status-comment"


@dataclass(frozen=True, slots=True)
class Application:
    id: int
    number: str
    owner_id: int
    profile_id: int | None
    status: Status
    version: int
    content_sha256: str
    signed_by: int
    signed_at: datetime
    requested_documents: tuple[str, ...]
    updated_at: datetime
    staff_cards: tuple[tuple[int, int], ...] = ()  # every (chat, message) showing this application to staff
    renews_book_id: int | None = None  # «Renew»: the book this application renews


@dataclass(frozen=True, slots=True)
class Conflict:
    """Someone else changed the application first; this is what it is now."""

    current: Application
    last: StatusChange | None


def _app(row: Any) -> Application:
    return Application(
        row.id, row.number, row.owner_id, row.profile_id, Status(row.status), row.version, row.content_sha256,
        row.signed_by, row.signed_at, tuple(json.loads(row.requested_documents or "[]")), row.updated_at,
        tuple((int(c), int(m)) for c, m in json.loads(row.staff_cards or "[]")), row.renews_book_id,
    )


class ApplicationRepository:
    def __init__(self, engine: Any, clock: Clock, cipher: Any) -> None:
        self.engine = engine
        self.clock = clock
        self.cipher = cipher

    async def submit(
        self, *, owner_id: int, profile_id: int, snapshot: dict[str, Any], signature: SimpleSignature,
        renews_book_id: int | None = None,
    ) -> Application:
        """Number the application (per year, never reused), store what was signed, status 'Accepted'."""
        now = self.clock.now()
        year = signature.signed_at.year
        async with transaction(self.engine) as conn:
            await conn.write(
                upsert(conn.dialect.name, application_counters, {"year": year, "last_seq": 0}, key=["year"], update=[])
            )
            seq = (
                await conn.execute(
                    update(application_counters)
                    .where(application_counters.c.year == year)
                    .values(last_seq=application_counters.c.last_seq + 1)
                    .returning(application_counters.c.last_seq)
                )
            ).scalar_one()
            app_id = (
                await conn.execute(
                    insert(applications)
                    .values(
                        number=format_application_number(year, seq), year=year, seq=seq, owner_id=owner_id,
                        profile_id=profile_id, status=INITIAL_STATUS.value, version=1,
                        snapshot="",  # sealed to the row below, once its id is known
                        content_sha256=signature.content_sha256, signed_by=signature.signer_telegram_id,
                        signed_at=signature.signed_at, updated_at=now, renews_book_id=renews_book_id,
                    )
                    .returning(applications.c.id)
                )
            ).scalar_one()
            await conn.write(update(applications).where(applications.c.id == app_id).values(
                snapshot=self.cipher.encrypt_json(snapshot, context=_SNAPSHOT, row=f"applications:{app_id}")))
            await conn.write(
                insert(status_changes).values(
                    application_id=app_id, from_status=None, to_status=INITIAL_STATUS.value,
                    actor=Actor.CITIZEN.value, actor_id=owner_id, comment=None, at=now,
                )
            )
        app = await self.get(app_id)
        assert app is not None
        return app

    async def get(self, app_id: int) -> Application | None:
        async with reading(self.engine) as conn:
            row = (await conn.execute(select(applications).where(applications.c.id == app_id))).first()
        return _app(row) if row is not None else None

    async def snapshot(self, app_id: int) -> dict[str, Any]:
        async with reading(self.engine) as conn:
            raw = (await conn.execute(select(applications.c.snapshot).where(applications.c.id == app_id))).scalar_one()
        result: dict[str, Any] = self.cipher.decrypt_json(raw, context=_SNAPSHOT, row=f"applications:{app_id}")
        return result

    async def list_for(self, owner_id: int) -> list[Application]:
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(applications).where(applications.c.owner_id == owner_id).order_by(applications.c.id.desc())
                )
            ).all()
        return [_app(r) for r in rows]

    async def history(self, app_id: int) -> list[StatusChange]:
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(status_changes)
                    .where(status_changes.c.application_id == app_id)
                    .order_by(status_changes.c.id)
                )
            ).all()
        return [
            StatusChange(
                Status(r.from_status) if r.from_status else None, Status(r.to_status), Actor(r.actor), r.actor_id,
                self.cipher.decrypt(r.comment, context=_COMMENT, row=f"status_changes:{r.id}") if r.comment else None,
                r.at,
            )
            for r in rows
        ]

    async def change_status(
        self,
        app_id: int,
        *,
        seen_version: int,
        target: Status,
        actor: Actor,
        actor_id: int | None,
        comment: str | None = None,
        requested_documents: tuple[str, ...] | None = None,
    ) -> Application | Conflict:
        """Move the application to `target` if nobody changed it since `seen_version`.

        Raises `IllegalTransition` for a change the status machine does not allow. Call it inside an outer
        `transaction(...)` to commit the push and the audit record with it."""
        now = self.clock.now()
        async with transaction(self.engine) as conn:
            current = await self.get(app_id)
            if current is None:
                raise LookupError(app_id)
            if current.version != seen_version:
                return Conflict(current, (await self.history(app_id) or [None])[-1])
            transition(current.status, target, actor)
            values: dict[str, Any] = {"status": target.value, "version": seen_version + 1, "updated_at": now}
            if requested_documents is not None:
                values["requested_documents"] = json.dumps(list(requested_documents))
            changed = (
                await conn.execute(
                    update(applications)
                    .where(applications.c.id == app_id, applications.c.version == seen_version)
                    .values(**values)
                )
            ).rowcount
            if changed != 1:
                latest = await self.get(app_id)
                assert latest is not None
                return Conflict(latest, (await self.history(app_id) or [None])[-1])
            change_id = (
                await conn.execute(
                    insert(status_changes).values(
                        application_id=app_id, from_status=current.status.value, to_status=target.value,
                        actor=actor.value, actor_id=actor_id, comment=None, at=now,
                    ).returning(status_changes.c.id)
                )
            ).scalar_one()
            if comment:  # sealed to its row, known only after the insert
                sealed = self.cipher.encrypt(comment, context=_COMMENT, row=f"status_changes:{change_id}")
                await conn.write(update(status_changes).where(status_changes.c.id == change_id).values(comment=sealed))
        updated = await self.get(app_id)
        assert updated is not None
        return updated

    async def renewing(self, book_id: int) -> Application | None:
        """The newest application that renews this book, if any."""
        query = (select(applications).where(applications.c.renews_book_id == book_id)
                 .order_by(applications.c.id.desc()).limit(1))
        async with reading(self.engine) as conn:
            row = (await conn.execute(query)).first()
        return _app(row) if row is not None else None

    async def count_by_status(self) -> dict[Status, int]:
        """How many applications are in each status (the staff queue)."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(select(applications.c.status, func.count()).group_by(applications.c.status))
            ).all()
        return {Status(status): int(n) for status, n in rows}

    async def list_by_status(self, status: Status, *, offset: int, limit: int) -> list[Application]:
        """One page of the applications in a status, oldest change first (the queue's order)."""
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(applications).where(applications.c.status == status.value)
                    .order_by(applications.c.updated_at, applications.c.id).offset(offset).limit(limit)
                )
            ).all()
        return [_app(r) for r in rows]

    async def add_staff_card(self, app_id: int, chat_id: int, message_id: int) -> None:
        """Remember a staff card, so a status change updates it."""
        async with transaction(self.engine) as conn:
            app = await self.get(app_id)
            if app is None:
                return
            cards = json.dumps([*app.staff_cards, (chat_id, message_id)])
            await conn.write(update(applications).where(applications.c.id == app_id).values(staff_cards=cards))

    async def stuck(self, older_than: datetime) -> list[Application]:
        """Applications waiting for the organisation (accepted, in review) since before `older_than`."""
        waiting = [s.value for s in AWAITING_ORGANISATION]
        async with reading(self.engine) as conn:
            rows = (
                await conn.execute(
                    select(applications).where(
                        applications.c.status.in_(waiting), applications.c.updated_at <= older_than
                    )
                )
            ).all()
        return [_app(r) for r in rows]

    async def audit(self, *, actor_id: int | None, action: str, application_id: int | None, **details: Any) -> None:
        """Who did what to which application. `details` are ids and codes only, never personal data."""
        async with transaction(self.engine) as conn:
            await conn.write(
                insert(audit_log).values(
                    at=self.clock.now(), actor_id=actor_id, action=action, application_id=application_id,
                    details=json.dumps(details, sort_keys=True) if details else None,
                )
            )

    async def last_staff_actor(self, application_id: int) -> str | None:
        """The name recorded with the latest staff status change of an application."""
        for entry in reversed(await self.audit_entries(application_id)):
            if entry["action"] in STAFF_CHANGES and entry["details"]:
                return str(json.loads(entry["details"]).get("by") or "") or None
        return None

    async def audit_entries(self, application_id: int | None = None) -> list[dict[str, Any]]:
        query = select(audit_log).order_by(audit_log.c.id)
        if application_id is not None:
            query = query.where(audit_log.c.application_id == application_id)
        async with reading(self.engine) as conn:
            rows = (await conn.execute(query)).all()
        return [dict(r._mapping) for r in rows]

    async def count(self) -> int:
        async with reading(self.engine) as conn:
            return int((await conn.execute(select(func.count()).select_from(applications))).scalar_one())
