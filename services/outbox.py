"""What the bot will say on its own, written as outbox rows in the caller's transaction.

A use case that changes something calls one of these inside its `transaction(...)`: the row (a kind and an
encrypted payload) commits with the change or not at all. Delivery — rendering in the recipient's language
and sending through the one Notifier — is bot/deliver.py's, at sweep time.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.clock import Clock
from storage.applications import Application
from storage.outbox import OutboxRepository, OutboxRow

PAYLOAD_CONTEXT = "outbox-payload"


class Pushes:
    def __init__(self, outbox: OutboxRepository, cipher: Any, clock: Clock, staff_targets: list[int]) -> None:
        self.outbox, self.cipher, self.clock = outbox, cipher, clock
        self.staff_targets = staff_targets  # the staff chat, or each staff member's private chat

    def payload(self, row: OutboxRow) -> dict[str, Any]:
        """The decrypted payload of a row (for delivery)."""
        text = self.cipher.decrypt(row.payload, context=PAYLOAD_CONTEXT, row=f"outbox:{row.dedup_key}")
        result: dict[str, Any] = json.loads(text)
        return result

    def _seal(self, key: str, payload: dict[str, Any]) -> str:
        return str(self.cipher.encrypt(json.dumps(payload), context=PAYLOAD_CONTEXT, row=f"outbox:{key}"))

    async def _enqueue(self, key: str, chat_id: int, user_id: int | None, kind: str, payload: dict[str, Any],
                       due_at: datetime | None = None) -> bool:
        return await self.outbox.enqueue(
            dedup_key=key, chat_id=chat_id, user_id=user_id, kind=kind,
            payload=self._seal(key, payload),
            due_at=due_at or self.clock.now(),
        )

    async def status_changed(self, app: Application, comment: str | None) -> None:
        await self._enqueue(f"status:{app.id}:{app.version}", app.owner_id, app.owner_id, "status",
                            {"app": app.id, "status": app.status.value, "comment": comment})

    async def book_issued(self, owner_id: int, book_id: int) -> None:
        """The holder gets the card of a new book."""
        await self._enqueue(f"book-issued:{book_id}", owner_id, owner_id, "book_issued", {"book": book_id})

    async def book_revoked(self, owner_id: int, book_id: int) -> None:
        """The holder learns that a book was revoked, and why."""
        await self._enqueue(f"book-revoked:{book_id}", owner_id, owner_id, "book_revoked", {"book": book_id})

    async def payment_confirmed(self, app: Application) -> None:
        await self._enqueue(f"paid:{app.id}", app.owner_id, app.owner_id, "payment_confirmed", {"app": app.id})

    async def new_application(self, app: Application) -> None:
        """Staff get the scans, then the card: two rows (due at once, delivered in this order), so a card
        that fails is retried alone and the scans are not posted again."""
        for chat_id in self.staff_targets:
            await self._enqueue(f"staff-album:{app.id}:{chat_id}", chat_id, None, "staff_album", {"app": app.id})
            await self._enqueue(f"staff-new:{app.id}:{chat_id}", chat_id, None, "staff_new",
                                {"app": app.id, "card": True})

    async def documents_sent(self, app: Application, upload_ids: list[int]) -> None:
        for chat_id in self.staff_targets:
            await self._enqueue(f"staff-docs:{app.id}:{app.version}:{chat_id}", chat_id, None, "staff_docs",
                                {"app": app.id, "uploads": upload_ids})

    async def exam_card(self, profile_id: int, stamp: str) -> None:
        """Staff's card of an applicant's exam results is drawn (first time) or redrawn (after a change)."""
        for chat_id in self.staff_targets:
            await self._enqueue(f"exam-card:{profile_id}:{stamp}:{chat_id}", chat_id, None, "exam_card",
                                {"profile": profile_id})

    async def exam_decided(self, owner_id: int, result_id: int, version: int) -> None:
        """The holder learns that staff confirmed or returned one exam result."""
        await self._enqueue(f"exam:{result_id}:{version}", owner_id, owner_id, "exam_decided", {"result": result_id})

    async def elmk_added(self, elmk_id: int) -> None:
        """Staff get one message per added ELMK, with 'File' and 'Confirm'."""
        for chat_id in self.staff_targets:
            await self._enqueue(f"elmk-added:{elmk_id}:{chat_id}", chat_id, None, "elmk_staff", {"elmk": elmk_id})

    async def elmk_confirmed(self, owner_id: int, elmk_id: int) -> None:
        """The holder learns that staff confirmed the ELMK they added."""
        await self._enqueue(f"elmk-confirmed:{elmk_id}", owner_id, owner_id, "elmk_confirmed", {"elmk": elmk_id})

    async def share_delivered(self, owner_id: int, share_id: int) -> None:
        """The holder learns at once that the employer confirmed receipt of a shared book."""
        await self._enqueue(f"share-delivered:{share_id}", owner_id, owner_id, "share_delivered", {"share": share_id})

    async def stuck(self, app: Application) -> int:
        """The citizen learns how to reach support and staff are reminded, once per stuck spell."""
        count = int(await self._enqueue(f"stuck:{app.id}:{app.version}:citizen", app.owner_id, app.owner_id,
                                        "stuck_citizen", {"app": app.id, "version": app.version}))
        for chat_id in self.staff_targets:
            await self._enqueue(f"stuck:{app.id}:{app.version}:{chat_id}", chat_id, None, "stuck_staff",
                                {"app": app.id})
        return count

    # --- reminders (services/reminders.py) ------------------------------------------------------------------

    async def replace_reminders(self, owner_id: int, planned: list[tuple[str, datetime, dict[str, Any]]]) -> int:
        """A holder's reminder plan (key, due at, payload) replaces their pending reminder rows."""
        rows = [{"dedup_key": key, "chat_id": owner_id, "payload": self._seal(key, payload), "due_at": due_at}
                for key, due_at, payload in planned]
        return await self.outbox.replace_pending(owner_id, "reminder", rows)

    async def error_alert(self, kind: str, ref: str, held: int) -> None:
        """Staff learn of an unexpected error: its kind and reference only (services/alerts.py limits them)."""
        for chat_id in self.staff_targets:
            await self._enqueue(f"error:{kind}:{ref}:{chat_id}", chat_id, None, "error_alert",
                                {"kind": kind, "ref": ref, "held": held})

    # --- bookings (services/booking.py) ---------------------------------------------------------------------

    @staticmethod
    def reminder_key(booking_id: int, kind: str) -> str:
        return f"booking:{booking_id}:{kind}"

    async def booking_reminder(self, booking_id: int, owner_id: int, kind: str, due_at: datetime) -> bool:
        """One reminder of a booking, keyed by (booking, kind): enqueued twice, it is still sent once."""
        return await self._enqueue(self.reminder_key(booking_id, kind), owner_id, owner_id, "booking_reminder",
                                   {"booking": booking_id, "kind": kind}, due_at)

    async def drop_booking_reminders(self, booking_id: int, kinds: list[str]) -> int:
        """The pending reminders of a booking that moved or was cancelled are never sent."""
        return await self.outbox.skip_pending([self.reminder_key(booking_id, k) for k in kinds], "BookingChanged")

    async def booking_misfit(self, booking_id: int, reason: str) -> None:
        """Staff learn once that a booking no longer fits the clinics file (it is not moved)."""
        for chat_id in self.staff_targets:
            await self._enqueue(f"booking-misfit:{booking_id}:{reason}:{chat_id}", chat_id, None, "booking_misfit",
                                {"booking": booking_id, "reason": reason})
