"""Reminders and the holder's notification settings.

A reminder is an outbox row of kind ``reminder`` (storage/outbox.py), computed when something changes the plan:
`replan(owner_id)` runs inside the transaction of that change (a book issued or revoked, an exam result
confirmed, an ELMK added, a setting changed) and replaces the holder's pending, not yet due reminder rows with
the new plan in that same transaction; a key already sent is never inserted again. Only books whose status is
``valid`` are planned for, so a revoked or superseded book's reminders drop out by themselves.

The sweeper claims due rows by the outbox's (status, due_at) index, so a sweep costs what is due, not how many
books exist. At delivery (bot/deliver.py) `hold` says whether a push may go now: switched off (skipped), in the
holder's quiet hours (deferred to their end), or yes; `still_planned` re-checks that a reminder's subject is
still valid (the belt to replan's braces, for a row that fell due before the change).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Protocol

from domain.book import Book, BookStatus, Entry
from domain.clock import Clock
from domain.policy import Policy
from domain.reminders import (
    NotificationSettings,
    PlannedReminder,
    QuietHours,
    ReminderKind,
    Term,
    book_terms,
    book_validity_end,
    is_quiet,
    keeps_quiet_hours,
    parse_quiet_hours,
    parse_zone,
    plan,
    settle,
)
from fsm.states import Notify
from services.conversation import Conversation
from services.outbox import Pushes
from storage.books import BookRepository
from storage.db import transaction
from storage.elmk import ElmkRepository
from storage.reminders import QUIET_OFF, NotificationSettingsRepository, StoredSettings
from storage.users import UserRepository

__all__ = ["Hold", "ReminderService"]

log = logging.getLogger("emk.reminders")

class BookSource(Protocol):
    """What the plan reads of the books (services/book.py: BookService)."""

    books: BookRepository

    async def books_of(self, owner_id: int) -> list[tuple[Any, Any]]: ...


class EntrySource(Protocol):
    """Exam results confirmed after a book was issued (services/exams.py: ExamService)."""

    async def confirmed_entries(self, owner_id: int, profile_id: int) -> list[Entry]: ...


@dataclass(frozen=True, slots=True)
class Hold:
    """What delivery does with a holder's push now: send, skip (kind switched off) or wait until `until`."""

    skip: bool = False
    until: datetime | None = None


