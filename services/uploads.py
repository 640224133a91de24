"""Photos and scans: check them in the media worker, store them encrypted, list and remove them.

The bytes arrive already downloaded (the handler's job, Telegram's side); what happens to them is here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from domain import wizard
from domain.applicant import Draft
from domain.issues import Issue, Severity
from domain.media import sha256_hex
from domain.portrait import PortraitResult
from domain.scans import ScanResult
from fsm.states import Apply
from fsm.steps import STEP_BY_KEY
from services.conversation import Conversation
from services.wizard import Screen, WizardService
from storage.files import FileStore, Upload, UploadRepository
from storage.profiles import Profile, ProfileRepository

MAX_SCAN_BYTES = 5 * 1024 * 1024
MAX_SCAN_PAGES = 10


class Checker(Protocol):
    """The media worker (bot/media.py): the checks run in another process, under a time budget."""

    async def portrait(self, data: bytes, *, owner: int | None = None) -> PortraitResult: ...

    async def scan(
        self, data: bytes, *, max_bytes: int, max_pages: int, owner: int | None = None
    ) -> ScanResult: ...

    async def qr(self, data: bytes, *, owner: int | None = None) -> str | None: ...


@dataclass(frozen=True)
class TelegramFile:
    """Telegram's ids of what was sent, kept with the stored copy."""

    file_id: str | None = None
    unique_id: str | None = None


@dataclass(frozen=True)
class Received:
    """A stored upload, or why not: `issues` to explain, or `duplicate` (the person already sent it)."""

    upload: Upload | None
    issues: tuple[Issue, ...] = ()
    portrait: PortraitResult | None = None
    scan: ScanResult | None = None
    duplicate: bool = False
    full: int | None = None  # the step already holds this many files, the policy's limit: nothing was checked


