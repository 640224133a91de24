"""The person: their row (made on first contact), consent, language, and whether they blocked the bot;
and what the main menu offers them."""

from __future__ import annotations

from dataclasses import dataclass

from domain.consent import CONSENT_VERSION
from services.conversation import Conversation
from storage.applications import ApplicationRepository
from storage.bookings import BookingRepository
from storage.books import BookRepository
from storage.elmk import ElmkRepository
from storage.personal import PersonalData
from storage.profiles import ProfileRepository
from storage.users import User, UserRepository


@dataclass(frozen=True)
class Menu:
    """What the main menu shows: only entries that work for this person."""

    has_consent: bool
    entries: tuple[tuple[str, str], ...] = ()  # (Fluent key, menu item)


class AccountService:
    def __init__(
        self, users: UserRepository, profiles: ProfileRepository, applications: ApplicationRepository, *,
        operator_name: str, operator_contact: str, operator_address: str = "",
        bookings: BookingRepository | None = None, books: BookRepository | None = None,
        elmk: ElmkRepository | None = None, personal: PersonalData | None = None,
    ) -> None:
        self.elmk, self.personal = elmk, personal
        self.users, self.profiles, self.applications, self.books = users, profiles, applications, books
        self.bookings = bookings  # None: the operator has no clinics file, so no booking entries
        self.operator_name, self.operator_contact = operator_name, operator_contact
        self.operator_address = operator_address  # the three are required at start-up (bot.config.require_operator)

    async def person(self, telegram_id: int, *, wrote_privately: bool = False) -> User:
        """The person's row (made on first contact). `wrote_privately`: they wrote to the bot in private (a
        message or /start), which a person who blocked the bot cannot do: any «blocked» mark is lifted."""
        user = await self.users.get_or_create(telegram_id)
        if wrote_privately and user.blocked_at is not None:
            user = await self.users.set_blocked(telegram_id, False)
        return user

    async def stored(self, telegram_id: int) -> User | None:
        return await self.users.get(telegram_id)

    async def menu(self, user: User | None) -> Menu:
        has_consent = bool(user and user.has_consent)
        if user is None or not has_consent:
            # «My data» stays reachable after consent is withdrawn or declined: the erasure is offered there
            holds = user is not None and self.personal is not None and await self.personal.holds_any(user.telegram_id)
            return Menu(has_consent, (("btn-menu-mydata", "mydata"),) if holds else ())
        entries: list[tuple[str, str]] = []
        profiles = await self.profiles.list_for(user.telegram_id)
        drafts = [p for p in profiles if p.step != "summary"]
        entries.append(("btn-menu-continue" if drafts else "btn-menu-apply", "apply"))
        if any(p.draft.category is not None for p in profiles):  # the checklist depends on the work category
            entries.append(("btn-menu-exams", "exams"))
        if await self.applications.list_for(user.telegram_id):
            entries.append(("btn-my-applications", "mine"))
        if self.bookings is not None:
            entries.append(("btn-menu-book", "book"))
            if await self.bookings.of_owner(user.telegram_id):
                entries.append(("btn-menu-bookings", "bookings"))
        if (self.books is not None and await self.books.has_any(user.telegram_id)) or (
                self.elmk is not None and await self.elmk.list_for(user.telegram_id)):
            entries.append(("btn-my-book", "mybook"))
        if self.elmk is not None:
            entries.append(("btn-menu-add-elmk", "addelmk"))
        entries.append(("btn-check-book", "checkbook"))
        entries.append(("btn-menu-notify", "notify"))
        if self.personal is not None:
            entries.append(("btn-menu-mydata", "mydata"))
        return Menu(has_consent, tuple(entries))

    @staticmethod
    def consent_current(user: User) -> bool:
        return user.has_consent and user.consent_version == CONSENT_VERSION

    async def ask_consent(self, conversation: Conversation, state: object) -> None:
        await conversation.set_state(state)

    async def accept_consent(self, user: User, conversation: Conversation) -> User:
        user = await self.users.accept_consent(user.telegram_id, CONSENT_VERSION)
        await conversation.set_state(None)
        return user

    async def decline_consent(self, user: User, conversation: Conversation) -> User:
        user = await self.users.decline_consent(user.telegram_id)
        await conversation.set_state(None)
        return user

    async def set_locale(self, user: User, code: str) -> User:
        return await self.users.set_locale(user.telegram_id, code)

    async def blocked(self, telegram_id: int) -> None:
        await self.users.set_blocked(telegram_id, True)

    async def unblocked(self, telegram_id: int) -> bool:
        """The person came back; True when they had blocked the bot before."""
        known = await self.users.get(telegram_id)
        if known is None or known.blocked_at is not None:
            await self.users.set_blocked(telegram_id, False)
            return True
        return False
