"""Sharing a book with an employer: the holder makes, lists and revokes links in the chat; the employer opens
the page and confirms receipt with their INN/OGRN.

The holder's answers (book, employer, name, level) live in the conversation's data until the lifetime is
chosen; then the share row and its audit row commit together. The page's open is recorded (event, first-open
state) as it is served; the confirmation checks the INN/OGRN, marks the share «delivered», records the event,
the audit row and the holder's push in one transaction. Nothing here calls Telegram or knows HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from domain.book import Book, BookCheck, BookStatus
from domain.clock import Clock
from domain.issues import Issue
from domain.sharing import (
    LIFETIMES_DAYS,
    ShareLevel,
    ShareState,
    check_employer_id,
    clean_employer_name,
    expires_at,
    is_live,
    looks_like_token,
    new_token,
    same_employer,
    share_state,
    token_hash,
)
from fsm.states import ShareFlow
from services.book import BookService
from services.conversation import Conversation
from services.outbox import Pushes
from storage.applications import ApplicationRepository
from storage.db import transaction
from storage.shares import ShareRepository, StoredShare

__all__ = ["ConfirmOutcome", "Confirmation", "CreatedShare", "ShareLine", "SharePage", "SharingService"]


@dataclass(frozen=True, slots=True)
class ShareLine:
    """One share as the holder's list shows it: the state computed now, the book's number."""

    share: StoredShare
    state: ShareState
    book_number: str


@dataclass(frozen=True, slots=True)
class CreatedShare:
    line: ShareLine
    url: str  # the only time the token is seen: it is in this link and nowhere in the database
    book: Book


@dataclass(frozen=True, slots=True)
class SharePage:
    """What the employer's page shows: the share (its level), the book's live check, the photo (full level)."""

    share: StoredShare
    check: BookCheck
    photo: bytes | None
    today: date

    @property
    def delivered(self) -> bool:
        return self.share.state is ShareState.DELIVERED


class ConfirmOutcome(StrEnum):
    DONE = "done"
    INVALID = "invalid"  # not a valid INN/OGRN
    MISMATCH = "mismatch"  # valid, but not the one the holder named
    GONE = "gone"  # unknown, revoked or expired


@dataclass(frozen=True, slots=True)
class Confirmation:
    outcome: ConfirmOutcome
    issues: tuple[Issue, ...] = ()


class SharingService:
    def __init__(
        self, engine: Any, shares: ShareRepository, book: BookService, pushes: Pushes, audit: ApplicationRepository,
        clock: Clock, tz: ZoneInfo, *, public_base_url: str,
    ) -> None:
        self.engine, self.shares, self.book, self.pushes, self.audit = engine, shares, book, pushes, audit
        self.clock, self.tz = clock, tz
        self.public_base_url = public_base_url.rstrip("/")

    def url(self, token: str) -> str:
        return f"{self.public_base_url}/s/{token}"

    # --- the holder, in the chat ---------------------------------------------------------------------------

    async def begin(self, conversation: Conversation, owner_id: int, book_id: int) -> str | None:
        """'Share' on a book's card: None and the first question, or why not ('gone', 'revoked', 'superseded')."""
        opened = await self.book.open(owner_id, book_id)
        if opened is None:
            return "gone"
        if opened.book.status is not BookStatus.VALID:  # revoked, or replaced by a renewal
            return opened.book.status.value
        await conversation.set_state(ShareFlow.employer)
        await conversation.set_data({"share_book": opened.id})
        return None

    async def answer_employer(self, conversation: Conversation, text: str) -> tuple[Issue, ...]:
        """The employer's INN or OGRN: its errors, or none and the next question."""
        checked = check_employer_id(text)
        if checked.value is None:
            return checked.errors
        await conversation.update_data(employer_id=checked.value)
        await conversation.set_state(ShareFlow.name)
        return ()

    async def answer_name(self, conversation: Conversation, text: str | None) -> None:
        """The employer's name, or None for 'Skip'."""
        await conversation.update_data(employer_name=clean_employer_name(text) if text else None)
        await conversation.set_state(ShareFlow.level)

    async def choose_level(self, conversation: Conversation, level: str) -> bool:
        if level not in set(ShareLevel):
            return False
        await conversation.update_data(level=level)
        await conversation.set_state(ShareFlow.lifetime)
        return True

    async def create(self, conversation: Conversation, owner_id: int, days: int) -> CreatedShare | None:
        """The last answer: the share is made and the conversation left, in one unit of work. None when the
        answers are incomplete or the book is no longer the holder's."""
        answers = await conversation.get_data()
        if days not in LIFETIMES_DAYS or not {"share_book", "employer_id", "level"} <= set(answers):
            return None
        opened = await self.book.open(owner_id, int(answers["share_book"]))
        if opened is None or opened.book.status is not BookStatus.VALID:
            return None
        token = new_token()
        async with transaction(self.engine):
            stored = await self.shares.add(
                owner_id=owner_id, book_id=opened.id, token_hash=token_hash(token),
                employer_id=str(answers["employer_id"]), employer_name=answers.get("employer_name"),
                level=ShareLevel(answers["level"]), expires_at=expires_at(self.clock.now(), days),
            )
            await self.audit.audit(actor_id=owner_id, action="share.create", application_id=None, share=stored.id,
                                   level=stored.level.value, days=days)
            await conversation.set_state(None)
            await conversation.set_data({})
        return CreatedShare(ShareLine(stored, stored.state, opened.book.number), self.url(token), opened.book)

    async def leave(self, conversation: Conversation) -> None:
        await conversation.set_state(None)
        await conversation.set_data({})

    async def _line(self, share: StoredShare) -> ShareLine:
        stored = await self.book.books.get(share.book_id)
        return ShareLine(share, share_state(share.state, share.expires_at, self.clock.now()),
                         stored.number if stored is not None else "—")

    async def list_for(self, owner_id: int) -> list[ShareLine]:
        """'My links': every share of the holder, newest first, with its state now."""
        return [await self._line(s) for s in await self.shares.list_for(owner_id)]

    async def line(self, share_id: int, owner_id: int | None = None) -> ShareLine | None:
        """One share (the holder's own when `owner_id` is given)."""
        share = await self.shares.get(share_id, owner_id)
        return await self._line(share) if share is not None else None

    async def revoke(self, owner_id: int, share_id: int) -> bool:
        """Revoke one of the holder's own shares; False when it is not theirs or was revoked already."""
        async with transaction(self.engine):
            done = await self.shares.revoke(share_id, owner_id)
            if done:
                await self.audit.audit(actor_id=owner_id, action="share.revoke", application_id=None, share=share_id)
        return done

    # --- the employer, on the page -------------------------------------------------------------------------

    async def _live(self, token: str) -> StoredShare | None:
        if not looks_like_token(token):
            return None
        share = await self.shares.by_hash(token_hash(token))
        if share is None or not is_live(share.state, share.expires_at, self.clock.now()):
            return None
        return share

    async def page(self, token: str, *, record: bool = True) -> SharePage | None:
        """The page of a link: None for an unknown, revoked or expired one (all three look the same).
        `record`: this is an open of the page (an event; the first open marks the share 'opened')."""
        share = await self._live(token)
        if share is None:
            return None
        stored = await self.book.books.get(share.book_id)
        if stored is None:
            return None
        check, photo_id = await self.book.check_by_check_id(stored.check_id)
        if record:
            await self.shares.opened(share)
        photo = await self.book.photo(photo_id) if share.level is ShareLevel.FULL else None
        return SharePage(share, check, photo, self.clock.now().astimezone(self.tz).date())

    async def confirm(self, token: str, typed: str) -> Confirmation:
        """The employer confirms receipt with their INN/OGRN: checked, compared with the one the holder named;
        then «delivered», the event, the audit row and the holder's push, together. Confirming again changes
        nothing and pushes nothing."""
        share = await self._live(token)
        if share is None:
            return Confirmation(ConfirmOutcome.GONE)
        checked = check_employer_id(typed)
        if checked.value is None:
            return Confirmation(ConfirmOutcome.INVALID, checked.errors)
        if not same_employer(share.employer_id, typed):
            return Confirmation(ConfirmOutcome.MISMATCH)
        if share.state is ShareState.DELIVERED:
            return Confirmation(ConfirmOutcome.DONE)
        async with transaction(self.engine):
            if not await self.shares.delivered(share):
                current = await self.shares.get(share.id)
                done = current is not None and current.state is ShareState.DELIVERED
                return Confirmation(ConfirmOutcome.DONE if done else ConfirmOutcome.GONE)
            await self.pushes.share_delivered(share.owner_id, share.id)
            await self.audit.audit(actor_id=None, action="share.confirm", application_id=None, share=share.id,
                                   level=share.level.value)
        return Confirmation(ConfirmOutcome.DONE)

