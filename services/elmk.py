"""'Add my ELMK': a holder adds the official ELMK they already have (formed by a Centre for Hygiene and
Epidemiology, shown on Gosuslugi): its number, its issue date, the valid-until date of its latest exam, then
its PDF or a photo of its QR through the one upload path. The bot calls no registry: what the holder says is
kept 'reported by the holder' until staff confirm it on the one staff message of this ELMK.

Each step is one unit of work: the answers live in the conversation's data until the file arrives; then the
row, the staff message's outbox row and the audit row commit together. Confirmation pushes the holder.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from domain.book import parse_elmk_number
from domain.clock import Clock
from domain.issues import Issue
from domain.person import parse_date
from fsm.states import BookFlow
from services.conversation import Conversation
from services.outbox import Pushes
from services.staff import StoredFile
from services.uploads import Received, TelegramFile, UploadService
from storage.applications import ApplicationRepository
from storage.db import transaction
from storage.elmk import AddedElmk, ElmkRepository
from storage.files import FileStore, UploadRepository

UPLOAD_KIND = "elmk"

# The questions in order; 'Back' goes one up, from the first back out of the flow.
ORDER = [BookFlow.elmk_number, BookFlow.elmk_issued, BookFlow.elmk_until, BookFlow.elmk_file]


@dataclass(frozen=True, slots=True)
class Refusal:
    """An answer that cannot be taken: a code the view explains (number, future, before_issue) or date issues."""

    code: str = ""
    issues: tuple[Issue, ...] = ()


class ElmkService:
    def __init__(
        self, engine: Any, elmk: ElmkRepository, uploads: UploadService, upload_rows: UploadRepository,
        files: FileStore, pushes: Pushes, audit: ApplicationRepository, clock: Clock, tz: ZoneInfo,
    ) -> None:
        self.engine, self.elmk, self.uploads, self.upload_rows, self.files = engine, elmk, uploads, upload_rows, files
        self.pushes, self.audit, self.clock, self.tz = pushes, audit, clock, tz
        self.replan: Callable[[int], Awaitable[Any]] | None = None  # services/reminders.py, set at composition

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    async def begin(self, conversation: Conversation) -> None:
        await conversation.set_state(BookFlow.elmk_number)
        await conversation.set_data({})

    async def answer_number(self, conversation: Conversation, text: str) -> Refusal | None:
        number = parse_elmk_number(text)
        if number is None:
            return Refusal("number")
        await conversation.update_data(number=number)
        await conversation.set_state(BookFlow.elmk_issued)
        return None

    async def answer_issued(self, conversation: Conversation, text: str) -> Refusal | None:
        parsed = parse_date(text)
        if parsed.value is None:
            return Refusal(issues=parsed.errors)
        if parsed.value > self.today():
            return Refusal("future")
        await conversation.update_data(issued_on=parsed.value.isoformat())
        await conversation.set_state(BookFlow.elmk_until)
        return None

    async def answer_until(self, conversation: Conversation, text: str) -> Refusal | None:
        parsed = parse_date(text)
        if parsed.value is None:
            return Refusal(issues=parsed.errors)
        issued = (await conversation.get_data()).get("issued_on")
        if issued is None or parsed.value <= date.fromisoformat(issued):
            return Refusal("before_issue")
        await conversation.update_data(valid_until=parsed.value.isoformat())
        await conversation.set_state(BookFlow.elmk_file)
        return None

    async def receive(
        self, owner_id: int, conversation: Conversation, data: bytes, sent: TelegramFile
    ) -> tuple[Received, AddedElmk | None]:
        """The PDF or the QR photo, checked and stored encrypted through the one upload path; then the ELMK is
        saved 'reported by the holder', staff get its message, audited."""
        answers = await conversation.get_data()
        if not {"number", "issued_on", "valid_until"} <= set(answers):
            return Received(None), None
        received = await self.uploads.scan(owner_id, None, UPLOAD_KIND, data, sent, qr_is_enough=True)
        if received.upload is None:
            return received, None
        async with transaction(self.engine):
            added = await self.elmk.add(
                owner_id=owner_id, number=str(answers["number"]), upload_id=received.upload.id,
                issued_on=date.fromisoformat(answers["issued_on"]),
                valid_until=date.fromisoformat(answers["valid_until"]))
            await self.pushes.elmk_added(added.id)
            await self.audit.audit(actor_id=owner_id, action="elmk.added", application_id=None, elmk=added.id)
            if self.replan is not None:  # its term is reminded of like a book's
                await self.replan(owner_id)
            await conversation.set_state(None)
            await conversation.set_data({})
        return received, added

    async def back(self, conversation: Conversation) -> str | None:
        """One question back: the state asked now, or None (out of the flow)."""
        state = await conversation.get_state()
        at = next((n for n, s in enumerate(ORDER) if s.state == state), 0)
        if at == 0:
            await conversation.set_state(None)
            return None
        await conversation.set_state(ORDER[at - 1])
        return str(ORDER[at - 1].state)

    async def leave(self, conversation: Conversation) -> None:
        await conversation.set_state(None)
        await conversation.set_data({})

    async def list_for(self, owner_id: int) -> list[AddedElmk]:
        return await self.elmk.list_for(owner_id)

    async def get(self, elmk_id: int) -> AddedElmk | None:
        return await self.elmk.get(elmk_id)

    # --- staff -------------------------------------------------------------------------------------------------

    async def view_file(self, who_id: int, who_name: str, elmk_id: int) -> StoredFile | None:
        """'File': the ELMK's PDF or QR photo for a staff member, audited as a view."""
        added = await self.elmk.get(elmk_id)
        upload = await self.upload_rows.get(added.upload_id) if added and added.upload_id is not None else None
        if upload is None:
            return None
        await self.audit.audit(actor_id=who_id, action="staff.elmk_file", application_id=None, by=who_name,
                               elmk=elmk_id)
        return StoredFile(upload, await self.files.get(upload.storage_name))

    async def confirm(self, who_id: int, who_name: str, elmk_id: int, version: int) -> AddedElmk | None:
        """'Confirm': no longer 'reported by the holder'; the holder is pushed. None when someone decided first."""
        async with transaction(self.engine):
            done = await self.elmk.confirm(elmk_id, seen_version=version, by_id=who_id, by_name=who_name)
            if done is None:
                return None
            await self.pushes.elmk_confirmed(done.owner_id, done.id)
            await self.audit.audit(actor_id=who_id, action="staff.elmk_confirm", application_id=None, by=who_name,
                                   elmk=done.id)
        return done

    async def refuse(self, user_id: int, elmk_id: int) -> None:
        await self.audit.audit(actor_id=user_id, action="staff.refused", application_id=None, elmk=elmk_id)
