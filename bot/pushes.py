"""Everything the bot says on its own: status pushes to citizens, new applications and notes to staff,
reminders about stuck applications. Each is an outbox row (kind + encrypted payload) written in the same
transaction as the change it reports; the sweeper delivers it through the one Notifier. Rendering happens
at delivery, in the recipient's language at that moment.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, html
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
)

from bot.i18n import Tr, Translator, document_label
from bot.keyboards import MenuCb, ReviewCb, StaffCb
from bot.notifier import Notifier, SendResult, SendStatus
from domain.clock import Clock
from domain.status import Actor, Status, allowed_targets
from storage.applications import Application, ApplicationRepository
from storage.files import FileStore, UploadRepository
from storage.outbox import OutboxRepository, OutboxRow
from storage.users import UserRepository

log = logging.getLogger("emk.pushes")
_PAYLOAD = "outbox-payload"
STAFF_ACTIONS = {
    Status.IN_REVIEW: "take",
    Status.APPROVED: "approve",
    Status.REJECTED: "reject",
    Status.NEEDS_DOCUMENTS: "request",
}


class Pushes:
    def __init__(
        self,
        *,
        outbox: OutboxRepository,
        applications: ApplicationRepository,
        uploads: UploadRepository,
        files: FileStore,
        users: UserRepository,
        translator: Translator,
        cipher: Any,
        clock: Clock,
        staff_chat_id: int | None,
        staff_ids: list[int],
        staff_locale: str,
        stuck_after: timedelta,
        support_text: dict[str, str],
    ) -> None:
        self.outbox, self.applications, self.uploads, self.files = outbox, applications, uploads, files
        self.users, self.translator, self.cipher, self.clock = users, translator, cipher, clock
        self.staff_targets = [staff_chat_id] if staff_chat_id else list(staff_ids)
        self.staff_locale = staff_locale
        self.stuck_after = stuck_after
        self.support_text = support_text
        self.notifier: Notifier | None = None

    def attach(self, bot: Bot, **limits: Any) -> None:
        """Called at start-up, when the bot exists: from now on rows can be delivered. `limits` tune the
        Notifier's rate limits (tests lift the one-message-a-second-per-chat pacing)."""
        self.notifier = Notifier(bot, self.users, clock=self.clock, **limits)

    # --- enqueueing (call inside the transaction of the change) -------------------------------------------

    async def _enqueue(self, key: str, chat_id: int, user_id: int | None, kind: str, payload: dict[str, Any],
                       due_at: datetime | None = None) -> bool:
        return await self.outbox.enqueue(
            dedup_key=key, chat_id=chat_id, user_id=user_id, kind=kind,
            payload=self.cipher.encrypt(json.dumps(payload), context=_PAYLOAD), due_at=due_at or self.clock.now(),
        )

    async def status_changed(self, app: Application, comment: str | None) -> None:
        await self._enqueue(f"status:{app.id}:{app.version}", app.owner_id, app.owner_id, "status",
                            {"app": app.id, "status": app.status.value, "comment": comment})

    async def new_application(self, app: Application) -> None:
        for chat_id in self.staff_targets:
            await self._enqueue(f"staff-new:{app.id}:{chat_id}", chat_id, None, "staff_new", {"app": app.id})

    async def documents_sent(self, app: Application, upload_ids: list[int]) -> None:
        for chat_id in self.staff_targets:
            await self._enqueue(f"staff-docs:{app.id}:{app.version}:{chat_id}", chat_id, None, "staff_docs",
                                {"app": app.id, "uploads": upload_ids})

    async def scan_stuck(self) -> int:
        """The periodic job: tell the citizen how to reach support and remind staff, once per stuck spell."""
        count = 0
        for app in await self.applications.stuck(self.clock.now() - self.stuck_after):
            count += await self._enqueue(f"stuck:{app.id}:{app.version}:citizen", app.owner_id, app.owner_id,
                                         "stuck_citizen", {"app": app.id})
            for chat_id in self.staff_targets:
                await self._enqueue(f"stuck:{app.id}:{app.version}:{chat_id}", chat_id, None, "stuck_staff",
                                    {"app": app.id})
        return count

    # --- delivery (the sweeper calls this) ---------------------------------------------------------------

    async def deliver(self, row: OutboxRow) -> SendResult:
        if self.notifier is None:
            return SendResult(SendStatus.RETRY_LATER, error="NotStarted")
        payload = json.loads(self.cipher.decrypt(row.payload, context=_PAYLOAD))
        app = await self.applications.get(int(payload["app"]))
        if app is None:
            return SendResult(SendStatus.FAILED, error="UnknownApplication")
        match row.kind:
            case "status":
                return await self._status(row, app, payload)
            case "staff_new":
                return await self._staff_new(row, app)
            case "staff_docs":
                return await self._staff_docs(row, app, [int(i) for i in payload["uploads"]])
            case "stuck_citizen":
                tr = await self._tr_for(app.owner_id)
                return await self.notifier.send(row.chat_id, tr("push-stuck-citizen", number=app.number,
                                                                support=self._support(tr)), user_id=app.owner_id)
            case "stuck_staff":
                tr = self._staff_tr()
                hours = int(self.stuck_after.total_seconds() // 3600)
                return await self.notifier.send(row.chat_id, tr("staff-stuck", number=app.number, hours=hours,
                                                                status=tr(f"status-{app.status.value}")))
        return SendResult(SendStatus.FAILED, error="UnknownKind")

    async def _tr_for(self, user_id: int) -> Tr:
        user = await self.users.get(user_id)
        return self.translator.bind(self.translator.resolve_locale(user.locale if user else None, None))

    def _staff_tr(self) -> Tr:
        return self.translator.bind(self.staff_locale)

    def _support(self, tr: Tr) -> str:
        return html.quote(self.support_text.get(tr.locale, ""))

    async def _status(self, row: OutboxRow, app: Application, payload: dict[str, Any]) -> SendResult:
        assert self.notifier is not None
        tr = await self._tr_for(app.owner_id)
        status = Status(payload["status"])
        text = tr("push-status", number=app.number, status=tr(f"status-{status.value}"))
        if payload.get("comment"):
            text += "\n" + tr("push-status-comment", comment=html.quote(payload["comment"]))
        if status is Status.NEEDS_DOCUMENTS:
            kinds = ", ".join(document_label(tr, k) for k in app.requested_documents)
            text += "\n" + tr("push-status-requested", documents=kinds)
            button = InlineKeyboardButton(text=tr("btn-upload-requested"),
                                          callback_data=ReviewCb(action="upload", app=app.id).pack())
        else:
            button = InlineKeyboardButton(text=tr("btn-my-applications"), callback_data=MenuCb(item="mine").pack())
        return await self.notifier.send(row.chat_id, text, user_id=app.owner_id,
                                        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))

    async def _album(self, chat_id: int, upload_ids: list[int], app: Application) -> SendResult | None:
        """Send the files as an album (photos as photos, the rest as documents); audited as a view."""
        assert self.notifier is not None
        items = [u for u in [await self.uploads.get(i) for i in upload_ids] if u is not None]
        photos: list[Any] = []
        docs: list[Any] = []
        for u in items:
            data = await self.files.get(u.storage_name)
            name = f"{u.kind}.{u.detected_type or 'bin'}"
            if u.detected_type == "jpeg" and u.kind == "photo":
                photos.append(InputMediaPhoto(media=BufferedInputFile(data, name)))
            else:
                docs.append(InputMediaDocument(media=BufferedInputFile(data, name)))
        result: SendResult | None = None
        for group in (photos, docs):
            for start in range(0, len(group), 10):  # Telegram takes 2..10 items per album
                chunk = group[start:start + 10]
                if len(chunk) == 1:
                    media = chunk[0]
                    if isinstance(media, InputMediaPhoto):
                        result = await self.notifier.send_photo(chat_id, media.media)
                    else:
                        result = await self.notifier.send_document(chat_id, media.media)
                else:
                    result = await self.notifier.send_media_group(chat_id, chunk)
                if not result.ok:
                    return result
        await self.applications.audit(actor_id=None, action="staff.documents_posted", application_id=app.id,
                                      chat_id=chat_id, uploads=[u.id for u in items])
        return result

    async def send_documents_to(self, chat_id: int, app: Application) -> SendResult | None:
        """A staff member asked to see the documents: they come to their private chat (the caller audits)."""
        snapshot = await self.applications.snapshot(app.id)
        return await self._album(chat_id, [int(i) for i in snapshot.get("upload_ids", [])], app)

    async def staff_card(self, app: Application, tr: Any, acted: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
        """The staff chat's message about an application: summary, status, who acted, the allowed actions."""
        snapshot = await self.applications.snapshot(app.id)
        lines = [html.bold(tr("staff-card-title", number=app.number)),
                 tr("staff-card-status", status=tr(f"status-{app.status.value}"))]
        if acted:
            lines.append(acted)
        lines.append("")
        lines.append(html.quote(snapshot.get("summary", {}).get(tr.locale, "")))
        rows = []
        for target in allowed_targets(app.status, Actor.STAFF):
            action = STAFF_ACTIONS.get(target)
            if action:
                rows.append(InlineKeyboardButton(
                    text=tr(f"btn-staff-{action}"),
                    callback_data=StaffCb(action=action, app=app.id, version=app.version).pack(),
                ))
        keyboard = [rows[i:i + 2] for i in range(0, len(rows), 2)]
        keyboard.append([InlineKeyboardButton(text=tr("btn-staff-documents"),
                                              callback_data=StaffCb(action="docs", app=app.id, version=0).pack())])
        return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=keyboard)

    async def _staff_new(self, row: OutboxRow, app: Application) -> SendResult:
        assert self.notifier is not None
        snapshot = await self.applications.snapshot(app.id)
        album = await self._album(row.chat_id, [int(i) for i in snapshot.get("upload_ids", [])], app)
        if album is not None and not album.ok:
            return album
        text, keyboard = await self.staff_card(app, self._staff_tr())
        result = await self.notifier.send(row.chat_id, text, reply_markup=keyboard)
        if result.ok and result.message is not None:
            await self.applications.add_staff_card(app.id, result.chat_id or row.chat_id, result.message.message_id)
        return result

    async def _staff_docs(self, row: OutboxRow, app: Application, upload_ids: list[int]) -> SendResult:
        assert self.notifier is not None
        tr = self._staff_tr()
        result = await self.notifier.send(row.chat_id, tr("staff-documents-arrived", number=app.number))
        if not result.ok:
            return result
        album = await self._album(row.chat_id, upload_ids, app)
        # The card in this chat shows the application back «В проверке», with the actions that allows.
        text, keyboard = await self.staff_card(app, tr, tr("staff-acted", who=tr("staff-applicant"),
                                                           status=tr(f"status-{app.status.value}")))
        for chat_id, message_id in app.staff_cards:
            if chat_id == row.chat_id:
                await self.notifier.edit_text(chat_id, message_id, text, reply_markup=keyboard)
        return album if album is not None else result
