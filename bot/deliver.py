"""Delivery of what the bot says on its own: the sweeper hands each due outbox row (written by a use case,
services/outbox.py) to `Deliveries.deliver`, which renders it in the recipient's language at that moment
and sends it through the one Notifier: status pushes to citizens, new applications and documents to staff
(albums and the staff card), reminders about stuck applications.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from aiogram import Bot, html
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto

from bot.i18n import Tr, Translator, document_label
from bot.keyboards import MenuCb, ReviewCb
from bot.notifier import Notifier, SendResult, SendStatus
from domain.clock import Clock
from domain.reminders import ReminderKind
from domain.status import AWAITING_ORGANISATION, Status
from services import Services
from services.staff import StoredFile
from storage.applications import Application
from storage.outbox import OutboxRow
from storage.users import UserRepository
from views import book as book_views
from views import booking as booking_views
from views import elmk as elmk_views
from views import exams as exam_views
from views import reminders as reminder_views
from views import sharing as sharing_views
from views import staff as staff_views
from views.book_files import card_png

log = logging.getLogger("emk.deliver")

# Pushes to a holder that their notification settings govern (status pushes are not here: always on, at once).
HELD_KINDS = {
    "booking_reminder": ReminderKind.APPOINTMENT,
    "stuck_citizen": ReminderKind.STUCK,
}  # validity reminders ("reminder" rows) carry their own kind: Deliveries._reminder


class Deliveries:
    def __init__(
        self, services: Services, users: UserRepository, translator: Translator, clock: Clock, *,
        staff_locale: str, stuck_after: timedelta, support_text: dict[str, str],
    ) -> None:
        self.services, self.users, self.translator, self.clock = services, users, translator, clock
        self.staff_locale, self.stuck_after, self.support_text = staff_locale, stuck_after, support_text
        self.notifier: Notifier | None = None

    def attach(self, bot: Bot, **limits: Any) -> None:
        """Called at start-up, when the bot exists: from now on rows can be delivered. `limits` tune the
        Notifier's rate limits (tests lift the one-message-a-second-per-chat pacing)."""
        self.notifier = Notifier(bot, self.users, clock=self.clock, **limits)

    async def deliver(self, row: OutboxRow) -> SendResult:
        if self.notifier is None:
            return SendResult(SendStatus.RETRY_LATER, error="NotStarted")
        payload = self.services.pushes.payload(row)
        held = await self._held(row)
        if held is not None:
            return held
        if row.kind == "reminder":
            return await self._reminder(row, payload)
        if row.kind == "book_issued":
            return await self._book_issued(row, int(payload["book"]))
        if row.kind == "book_revoked":
            return await self._book_revoked(row, int(payload["book"]))
        if row.kind in ("exam_card", "exam_decided"):
            return await self._exam(row, payload)
        if row.kind in ("elmk_staff", "elmk_confirmed"):
            return await self._elmk(row, int(payload["elmk"]))
        if row.kind == "share_delivered":
            return await self._share_delivered(row, int(payload["share"]))
        if row.kind.startswith("booking_"):
            return await self._booking(row, payload)
        if row.kind == "error_alert":
            return await self.notifier.send(row.chat_id, self._staff_tr()(
                "opkit-error-alert", kind=str(payload["kind"]), ref=str(payload["ref"]), held=int(payload["held"])))
        app = await self.services.staff.get(int(payload["app"]))
        if app is None:
            return SendResult(SendStatus.FAILED, error="UnknownApplication")
        match row.kind:
            case "status":
                return await self._status(row, app, payload)
            case "staff_album":
                album = await self._album(row.chat_id, await self.services.staff.submitted_files(app), app)
                return album if album is not None else SendResult(SendStatus.SENT, chat_id=row.chat_id)
            case "staff_new":  # the card; a row from before the album had its own row sends both
                return await self._staff_new(row, app, with_album=not payload.get("card"))
            case "staff_docs":
                return await self._staff_docs(row, app, [int(i) for i in payload["uploads"]])
            case "payment_confirmed":
                tr = await self._tr_for(app.owner_id)
                return await self.notifier.send(row.chat_id, tr("push-payment-confirmed", number=app.number),
                                                user_id=app.owner_id)
            case "stuck_citizen":
                version = payload.get("version", row.dedup_key.split(":")[2])
                if app.status not in AWAITING_ORGANISATION or app.version != int(version):
                    return SendResult(SendStatus.BLOCKED, error="NoLongerStuck")  # moved on while it waited
                tr = await self._tr_for(app.owner_id)
                return await self.notifier.send(row.chat_id, tr("push-stuck-citizen", number=app.number,
                                                                support=self._support(tr)), user_id=app.owner_id)
            case "stuck_staff":
                tr = self._staff_tr()
                hours = int(self.stuck_after.total_seconds() // 3600)
                return await self.notifier.send(row.chat_id, tr("staff-stuck", number=app.number, hours=hours,
                                                                status=tr(f"status-{app.status.value}")))
        return SendResult(SendStatus.FAILED, error="UnknownKind")

    async def _held(self, row: OutboxRow) -> SendResult | None:
        """A holder's reminder kind switched off (skipped) or their quiet hours now (deferred to their end, for
        the kinds that keep them: domain/reminders.py); None: go ahead. Status pushes and staff posts are
        never held."""
        kind = HELD_KINDS.get(row.kind)
        if kind is None or row.user_id is None or row.chat_id != row.user_id:
            return None
        hold = await self.services.reminders.hold(row.user_id, kind)
        if hold.skip:
            return SendResult(SendStatus.BLOCKED, error="SwitchedOff")
        if hold.until is not None:
            return SendResult(SendStatus.DEFERRED, not_before=hold.until)
        return None

    async def _reminder(self, row: OutboxRow, payload: dict[str, Any]) -> SendResult:
        """A validity reminder, in the holder's language, with the buttons of the flows that fix it."""
        assert self.notifier is not None and row.user_id is not None
        reminders = self.services.reminders
        hold = await reminders.hold(row.user_id, ReminderKind(payload["kind"]))
        number = None if hold.skip else await reminders.subject_number(row.user_id, str(payload["subject"]))
        if number is None:
            return SendResult(SendStatus.BLOCKED, error="NoLongerPlanned")  # switched off, revoked, superseded
        if hold.until is not None:
            return SendResult(SendStatus.DEFERRED, not_before=hold.until)
        tr = await self._tr_for(row.user_id)
        text, keyboard = reminder_views.reminder(tr, payload, number=number,
                                                 booking=self.services.accounts.bookings is not None)
        return await self.notifier.send(row.chat_id, text, reply_markup=keyboard, user_id=row.user_id)

    async def _book_issued(self, row: OutboxRow, book_id: int) -> SendResult:
        """The new book's card, with its buttons, and the words of the push as its caption."""
        assert self.notifier is not None and row.user_id is not None
        opened = await self.services.book.open(row.user_id, book_id)
        if opened is None:
            return SendResult(SendStatus.FAILED, error="UnknownBook")
        tr = await self._tr_for(row.user_id)
        png = await asyncio.to_thread(card_png, opened.book, opened.photo, opened.check_url, tr)
        caption = tr("push-book-issued", number=opened.book.number)
        return await self.notifier.send_photo(
            row.chat_id, BufferedInputFile(png, filename=f"{opened.book.number}.png"), caption=caption,
            reply_markup=book_views.card_keyboard(tr, opened, []),
        )
    async def _book_revoked(self, row: OutboxRow, book_id: int) -> SendResult:
        """The holder learns that a book was revoked, and the reason staff gave."""
        assert self.notifier is not None and row.user_id is not None
        opened = await self.services.book.open(row.user_id, book_id)
        if opened is None:
            return SendResult(SendStatus.FAILED, error="UnknownBook")
        tr = await self._tr_for(row.user_id)
        text = tr("push-book-revoked", number=opened.book.number,
                  reason=html.quote(opened.book.revoked_reason or "—"))
        return await self.notifier.send(row.chat_id, text, user_id=row.user_id)

    async def _exam(self, row: OutboxRow, payload: dict[str, Any]) -> SendResult:
        """Exam results: the holder's notice of a decision, or staff's one card per applicant (edited in place
        where it exists; posted, and remembered, where it does not)."""
        assert self.notifier is not None
        exams = self.services.exams
        if row.kind == "exam_decided":
            record = await exams.record(int(payload["result"]))
            if record is None:
                return SendResult(SendStatus.FAILED, error="UnknownExamResult")
            tr = await self._tr_for(record.owner_id)
            text, keyboard = exam_views.decided(tr, record)
            return await self.notifier.send(row.chat_id, text, user_id=record.owner_id, reply_markup=keyboard)
        profile_id = int(payload["profile"])
        card = await exams.staff_card(profile_id)
        if card is None:
            return SendResult(SendStatus.FAILED, error="UnknownProfile")
        text, keyboard = exam_views.staff_card(self._staff_tr(), card)
        message_id = (await exams.cards(profile_id)).get(row.chat_id)
        if message_id is not None:
            edited = await self.notifier.edit_text(row.chat_id, message_id, text, reply_markup=keyboard)
            if edited.ok or edited.status is SendStatus.RETRY_LATER:
                return edited
        result = await self.notifier.send(row.chat_id, text, reply_markup=keyboard)
        if result.ok and result.message is not None:
            await exams.card_posted(profile_id, result.chat_id or row.chat_id, result.message.message_id)
        return result

    async def _elmk(self, row: OutboxRow, elmk_id: int) -> SendResult:
        """An added ELMK: staff's message with 'File' / 'Confirm', or the holder's notice of confirmation."""
        assert self.notifier is not None
        added = await self.services.elmk.get(elmk_id)
        if added is None:
            return SendResult(SendStatus.FAILED, error="UnknownElmk")
        if row.kind == "elmk_staff":
            text, keyboard = elmk_views.staff_message(self._staff_tr(), added)
            return await self.notifier.send(row.chat_id, text, reply_markup=keyboard)
        tr = await self._tr_for(added.owner_id)
        return await self.notifier.send(row.chat_id, tr("push-elmk-confirmed", number=added.number),
                                        user_id=added.owner_id)

    async def _share_delivered(self, row: OutboxRow, share_id: int) -> SendResult:
        """The holder learns that the employer confirmed receipt of a shared book."""
        assert self.notifier is not None
        line = await self.services.sharing.line(share_id)
        if line is None:
            return SendResult(SendStatus.FAILED, error="UnknownShare")
        tr = await self._tr_for(line.share.owner_id)
        text, keyboard = sharing_views.delivered_push(tr, line, self.services.tz)
        return await self.notifier.send(row.chat_id, text, user_id=line.share.owner_id, reply_markup=keyboard)

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

    async def _album(self, chat_id: int, files: list[StoredFile], app: Application) -> SendResult | None:
        """Send the files as albums; audited as posted."""
        assert self.notifier is not None
        result: SendResult | None = None
        for chunk in staff_views.albums(files):
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
        await self.services.staff.documents_posted(app, chat_id, files)
        return result

    async def _staff_new(self, row: OutboxRow, app: Application, *, with_album: bool) -> SendResult:
        assert self.notifier is not None
        if with_album:
            album = await self._album(row.chat_id, await self.services.staff.submitted_files(app), app)
            if album is not None and not album.ok:
                return album
        tr = self._staff_tr()
        text, keyboard = staff_views.card(tr, app, await self.services.staff.card_info(app, tr.locale))
        result = await self.notifier.send(row.chat_id, text, reply_markup=keyboard)
        if result.ok and result.message is not None:
            await self.services.staff.card_posted(app, result.chat_id or row.chat_id, result.message.message_id)
        return result

    async def _staff_docs(self, row: OutboxRow, app: Application, upload_ids: list[int]) -> SendResult:
        assert self.notifier is not None
        tr = self._staff_tr()
        result = await self.notifier.send(row.chat_id, tr("staff-documents-arrived", number=app.number))
        if not result.ok:
            return result
        album = await self._album(row.chat_id, await self.services.staff.stored_files(upload_ids), app)
        # The card in this chat shows the application back 'in review', with the actions that allows.
        acted = staff_views.acted(tr, tr("staff-applicant"), app.status)
        text, keyboard = staff_views.card(tr, app, await self.services.staff.card_info(app, tr.locale), acted)
        for chat_id, message_id in app.staff_cards:
            if chat_id == row.chat_id:
                await self.notifier.edit_text(chat_id, message_id, text, reply_markup=keyboard)
        return album if album is not None else result

    async def _booking(self, row: OutboxRow, payload: dict[str, Any]) -> SendResult:
        """A booking's reminder to its holder (with 'Reschedule' / 'Cancel booking'), or a misfit notice to staff."""
        assert self.notifier is not None
        booking = await self.services.booking.get(int(payload["booking"]))
        if booking is None:
            return SendResult(SendStatus.FAILED, error="UnknownBooking")
        slot = self.services.booking.slot_of(booking)
        clinic = self.services.booking.clinic(booking.clinic_code)
        if row.kind == "booking_misfit":
            tr = self._staff_tr()
            name = clinic.name if clinic else booking.clinic_code
            return await self.notifier.send(row.chat_id, booking_views.misfit_text(tr, booking, name, slot,
                                                                                   str(payload["reason"])))
        if clinic is None or slot is None or not self.services.booking.still_due(booking):
            # Moved or cancelled rows are skipped in the same transaction; this is the belt to those braces.
            return SendResult(SendStatus.BLOCKED, error="BookingNoLongerDue")
        tr = await self._tr_for(booking.owner_id)
        text, keyboard = booking_views.reminder(tr, str(payload["kind"]), booking, clinic, slot, self.services.tz,
                                                 referral=self.services.booking.referral_required)
        return await self.notifier.send(row.chat_id, text, reply_markup=keyboard, user_id=booking.owner_id)
