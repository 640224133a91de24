"""The holder's data rights (152-FZ, issue 15): «My data» → download everything the bot holds about them, or erase
it; withdrawing consent offers the same erasure; and the daily retention sweep.

What is exported and erased is storage/personal.py's registry, so a new table is covered by one entry there.
The export is a ZIP built in memory in a worker thread (decrypting the files and compressing is CPU work that
would hold up every other person): `data.json` (the sections, field names in the README, «Your data») and
`files/<upload id>-<kind>.<ext>`, the person's uploads decrypted. Telegram takes at most 50 MB from a bot.

An erasure is one transaction: the person's rows (the registry's order), their profiles out of the cache, their
conversation, their account reset with consent withdrawn (the history keeps the withdrawal), their older audit
rows scrubbed and one audit row that the erasure happened. The encrypted files are removed from disk after the
commit (a rollback must not leave rows pointing at deleted files).
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain.clock import Clock
from domain.policy import RetentionPolicy
from domain.status import Status
from fsm.states import MyData
from services.conversation import Conversation
from storage.db import transaction
from storage.files import FileStore
from storage.personal import Collected, Erasure, PersonalData
from storage.profiles import ProfileRepository
from storage.users import UserRepository

log = logging.getLogger("emk.privacy")

TELEGRAM_UPLOAD_LIMIT = 50 * 1024 * 1024  # what a bot may send as a document
EXPORT_FORMAT = "emk-export/1"
_EXTENSIONS = {"jpeg": "jpg", "png": "png", "heic": "heic", "pdf": "pdf"}


@dataclass(frozen=True, slots=True)
class Export:
    data: bytes | None  # None: too large to send through Telegram
    size: int
    files: int


@dataclass(frozen=True, slots=True)
class Kept:
    """A record kept by law after an erasure: its number and until when it is kept."""

    number: str
    until: datetime


@dataclass(frozen=True, slots=True)
class ErasePlan:
    """What an erasure removes (rows per section, files) and what it keeps."""

    deleted: dict[str, int]
    files: int
    kept: tuple[Kept, ...]


def build_zip(collected: Collected, meta: dict[str, Any], read: Callable[[str], bytes]) -> bytes:
    """The export archive (run in a worker thread: it decrypts files and compresses). A file that is gone from
    disk or does not decrypt is listed with `"file": null`."""
    paths: dict[int, str | None] = {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for stored in collected.files:
            path = f"files/{stored.upload_id}-{stored.kind}.{_EXTENSIONS.get(stored.detected_type or '', 'bin')}"
            try:
                data = read(stored.storage_name)
            except Exception as exc:  # one unreadable file must not cost the person the rest
                log.warning("export: upload %s could not be read: %s", stored.upload_id, type(exc).__name__)
                paths[stored.upload_id] = None
                continue
            archive.writestr(path, data, compress_type=zipfile.ZIP_STORED)  # images and PDFs are compressed
            paths[stored.upload_id] = path
        sections = dict(collected.sections)
        sections["files"] = [{**row, "file": paths.get(row["id"])} for row in sections.get("files", [])]
        for row in sections["files"]:
            row.pop("storage_name", None)  # a random name on the operator's disk: nothing of the person's
        document = {**meta, **sections}
        text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
        archive.writestr("data.json", text, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


class PrivacyService:
    def __init__(
        self, engine: Any, personal: PersonalData, users: UserRepository, profiles: ProfileRepository,
        files: FileStore, clock: Clock, retention: RetentionPolicy, *, limit: int = TELEGRAM_UPLOAD_LIMIT,
    ) -> None:
        self.engine, self.personal, self.users, self.profiles, self.files = engine, personal, users, profiles, files
        self.clock, self.retention, self.limit = clock, retention, limit

    async def ask_export(self, conversation: Conversation) -> None:
        await conversation.set_state(MyData.confirm_export)

    async def leave(self, conversation: Conversation) -> None:
        await conversation.set_state(None)

    async def export(self, uid: int, conversation: Conversation) -> Export:
        await conversation.set_state(None)
        collected = await self.personal.collect(uid)
        meta = {"format": EXPORT_FORMAT, "generated_at": self.clock.now().isoformat(), "telegram_id": uid}
        data = await asyncio.to_thread(build_zip, collected, meta, self.files.read_blocking)
        log.info("export: %s bytes, %s files", len(data), len(collected.files))
        if len(data) > self.limit:
            return Export(None, len(data), len(collected.files))
        return Export(data, len(data), len(collected.files))

    def _keep_after(self) -> datetime | None:
        years = self.retention.issued_book_years
        return self.clock.now() - timedelta(days=365 * years) if years else None

    def _plan(self, erasure: Erasure) -> ErasePlan:
        years = timedelta(days=365 * self.retention.issued_book_years)
        kept = tuple(Kept(str(k["number"]), k["since"] + years) for k in erasure.kept)
        deleted = {section: n for section, n in erasure.deleted.items() if n}
        return ErasePlan(deleted, len(erasure.files), kept)

    async def preview(self, uid: int, conversation: Conversation) -> ErasePlan:
        """What «Erase» would remove and keep; the conversation then waits for the confirmation."""
        async with transaction(self.engine):
            plan = self._plan(await self.personal.erase(uid, self._keep_after(), dry_run=True))
            await conversation.set_state(MyData.confirm_erase)
        return plan

    async def erase(self, uid: int, conversation: Conversation) -> ErasePlan:
        async with transaction(self.engine):
            await conversation.set_state(None)
            await conversation.set_data({})
            erasure = await self.personal.erase(uid, self._keep_after())
            self.profiles.forget(erasure.profile_ids)
            await self.users.erased(uid)
            await self.personal.audit_erasure(uid, self.clock.now(), kept=len(erasure.kept))
        await self._remove_files(erasure.files)
        await self.engine.checkpoint()
        plan = self._plan(erasure)
        log.info("erasure on the holder's request: %s rows, %s files, %s records kept by law",
                 sum(plan.deleted.values()), plan.files, len(plan.kept))
        return plan

    async def withdraw(self, uid: int, conversation: Conversation) -> None:
        """Consent withdrawn (the history records it); the erasure is offered next."""
        async with transaction(self.engine):
            await self.users.decline_consent(uid)
            await conversation.set_state(None)

    async def _remove_files(self, names: list[str]) -> None:
        for name in names:
            try:
                await self.files.delete(name)
            except OSError as exc:
                log.error("a stored file could not be removed: %s", type(exc).__name__)

    async def sweep(self) -> tuple[int, int, int]:
        """The daily retention sweep: drafts never sent and untouched for `inactive_draft_days`, applications
        rejected `rejected_application_days` ago. Returns (drafts, applications, files) erased; counts only
        reach the log."""
        now = self.clock.now()
        drafts = await self.personal.stale_drafts(now - timedelta(days=self.retention.inactive_draft_days))
        async with transaction(self.engine):
            names = await self.personal.erase_profiles(drafts)
            self.profiles.forget(drafts)
        await self._remove_files(names)
        rejected = await self.personal.erase_rejected(
            Status.REJECTED.value, now - timedelta(days=self.retention.rejected_application_days))
        log.info("retention sweep: erased %s inactive drafts (%s files) and %s rejected applications",
                 len(drafts), len(names), rejected)
        return len(drafts), rejected, len(names)
