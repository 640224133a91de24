"""The book: issue it signed, revoke it re-signed, check it (by its check id, by its number), and its files.

Signing happens inside the issuing transaction (Ed25519 takes microseconds): the number is allocated, the
book's canonical form built and signed, and the row written in one unit of work. The check verifies the stored
signature against the operator's public key every time: a row altered in the database reports a bad
signature, never a valid book.

Exam results reach the book as :class:`domain.book.Entry` values: mapping the confirmed results of an
application onto entries belongs to the exams use case; `issue` takes the entries as given.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from domain.book import (
    Book,
    BookCheck,
    BookStatus,
    CheckOutcome,
    Entry,
    EntryFilter,
    book_canonical,
    check_book,
    entries_filtered,
    entry_institutions,
    format_book_number,
    parse_book_number,
    public_key_of,
    sign_canonical,
)
from domain.clock import Clock
from domain.qr import check_id_from_url
from domain.status import STAFF_ACTIONS, Actor, Status
from services.applications import ApplicationService
from services.outbox import Pushes
from storage.applications import Application, Conflict
from storage.books import BookRepository, StoredBook
from storage.db import transaction
from storage.files import FileStore, UploadRepository

__all__ = ["BookService", "EntryList", "Holder", "IssuedBook", "OpenBook"]

class QrReader(Protocol):
    """The media worker (bot/media.py): reads a QR code in another process, under a time budget."""

    async def qr(self, data: bytes, *, owner: int | None = None) -> str | None: ...


Replan = Callable[[int], Awaitable[Any]]
"""Recompute a holder's reminders inside the caller's transaction (services/reminders.py)."""

CHECK_ID_BYTES = 16  # 128 random bits: the check page's URL cannot be guessed and says nothing of the person


@dataclass(frozen=True, slots=True)
class Holder:
    owner_id: int
    profile_id: int | None
    surname: str
    name: str
    patronymic: str | None
    birth_date: date
    photo_upload_id: int | None = None


@dataclass(frozen=True, slots=True)
class IssuedBook:
    id: int
    book: Book
    photo_upload_id: int | None


@dataclass(frozen=True, slots=True)
class OpenBook:
    """One of a holder's books, verified, with what its card and files need."""

    id: int
    check: BookCheck
    photo: bytes | None
    check_url: str

    @property
    def book(self) -> Book:
        assert self.check.book is not None
        return self.check.book


@dataclass(frozen=True, slots=True)
class EntryList:
    """'Entries' of one book: the entries the filter lets through, and what the filters offer."""

    book_id: int
    book: Book
    chosen: EntryFilter
    entries: list[Entry]
    institutions: list[str]