class UploadService:
    def __init__(
        self, uploads: UploadRepository, files: FileStore, media: Checker, profiles: ProfileRepository,
        wizard: WizardService,
    ) -> None:
        self.uploads, self.files, self.media, self.profiles, self.wizard = uploads, files, media, profiles, wizard

    async def photo(
        self, owner_id: int, profile_id: int | None, data: bytes, sent: TelegramFile, *,
        kind: str = "photo", status: str = "active",
    ) -> Received:
        """Check a portrait and store the corrected 3×4 JPEG."""
        result = await self.media.portrait(data, owner=owner_id)
        if not result.ok or result.jpeg is None:
            return Received(None, result.issues, portrait=result)
        upload = await self.uploads.add(
            owner_id=owner_id, profile_id=profile_id, kind=kind, sha256=sha256_hex(data), detected_type="jpeg",
            size=len(result.jpeg), width=result.width, height=result.height, dpi=result.dpi,
            checks=tuple(i.code for i in result.issues), storage_name=await self.files.put(result.jpeg),
            status=status, telegram_file_id=sent.file_id, telegram_file_unique_id=sent.unique_id,
        )
        return Received(upload, result.issues, portrait=result)

    async def scan(
        self, owner_id: int, profile_id: int | None, kind: str, data: bytes, sent: TelegramFile, *,
        refuse_duplicate: Callable[[Upload], bool] | None = None, qr_is_enough: bool = False,
    ) -> Received:
        """Check a scan and store it encrypted; a file this profile already has is refused where
        `refuse_duplicate` says so. With `qr_is_enough` (a photo of a QR code, e.g. an official ELMK's), a
        picture refused as a document is still taken when a QR code can be read in it."""
        result = await self.media.scan(data, max_bytes=MAX_SCAN_BYTES, max_pages=MAX_SCAN_PAGES, owner=owner_id)
        refused = any(i.severity is Severity.ERROR for i in result.issues)
        if refused and qr_is_enough and result.kind is not None and result.width:
            refused = await self.media.qr(data, owner=owner_id) is None
        if refused or result.kind is None:
            return Received(None, result.issues, scan=result)
        if refuse_duplicate is not None and profile_id is not None:
            earlier = await self.uploads.find_duplicate(profile_id, result.sha256)
            if earlier is not None and refuse_duplicate(earlier):
                return Received(None, scan=result, duplicate=True)
        upload = await self.uploads.add(
            owner_id=owner_id, profile_id=profile_id, kind=kind, sha256=result.sha256,
            detected_type=result.kind.value, size=result.size, pages=result.pages, width=result.width,
            height=result.height, dpi=result.dpi, checks=tuple(i.code for i in result.issues),
            storage_name=await self.files.put(data), telegram_file_id=sent.file_id,
            telegram_file_unique_id=sent.unique_id,
        )
        return Received(upload, result.issues, scan=result)

    async def listed(self, profile_id: int, kind: str) -> list[Upload]:
        return await self.uploads.list_for(profile_id, kind)

    async def remove(self, owner_id: int, upload_id: int) -> None:
        """The person took a file back: it leaves the draft, and its encrypted bytes leave the disk, unless a
        submitted application refers to it (its signed snapshot, or documents sent at staff's request): those
        stay for staff and for the signature's sake."""
        upload = await self.uploads.get(upload_id)
        if upload is None or upload.owner_id != owner_id:
            return
        await self.uploads.set_status(upload_id, owner_id, "removed")
        if upload_id not in await self.wizard.applications.signed_upload_ids(owner_id):
            await self.files.delete(upload.storage_name)

    async def activate(self, owner_id: int, upload_id: int) -> None:
        await self.uploads.set_status(upload_id, owner_id, "active")

    async def files_changed(self, profile: Profile, step_key: str) -> Draft:
        """A document step that was confirmed legible needs a new confirmation once its files change."""
        draft = wizard.files_changed(step_key, profile.draft)
        if draft is not profile.draft:
            await self.profiles.save(profile, draft, step_key)
        return draft

    # --- the wizard's photo step -------------------------------------------------------------------------------

    async def pending_photo(
        self, owner_id: int, profile_id: int, data: bytes, sent: TelegramFile, conversation: Conversation
    ) -> Received:
        """A portrait for the photo step: stored as pending until the person says to use it."""
        received = await self.photo(owner_id, profile_id, data, sent, status="pending")
        if received.upload is not None:
            await conversation.set_state(Apply.photo_confirm)
            await conversation.update_data(pending_photo=received.upload.id)
        return received

    async def decide_photo(self, owner_id: int, conversation: Conversation, *, use: bool) -> Screen | None:
        """Use the pending portrait (it replaces the earlier one) or drop it and ask for another."""
        profile = await self.wizard.profile(owner_id, conversation)
        pending = (await conversation.get_data()).get("pending_photo")
        if profile is None or pending is None:
            return None
        step = STEP_BY_KEY["photo"]
        await conversation.update_data(pending_photo=None)
        if not use:
            await self.remove(owner_id, int(pending))
            return await self.wizard.show(owner_id, conversation, step, profile.draft)
        if profile.draft.photo_upload_id is not None:
            await self.remove(owner_id, profile.draft.photo_upload_id)
        await self.activate(owner_id, int(pending))
        draft = step.rule.set(profile.draft, int(pending))
        return await self.wizard.advance(owner_id, conversation, profile, step, draft)

    # --- the wizard's document steps ----------------------------------------------------------------------------

    async def step_scan(
        self, owner_id: int, conversation: Conversation, data: bytes, sent: TelegramFile
    ) -> tuple[Received, Screen | None]:
        """A scan for the current document step; the step again, with it listed (None when refused)."""
        profile = await self.wizard.profile(owner_id, conversation)
        step = await self.wizard.step(conversation)
        if profile is None or step is None:
            return Received(None), None
        limit = self.wizard.policy.documents.max_files_per_step
        if await self._on_step(profile, step.key) >= limit:  # files of an album may arrive past the limit
            return Received(None, full=limit), None
        received = await self.scan(owner_id, profile.id, step.key.removeprefix("doc_"), data, sent,
                                   refuse_duplicate=lambda _earlier: True)
        if received.upload is None:
            return received, None
        draft = await self.files_changed(profile, step.key)
        return received, await self.wizard.show(owner_id, conversation, step, draft)

    async def _on_step(self, profile: Profile, step_key: str) -> int:
        return len(await self.uploads.list_for(profile.id, step_key.removeprefix("doc_")))

    async def step_full(self, owner_id: int, conversation: Conversation) -> int | None:
        """Before a file for the current document step is even downloaded: the policy's limit when the step
        already holds that many files; None when there is room (or no step to put it in)."""
        profile = await self.wizard.profile(owner_id, conversation)
        step = await self.wizard.step(conversation)
        if profile is None or step is None:
            return None
        limit = self.wizard.policy.documents.max_files_per_step
        return limit if await self._on_step(profile, step.key) >= limit else None

    async def remove_from_step(
        self, owner_id: int, conversation: Conversation, step_key: str, upload_id: int
    ) -> Screen | None:
        found = await self.wizard.at(owner_id, conversation, step_key)
        if found is None:
            return None
        profile, step = found
        await self.remove(owner_id, upload_id)
        return await self.wizard.show(owner_id, conversation, step, await self.files_changed(profile, step.key))

    async def step_done(self, owner_id: int, conversation: Conversation, step_key: str) -> bool | None:
        """'Done' on a document step: True, and the legibility question comes next; False: nothing sent
        yet; None: a stale button."""
        found = await self.wizard.at(owner_id, conversation, step_key)
        if found is None:
            return None
        profile, step = found
        if not await self.uploads.list_for(profile.id, step.key.removeprefix("doc_")):
            return False
        await conversation.set_state(Apply.doc_confirm)
        await conversation.update_data(confirm_step=step.key)
        return True

    async def confirm_legible(self, owner_id: int, conversation: Conversation, legible: bool) -> Screen | None:
        profile = await self.wizard.profile(owner_id, conversation)
        step = STEP_BY_KEY.get(str((await conversation.get_data()).get("confirm_step")))
        if profile is None or step is None:
            return None
        if not legible:
            return await self.wizard.show(owner_id, conversation, step, profile.draft)
        return await self.wizard.advance(owner_id, conversation, profile, step, step.rule.set(profile.draft, True))
