"""Staff review: who may act, the status changes they make (through ApplicationService.change_status, so
the push and the audit row commit with the change), what they see on a card, the documents they look at,
the full data behind the masked identifiers, the queue, and the confirmation of a manual payment."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.applicant import Draft
from domain.book import BookStatus, Entry
from domain.status import STAFF_ACTIONS, Actor, ExamsOpen, IllegalTransition, Status, check_exams
from services.applications import ApplicationService
from services.book import BookService
from storage.applications import Application, ApplicationRepository, Conflict
from storage.db import transaction
from storage.files import FileStore, Upload, UploadRepository
from storage.payments import CONFIRMED, MANUAL, PaymentRepository, Receipt

REASON_TTL = timedelta(minutes=30)  # a reason prompt left unanswered this long expires
QUEUE_PAGE = 8  # applications per page of the staff queue


@dataclass(frozen=True)
class StoredFile:
    upload: Upload
    data: bytes


@dataclass(frozen=True, slots=True)
class Refused:
    """The status machine does not allow that change from the application's current status."""

    current: Application


@dataclass(frozen=True, slots=True)
class ExamsWaiting:
    """Approval waits: these required exam items are not confirmed yet."""

    current: Application
    open_items: tuple[str, ...]


class PaymentState(StrEnum):
    UPLOADED = "uploaded"  # a receipt paid by the operator's instructions, not checked yet
    CONFIRMED = "confirmed"  # staff checked it


@dataclass(frozen=True, slots=True)
class CardInfo:
    """What a staff card shows besides the application row."""

    summary: str  # HTML rendered at submission (people's values already escaped there)
    payment: PaymentState | None = None  # None: no manual receipt (exempt, paid in Telegram, or free)
    open_exams: tuple[str, ...] = ()  # required exam items not confirmed yet: approval waits for them
    book_number: str | None = None  # the book issued on this application, if any
    book_revoked: bool = False  # the book is no longer valid: revoked, or superseded by a renewal's book
    book_superseded_by: str | None = None  # the renewal's new book that replaced it
    renews_book: str | None = None  # «Renew»: the number of the book this application renews


@dataclass(frozen=True, slots=True)
class QueuePage:
    status: Status
    page: int
    pages: int
    apps: list[Application]