class ReminderService:
    def __init__(
        self, engine: Any, settings: NotificationSettingsRepository, pushes: Pushes, policy: Policy, clock: Clock,
        default_zone: str, *, books: BookSource, entries: EntrySource | None = None,
        elmk: ElmkRepository | None = None, users: UserRepository | None = None,
    ) -> None:
        self.users = users  # reminders only for a person whose consent stands (not after a withdrawal or erasure)
        self.engine, self.repo, self.pushes, self.policy, self.clock = engine, settings, pushes, policy, clock
        self.default_zone, self.books, self.entries, self.elmk = default_zone, books, entries, elmk
        q = policy.reminders.quiet_hours
        self.default_quiet = QuietHours(_hour(q.start), _hour(q.end)) if q.start != q.end else None
        self.offsets = tuple(policy.reminders.validity_days_before)

    # --- settings ------------------------------------------------------------------------------------------

    async def stored(self, owner_id: int) -> StoredSettings:
        return await self.repo.get(owner_id)

    async def settings(self, owner_id: int) -> NotificationSettings:
        return (await self.repo.get(owner_id)).resolve(self.default_zone, self.default_quiet)

    async def _change(self, owner_id: int, **changes: Any) -> NotificationSettings:
        async with transaction(self.engine):
            current = await self.repo.get(owner_id)
            values = {"disabled": current.disabled, "quiet": current.quiet, "zone": current.zone, **changes}
            await self.repo.save(owner_id, StoredSettings(**values))
            await self.replan(owner_id)
        return await self.settings(owner_id)

    async def toggle(self, owner_id: int, kind: ReminderKind) -> NotificationSettings:
        """Switch one kind on or off, and replan."""
        disabled = set((await self.repo.get(owner_id)).disabled)
        disabled.symmetric_difference_update({kind})
        return await self._change(owner_id, disabled=frozenset(disabled))

    async def set_quiet(self, owner_id: int, quiet: QuietHours | None) -> NotificationSettings:
        """Quiet hours (None: none at all), and replan."""
        return await self._change(owner_id, quiet=QUIET_OFF if quiet is None else quiet)

    async def set_zone(self, owner_id: int, zone: str) -> NotificationSettings:
        """The holder's zone (checked by domain.reminders.parse_zone), and replan."""
        return await self._change(owner_id, zone=zone)

    async def choose_quiet(self, owner_id: int, value: str) -> NotificationSettings | None:
        """A preset button: "off" or "HH:MM-HH:MM"; None for a value that is neither (a forged button)."""
        if value == QUIET_OFF:
            return await self.set_quiet(owner_id, None)
        quiet = parse_quiet_hours(value)
        return await self.set_quiet(owner_id, quiet) if quiet is not None else None

    async def choose_zone(self, owner_id: int, value: str) -> NotificationSettings | None:
        zone = parse_zone(value)
        return await self.set_zone(owner_id, zone) if zone is not None else None

    # --- typed values -----------------------------------------------------------------------------------------

    async def ask(self, conversation: Conversation, what: str) -> None:
        """Wait for typed quiet hours (`what` = "quiet") or a typed zone ("zone")."""
        await conversation.set_state(Notify.quiet if what == "quiet" else Notify.zone)

    async def leave(self, conversation: Conversation) -> None:
        await conversation.set_state(None)

    async def answer(self, owner_id: int, conversation: Conversation, text: str) -> NotificationSettings | None:
        """Typed quiet hours («22:00–08:00») or zone (an IANA name), as the state asks: saved and replanned;
        None if it is not two different times, or no such zone."""
        asked_quiet = await conversation.get_state() == Notify.quiet.state
        value = parse_quiet_hours(text) if asked_quiet else parse_zone(text)
        if value is None:
            return None
        await conversation.set_state(None)
        if isinstance(value, QuietHours):
            return await self.set_quiet(owner_id, value)
        return await self.set_zone(owner_id, value)

    # --- the plan ------------------------------------------------------------------------------------------

    async def terms(self, owner_id: int) -> list[Term]:
        """What runs out, for the holder's valid books and added ELMKs."""
        terms: list[Term] = []
        for stored, check in await self.books.books_of(owner_id):
            book: Book | None = check.book
            if book is None or stored.status != BookStatus.VALID.value or book.status is not BookStatus.VALID:
                continue
            later: list[Entry] = []
            if self.entries is not None and stored.profile_id is not None:
                later = await self.entries.confirmed_entries(owner_id, stored.profile_id)
            end = book_validity_end(book, self.policy.book.validity_months_adult,
                                    self.policy.book.validity_months_minor)
            terms += book_terms(f"book:{stored.id}", book, later, validity_end=end)
        if self.elmk is not None:
            for added in await self.elmk.list_for(owner_id):
                terms.append(Term(f"elmk:{added.id}", ReminderKind.EXAM, added.valid_until))
        return terms

    async def _consents(self, owner_id: int) -> bool:
        if self.users is None:
            return True
        user = await self.users.get(owner_id)
        return user is not None and user.has_consent

    async def planned(self, owner_id: int) -> list[PlannedReminder]:
        if not await self._consents(owner_id):
            return []
        return plan(await self.terms(owner_id), self.offsets, await self.settings(owner_id), self.clock.now())

    async def replan(self, owner_id: int) -> int:
        """Replace the holder's pending reminders with the current plan, in the caller's transaction (or its
        own). Returns how many rows were new."""
        async with transaction(self.engine):
            planned = await self.planned(owner_id)
            return await self.pushes.replace_reminders(owner_id, [_payload(p) for p in planned])

    # --- delivery ------------------------------------------------------------------------------------------

    async def hold(self, owner_id: int, kind: ReminderKind, now: datetime | None = None) -> Hold:
        settings = await self.settings(owner_id)
        if not settings.enabled(kind) or not await self._consents(owner_id):
            return Hold(skip=True)
        now = now or self.clock.now()
        if keeps_quiet_hours(kind) and is_quiet(now, settings):
            return Hold(until=settle(now, settings))
        return Hold()

    async def subject_number(self, owner_id: int, subject: str) -> str | None:
        """The number of a reminder's subject (a book or an added ELMK) while it still stands — the book
        valid (not revoked, not superseded), the ELMK not removed; None once it does not. A row planned before
        such a change and already due when it happened is skipped by this; replan removes the rest."""
        kind, _, ident = subject.partition(":")
        if kind == "book":
            found = await self.books.books.number_and_status(int(ident), owner_id)
            return found[0] if found is not None and found[1] == BookStatus.VALID.value else None
        if kind == "elmk" and self.elmk is not None:
            added = await self.elmk.get(int(ident))
            return added.number if added is not None and added.owner_id == owner_id else None
        return None


def _hour(value: int) -> time:
    return time(value, 0)


def _payload(p: PlannedReminder) -> tuple[str, datetime, dict[str, Any]]:
    return p.key, p.due_at, {
        "subject": p.subject, "kind": p.kind.value, "ends_on": p.ends_on.isoformat(), "offset": p.offset,
        "items": list(p.items), "buttons": [b.value for b in p.buttons],
    }