class BookService:
    def __init__(
        self, engine: Any, books: BookRepository, uploads: UploadRepository, files: FileStore, clock: Clock,
        tz: ZoneInfo, *, pushes: Pushes, applications: ApplicationService, signing_key: bytes, issuer: str,
        public_base_url: str, qr: QrReader | None = None,
    ) -> None:
        self.engine = engine
        self.qr = qr
        self.applications = applications
        self.pushes = pushes
        self.books = books
        self.uploads = uploads
        self.files = files
        self.clock = clock
        self.tz = tz
        self._signing_key = signing_key
        self.public_key = public_key_of(signing_key)
        self.issuer = issuer
        self.public_base_url = public_base_url.rstrip("/")
        self.replan: Replan | None = None  # services/reminders.py, set by the composition root

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    def check_url(self, check_id: str) -> str:
        return f"{self.public_base_url}/b/{check_id}"

    async def issue(
        self, holder: Holder, entries: list[Entry], required: list[str], *, application_id: int | None = None,
        operator: str | None = None,
    ) -> IssuedBook:
        """Issue and sign a book for ``holder`` with ``entries``; ``required`` are the policy's item codes."""
        photo_sha256 = None
        if holder.photo_upload_id is not None:
            upload = await self.uploads.get(holder.photo_upload_id)
            photo_sha256 = upload.sha256 if upload is not None else None
        today = self.today()
        async with transaction(self.engine):
            seq = await self.books.next_seq(today.year)
            book = Book(
                number=format_book_number(today.year, seq), check_id=secrets.token_urlsafe(CHECK_ID_BYTES),
                surname=holder.surname, name=holder.name, patronymic=holder.patronymic,
                birth_date=holder.birth_date, photo_sha256=photo_sha256, issued_on=today, issuer=self.issuer,
                entries=tuple(entries), required=tuple(required), operator=operator,
            )
            canonical = book_canonical(book)
            book_id = await self.books.insert(
                number=book.number, year=today.year, seq=seq, check_id=book.check_id, owner_id=holder.owner_id,
                profile_id=holder.profile_id, application_id=application_id,
                photo_upload_id=holder.photo_upload_id, status=book.status, canonical=canonical,
                signature=sign_canonical(canonical, self._signing_key),
            )
            await self.pushes.book_issued(holder.owner_id, book_id)
            if self.replan is not None:  # the new book's reminders, in the issuing transaction
                await self.replan(holder.owner_id)
        return IssuedBook(book_id, book, holder.photo_upload_id)

    async def issue_for_application(
        self, app_id: int, entries: list[Entry], required: list[str], *, actor_id: int, operator: str | None = None,
    ) -> IssuedBook | Conflict | None:
        """Issue the book of an approved application: the holder and the photo from what the citizen signed,
        the entries as given (the confirmed exam results), the status 'EMK issued' with its push, the audit
        record and the card's push, all in one transaction. None: no such application, or not approved."""
        app = await self.applications.applications.get(app_id)
        if app is None or app.status is not Status.APPROVED:
            return None
        draft = (await self.applications.applications.snapshot(app_id)).get("draft", {})
        holder = Holder(
            owner_id=app.owner_id, profile_id=app.profile_id, surname=draft["surname"], name=draft["name"],
            patronymic=draft.get("patronymic"), birth_date=date.fromisoformat(draft["birth_date"]),
            photo_upload_id=draft.get("photo_upload_id"),
        )
        async with transaction(self.engine):
            moved = await self.applications.change_status(
                app_id, seen_version=app.version, target=Status.ISSUED, actor=Actor.STAFF, actor_id=actor_id,
                audit=f"staff.{STAFF_ACTIONS[Status.ISSUED]}", by=operator,
            )
            if isinstance(moved, Conflict):
                return moved
            issued = await self.issue(holder, entries, required, application_id=app_id, operator=operator)
            if app.renews_book_id is not None:
                await self._supersede(app, issued, actor_id=actor_id, operator=operator)
            return issued

    async def _supersede(self, app: Application, new: IssuedBook, *, actor_id: int, operator: str | None) -> None:
        """A renewal's new book is issued: the book it renews is re-signed as superseded by it (its check says
        so), the profile's renewal is over, and it is audited; inside the issuing transaction. Only a valid
        book of the same holder is superseded: anything else is left as it is."""
        assert app.renews_book_id is not None
        stored = await self.books.get(app.renews_book_id, app.owner_id)
        check = self._check(stored)
        if stored is not None and check.book is not None and check.book.status is BookStatus.VALID:
            old = check.book.superseded(new.book.number, self.today())
            canonical = book_canonical(old)
            await self.books.resign(stored.id, status=old.status, canonical=canonical,
                                    signature=sign_canonical(canonical, self._signing_key))
            await self.applications.applications.audit(
                actor_id=actor_id, action="staff.supersede_book", application_id=app.id, by=operator,
                book=stored.id, new_book=new.id)
            if self.replan is not None:  # the replaced book's reminders drop out; the new one's stay
                await self.replan(app.owner_id)
        profiles = self.applications.profiles
        profile = await profiles.get(app.profile_id, app.owner_id) if app.profile_id is not None else None
        if profile is not None and profile.draft.renews_book_id == app.renews_book_id:
            await profiles.save(profile, profile.draft.model_copy(update={"renews_book_id": None}), profile.step)

    async def revoke(
        self, book_id: int, reason: str, *, actor_id: int | None = None, operator: str | None = None
    ) -> Book | None:
        """Revoke a book: its content is re-signed with the status 'revoked' and the reason; the holder is
        pushed and (for a staff member's act) the audit row written, in the same transaction. A book revoked
        already is returned as it is, with nothing written."""
        async with transaction(self.engine):
            stored = await self.books.get(book_id)
            if stored is None:
                return None
            check = check_book(stored.canonical, stored.signature, self.public_key, self.today())
            if check.book is None:
                return None
            if check.book.status is BookStatus.REVOKED:
                return check.book
            book = check.book.revoked(reason, self.today())
            canonical = book_canonical(book)
            await self.books.resign(book_id, status=book.status, canonical=canonical,
                                    signature=sign_canonical(canonical, self._signing_key))
            await self.pushes.book_revoked(stored.owner_id, book_id)
            if self.replan is not None:  # a revoked book reminds of nothing
                await self.replan(stored.owner_id)
            if actor_id is not None:
                await self.applications.applications.audit(
                    actor_id=actor_id, action="staff.revoke_book", application_id=stored.application_id,
                    by=operator, book=book_id)
        return book

    async def of_application(self, app_id: int) -> tuple[int, Book] | None:
        """The newest verified book issued on an application (a revoked one included), with its id."""
        stored = await self.books.by_application(app_id)
        check = self._check(stored)
        return (stored.id, check.book) if stored is not None and check.book is not None else None

    def _check(self, stored: StoredBook | None) -> BookCheck:
        if stored is None:
            return BookCheck(CheckOutcome.NOT_FOUND)
        return check_book(stored.canonical, stored.signature, self.public_key, self.today())

    async def check_by_check_id(self, check_id: str) -> tuple[BookCheck, int | None]:
        """The check page's look-up: the verdict, and the photo's upload id for a verified book."""
        if not 16 <= len(check_id) <= 64:
            return BookCheck(CheckOutcome.NOT_FOUND), None
        stored = await self.books.by_check_id(check_id)
        check = self._check(stored)
        return check, (stored.photo_upload_id if stored is not None and check.book is not None else None)

    async def check_by_number(self, text: str) -> BookCheck:
        """'Check' with a typed number (any spelling :func:`parse_book_number` accepts)."""
        number = parse_book_number(text)
        return self._check(await self.books.by_number(number) if number else None)

    async def check_by_photo(self, data: bytes, owner_id: int) -> BookCheck | None:
        """'Check' with a photo of a card's QR code: None when no code of ours can be read in it."""
        text = await self.qr.qr(data, owner=owner_id) if self.qr is not None else None
        check_id = check_id_from_url(text, self.public_base_url) if text else None
        if check_id is None:
            return None
        check, _photo = await self.check_by_check_id(check_id)
        return check

    async def photo(self, upload_id: int | None) -> bytes | None:
        if upload_id is None:
            return None
        upload = await self.uploads.get(upload_id)
        if upload is None:
            return None
        try:
            return await self.files.get(upload.storage_name)
        except FileNotFoundError:
            return None

    async def books_in_order(self, owner_id: int) -> list[StoredBook]:
        """A holder's books as «My EMK» lists them: the valid ones first (so a renewal's new book comes before
        the book it superseded), then the rest; each group in the order issued."""
        owned = await self.books.list_for_owner(owner_id)
        return sorted(owned, key=lambda s: s.status != BookStatus.VALID)

    async def books_of(self, owner_id: int) -> list[tuple[StoredBook, BookCheck]]:
        """A holder's books (their own and their children's), each verified, valid ones first."""
        return [(s, self._check(s)) for s in await self.books_in_order(owner_id)]

    async def open(self, owner_id: int, book_id: int | None = None) -> OpenBook | None:
        """A holder's book (the given one, else their first), verified, with its photo; None if there is none
        they own or it does not verify."""
        if book_id is None:
            owned = await self.books_in_order(owner_id)
            stored = owned[0] if owned else None
        else:
            stored = await self.books.get(book_id, owner_id)
        if stored is None:
            return None
        check = self._check(stored)
        if check.book is None:
            return None
        return OpenBook(stored.id, check, await self.photo(stored.photo_upload_id), self.check_url(stored.check_id))

    async def own(self, owner_id: int, book_id: int) -> tuple[int | None, Book] | None:
        """A holder's book, verified, with the profile it was issued for; None if not theirs or not verified."""
        stored = await self.books.get(book_id, owner_id)
        book = self._check(stored).book
        return (stored.profile_id, book) if stored is not None and book is not None else None

    async def entry_list(self, owner_id: int, book_id: int, chosen: EntryFilter) -> EntryList | None:
        """A holder's book's entries through the filters (period, type, institution); None if not theirs."""
        stored = await self.books.get(book_id, owner_id)
        book = self._check(stored).book
        if stored is None or book is None:
            return None
        return EntryList(stored.id, book, chosen, entries_filtered(book.entries, chosen, self.today()),
                         entry_institutions(book.entries))