class StaffService:
    def __init__(
        self, applications: ApplicationService, repository: ApplicationRepository, uploads: UploadRepository,
        files: FileStore, payments: PaymentRepository, *, staff_ids: frozenset[int], locale: str,
        requestable: tuple[str, ...],
    ) -> None:
        self.service, self.applications, self.uploads, self.files = applications, repository, uploads, files
        self.payments, self.staff_ids, self.locale, self.requestable = payments, staff_ids, locale, requestable
        # The required exam items an application's approval waits for (services/exams.py), set by the factory.
        self.open_exams: Callable[[Application], Awaitable[list[str]]] | None = None
        # The book: the confirmed exam results as its entries (services/exams.py) and the book use case.
        self.book_entries: Callable[[Application], Awaitable[tuple[list[Entry], list[str]]]] | None = None
        self.book: BookService | None = None

    async def _open_exams(self, app: Application) -> list[str]:
        return [] if self.open_exams is None else await self.open_exams(app)

    def may_act(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.staff_ids

    def now(self) -> datetime:
        return self.service.clock.now()

    def expired(self, asked_at: str | None) -> bool:
        """A reason prompt asked at `asked_at` (ISO) is no longer answered."""
        return asked_at is None or self.now() - datetime.fromisoformat(asked_at) > REASON_TTL

    async def refuse(self, user_id: int, app_id: int) -> None:
        await self.applications.audit(actor_id=user_id, action="staff.refused", application_id=app_id)

    async def get(self, app_id: int) -> Application | None:
        return await self.applications.get(app_id)

    async def act(
        self, who_id: int, who_name: str, app_id: int, version: int, target: Status, comment: str | None = None,
        requested: tuple[str, ...] | None = None,
    ) -> Application | Conflict | Refused | ExamsWaiting:
        if target is Status.ISSUED:
            return await self._issue(who_id, who_name, app_id, version)
        if target is Status.APPROVED:
            current = await self.applications.get(app_id)
            try:
                check_exams(target, await self._open_exams(current) if current is not None else [])
            except ExamsOpen as waiting:
                assert current is not None
                await self.applications.audit(actor_id=who_id, action="staff.approve_waits", application_id=app_id,
                                              by=who_name, items=list(waiting.open_items))
                return ExamsWaiting(current, waiting.open_items)
        try:
            return await self.service.change_status(
                app_id, seen_version=version, target=target, actor=Actor.STAFF, actor_id=who_id, comment=comment,
                requested=requested, audit=f"staff.{STAFF_ACTIONS[target]}", by=who_name, to=target.value,
            )
        except IllegalTransition:  # a forged or replayed button: nothing was written
            current = await self.applications.get(app_id)
            assert current is not None
            return Refused(current)

    async def _issue(
        self, who_id: int, who_name: str, app_id: int, version: int
    ) -> Application | Conflict | Refused | ExamsWaiting:
        """'Issue the EMK': the book is signed with the confirmed exam results as its entries, the application
        becomes 'EMK issued', the holder gets the card (services/book.py, one transaction). It waits while a
        required item is not confirmed (or ran out since the approval)."""
        current = await self.applications.get(app_id)
        if current is None or self.book is None or self.book_entries is None:
            raise LookupError("no such application, or the book is not wired")
        if current.version != version:
            return Conflict(current, None)
        if current.status is not Status.APPROVED:
            return Refused(current)
        waiting = tuple(await self._open_exams(current))
        if waiting:
            return ExamsWaiting(current, waiting)
        entries, required = await self.book_entries(current)
        issued = await self.book.issue_for_application(app_id, entries, required, actor_id=who_id,
                                                       operator=who_name)
        now = await self.applications.get(app_id)
        assert now is not None
        if issued is None:
            return Refused(now)
        return issued if isinstance(issued, Conflict) else now

    async def revoke_book(self, who_id: int, who_name: str, app_id: int, reason: str) -> Application | None:
        """'Revoke the EMK' with a reason: None when the application has no valid book to revoke."""
        app = await self.applications.get(app_id)
        found = await self.book.of_application(app_id) if self.book is not None and app is not None else None
        if app is None or found is None or found[1].status is not BookStatus.VALID:
            return None
        assert self.book is not None
        await self.book.revoke(found[0], reason, actor_id=who_id, operator=who_name)
        return app

    async def last_actor(self, app_id: int) -> str | None:
        """Who made the latest staff change: for the one who pressed second."""
        return await self.applications.last_staff_actor(app_id)

    async def summary(self, app: Application, locale: str) -> str:
        """The application's summary as staff read it, rendered at submission in each language."""
        snapshot = await self.applications.snapshot(app.id)
        return str(snapshot.get("summary", {}).get(locale, ""))

    async def card_info(self, app: Application, locale: str) -> CardInfo:
        receipt = await self._manual_receipt(app)
        payment = None if receipt is None else PaymentState(receipt.status)
        found = await self.book.of_application(app.id) if self.book is not None else None
        renews = None
        if app.renews_book_id is not None and self.book is not None:
            stored = await self.book.books.get(app.renews_book_id, app.owner_id)
            renews = stored.number if stored is not None else None
        return CardInfo(await self.summary(app, locale), payment, tuple(await self._open_exams(app)),
                        book_number=found[1].number if found else None,
                        book_revoked=found is not None and found[1].status is not BookStatus.VALID,
                        book_superseded_by=found[1].superseded_by if found else None, renews_book=renews)

    async def _manual_receipt(self, app: Application) -> Receipt | None:
        """The receipt the citizen uploaded after paying by the operator's instructions, if that is how."""
        snapshot = await self.applications.snapshot(app.id)
        receipt_id = snapshot.get("draft", {}).get("payment_receipt_id")
        if receipt_id is None:
            return None
        receipt = await self.payments.get(int(receipt_id), app.owner_id)
        return receipt if receipt is not None and receipt.provider == MANUAL else None

    async def submitted_files(self, app: Application) -> list[StoredFile]:
        """The signed files, and the payment receipt (not signed, but staff check it with the documents)."""
        snapshot = await self.applications.snapshot(app.id)
        ids = [int(i) for i in snapshot.get("upload_ids", [])]
        receipt = await self._manual_receipt(app)
        if receipt is not None and receipt.upload_id is not None and receipt.upload_id not in ids:
            ids.append(receipt.upload_id)
        return await self.stored_files(ids)

    async def stored_files(self, upload_ids: list[int]) -> list[StoredFile]:
        found = [u for u in [await self.uploads.get(i) for i in upload_ids] if u is not None]
        return [StoredFile(u, await self.files.get(u.storage_name)) for u in found]

    async def view_documents(self, who_id: int, who_name: str, app: Application) -> list[StoredFile]:
        """A staff member asked to see the documents: audited as a view."""
        await self.applications.audit(actor_id=who_id, action="staff.view_documents", application_id=app.id,
                                      by=who_name)
        return await self.submitted_files(app)

    async def view_full_data(self, who_id: int, who_name: str, app: Application) -> Draft:
        """The data behind the masked identifiers, for comparing with the scans or calling the applicant:
        audited as a view (ids only in the audit row, never the data)."""
        await self.applications.audit(actor_id=who_id, action="staff.view_full_data", application_id=app.id,
                                      by=who_name)
        snapshot = await self.applications.snapshot(app.id)
        return Draft.model_validate(snapshot.get("draft", {}))

    async def confirm_payment(self, who_id: int, who_name: str, app: Application) -> bool:
        """Staff checked the manual receipt against the account: stored, audited and the citizen pushed in one
        transaction. False when there is nothing to confirm (no manual receipt, or confirmed already)."""
        receipt = await self._manual_receipt(app)
        if receipt is None or receipt.status == CONFIRMED:
            return False
        async with transaction(self.service.engine):
            if not await self.payments.confirm_manual(receipt.id):
                return False
            await self.service.pushes.payment_confirmed(app)
            await self.applications.audit(actor_id=who_id, action="staff.payment_confirmed", application_id=app.id,
                                          by=who_name, receipt=receipt.id)
        return True

    async def queue(self) -> dict[Status, int]:
        """How many applications are in each status: the staff menu."""
        return await self.applications.count_by_status()

    async def queue_page(self, status: Status, page: int) -> QueuePage:
        total = (await self.applications.count_by_status()).get(status, 0)
        pages = max(1, -(-total // QUEUE_PAGE))
        page = min(max(page, 0), pages - 1)
        apps = await self.applications.list_by_status(status, offset=page * QUEUE_PAGE, limit=QUEUE_PAGE)
        return QueuePage(status, page, pages, apps)

    async def documents_posted(self, app: Application, chat_id: int, files: list[StoredFile]) -> None:
        await self.applications.audit(actor_id=None, action="staff.documents_posted", application_id=app.id,
                                      chat_id=chat_id, uploads=[f.upload.id for f in files])

    async def card_posted(self, app: Application, chat_id: int, message_id: int) -> None:
        await self.applications.add_staff_card(app.id, chat_id, message_id)
