"""The one sender for everything that is not a direct answer to an update: status pushes, reminders, staff
posts. It keeps under Telegram's limits, waits out flood control, retries transient failures a bounded number
of times, stops writing to people who blocked the bot, and never raises.

aiogram itself never retries a 429 or a 5xx (and a gateway's HTML 502 page arrives as ClientDecodeError), so
every call goes through :meth:`Notifier._call`, which classifies the outcome into a :class:`SendResult`:

* ``SENT``: Telegram accepted it (``result`` is what the method returned);
* ``BLOCKED``: the person blocked the bot (403), or is already known to have - Telegram is not asked; the user
  row is marked blocked; never retried;
* ``RETRY_LATER``: still transient after the in-place retries (5xx, network, undecodable answers, or a
  ``retry_after`` longer than the cap): the caller reschedules (``retry_after`` hints when);
* ``FAILED``: permanent (400 and the like): retrying would fail the same way.

Logs carry the method, the chat id and the error class only: never the text, never the exception message.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InputFile, Message

from bot.session import notifier_retries
from domain.clock import Clock
from storage.users import UserRepository

__all__ = ["Notifier", "RateLimiter", "SendResult", "SendStatus", "blocked_by_user"]

log = logging.getLogger("emk.notifier")

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[Any]]

# HTTP status behind each aiogram error, for `last_error` and logs ("TelegramBadRequest:400").
_CODES: dict[type[BaseException], str] = {
    TelegramBadRequest: "400",
    TelegramUnauthorizedError: "401",
    TelegramForbiddenError: "403",
    TelegramNotFound: "404",
    TelegramConflictError: "409",
    TelegramEntityTooLarge: "413",
    TelegramRetryAfter: "429",
    TelegramServerError: "5xx",
}


def error_code(exc: BaseException) -> str:
    """The error's class name and HTTP status, never its message (which may quote what was sent)."""
    for cls in type(exc).__mro__:
        if cls in _CODES:
            return f"{type(exc).__name__}:{_CODES[cls]}"
    return type(exc).__name__


# A 403 that means the person blocked the bot (or the account is gone). Others are not a block: "bot can't
# initiate conversation with a user" (they never started the bot, e.g. a staff member asking for documents
# in private), "bot was kicked from the group chat", "bot is not a member"...
_BLOCKED_BY_USER = ("bot was blocked by the user", "user is deactivated")


def blocked_by_user(exc: TelegramForbiddenError) -> bool:
    return any(reason in exc.message for reason in _BLOCKED_BY_USER)


class SendStatus(StrEnum):
    SENT = "sent"
    BLOCKED = "blocked"
    RETRY_LATER = "retry_later"
    FAILED = "failed"
    DEFERRED = "deferred"  # not tried: the recipient's quiet hours; due again at `not_before`


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    result: Any = None  # when SENT: the Message (list of Messages for an album; None for "not modified")
    error: str | None = None  # error class name and code, e.g. "TelegramBadRequest:400"
    retry_after: float | None = None  # when RETRY_LATER because of flood control: seconds Telegram asked for
    chat_id: int | None = None  # the chat it finally went to (differs after a group became a supergroup)
    not_before: datetime | None = None  # when DEFERRED: the moment it may go

    @property
    def ok(self) -> bool:
        return self.status is SendStatus.SENT

    @property
    def message(self) -> Message | None:
        return self.result if isinstance(self.result, Message) else None


# ------------------------------------------------------------------------------------------ rate limiting


@dataclass
class _ChatState:
    sent: deque[float]  # the chat's latest dispatch times, as many as its window allows (deque maxlen)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    not_before: float = float("-inf")  # flood control asked this chat to wait until then
    last: float = float("-inf")


class RateLimiter:
    """Global token bucket (GCRA: `rate` per second, bursts of `burst`) and a sliding window per chat:
    private chats one message per `per_chat_interval` seconds, groups (negative ids) `group_per_minute` per
    60 seconds.

    Fair and without polling: senders to one chat queue on that chat's asyncio.Lock (FIFO); a sender whose
    turn has come reserves its global slot synchronously (in arrival order) and sleeps exactly until it,
    once. `acquire` returns the planned dispatch time on the limiter's monotonic clock.
    """

    PRUNE_ABOVE = 2048

    def __init__(
        self,
        *,
        rate: float = 25.0,
        burst: int = 5,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1 or per_chat_interval < 0 or group_per_minute < 1:
            raise ValueError("rate limits must be positive")
        self._interval = 1.0 / rate
        self._tolerance = (burst - 1) * self._interval
        self._tat = float("-inf")  # theoretical arrival time of the next global send
        self._per_chat_interval = per_chat_interval
        self._group_per_minute = group_per_minute
        self._monotonic = monotonic
        self._sleep = sleep
        self._chats: dict[int, _ChatState] = {}

    def _window(self, chat_id: int) -> tuple[int, float]:
        if chat_id < 0:
            return self._group_per_minute, 60.0
        return 1, self._per_chat_interval

    def _state(self, chat_id: int) -> _ChatState:
        state = self._chats.get(chat_id)
        if state is None:
            if len(self._chats) >= self.PRUNE_ABOVE:
                self._prune()
            limit, _ = self._window(chat_id)
            state = self._chats[chat_id] = _ChatState(sent=deque(maxlen=limit))
        return state

    def _prune(self) -> None:
        now = self._monotonic()
        for chat_id, state in list(self._chats.items()):
            _, period = self._window(chat_id)
            if not state.lock.locked() and state.last + period < now and state.not_before < now:
                del self._chats[chat_id]

    def _reserve_global(self, at: float, cost: int) -> float:
        tat = max(self._tat, at)
        start = max(at, tat - self._tolerance)
        self._tat = tat + cost * self._interval
        return start

    def pause_chat(self, chat_id: int, seconds: float) -> None:
        """Telegram said "retry after": nothing goes to this chat for that long."""
        state = self._state(chat_id)
        state.not_before = max(state.not_before, self._monotonic() + seconds)

    @asynccontextmanager
    async def slot(self, chat_id: int, cost: int = 1) -> AsyncIterator[float]:
        """Wait for this chat's turn and hold it while the body runs (the request itself): messages to one chat
        leave in order, and each sees what the previous one learnt (e.g. that the person blocked the bot)."""
        state = self._state(chat_id)
        async with state.lock:
            yield await self._take(state, chat_id, cost)

    async def acquire(self, chat_id: int, cost: int = 1) -> float:
        """Wait for a slot and return its planned dispatch time (on the limiter's monotonic clock)."""
        async with self.slot(chat_id, cost) as at:
            return at

    async def _take(self, state: _ChatState, chat_id: int, cost: int) -> float:
        limit, period = self._window(chat_id)
        cost = max(1, min(cost, limit))
        now = self._monotonic()
        start = max(now, state.not_before, state.last)
        # at most `limit` sends in any `period`: the send `limit - cost` places back must have left it
        excess = len(state.sent) + cost - limit
        if excess > 0:
            start = max(start, state.sent[excess - 1] + period)
        if start > now:
            await self._sleep(start - now)
        # the slot on the global bucket is reserved only now, so one chat's wait never delays the others
        at = max(self._monotonic(), start)
        slot = self._reserve_global(at, cost)
        if slot > at:
            await self._sleep(slot - at)
        state.sent.extend([slot] * cost)
        state.last = slot
        return slot


# ------------------------------------------------------------------------------------------ the sender


class Notifier:
    def __init__(
        self,
        bot: Bot,
        users: UserRepository,
        *,
        clock: Clock,
        global_rate: float = 25.0,
        global_burst: int = 5,
        per_chat_interval: float = 1.0,
        group_per_minute: int = 20,
        max_retries: int = 3,
        max_retry_after: float = 60.0,
        backoff: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.bot = bot
        self.users = users
        self.clock = clock
        self.max_retries = max_retries
        self.max_retry_after = max_retry_after
        self.backoff = backoff
        self._sleep = sleep
        self.limiter = RateLimiter(
            rate=global_rate,
            burst=global_burst,
            per_chat_interval=per_chat_interval,
            group_per_minute=group_per_minute,
            monotonic=monotonic,
            sleep=sleep,
        )

    # ------------------------------------------------------------------ public methods

    async def send(
        self, chat_id: int, text: str, *, reply_markup: Any = None, user_id: int | None = None
    ) -> SendResult:
        """Send a text message. `user_id` (the person concerned) is not used here: the blocked check is about
        the private chat itself, whose id is its user's id, so a staff reminder that names a citizen is never
        held back by that citizen's block."""
        return await self._call(
            chat_id,
            lambda target: self.bot.send_message(chat_id=target, text=text, reply_markup=reply_markup),
            method="sendMessage",
        )

    async def send_photo(
        self, chat_id: int, photo: InputFile | str, *, caption: str | None = None, reply_markup: Any = None
    ) -> SendResult:
        return await self._call(
            chat_id,
            lambda target: self.bot.send_photo(chat_id=target, photo=photo, caption=caption, reply_markup=reply_markup),
            method="sendPhoto",
        )

    async def send_document(self, chat_id: int, document: InputFile | str) -> SendResult:
        return await self._call(
            chat_id, lambda target: self.bot.send_document(chat_id=target, document=document), method="sendDocument"
        )

    async def send_media_group(self, chat_id: int, media: Sequence[Any]) -> SendResult:
        """An album (2-10 InputMedia*); counts as that many messages for the limits. `result` is the list."""
        items = list(media)
        return await self._call(
            chat_id,
            lambda target: self.bot.send_media_group(chat_id=target, media=items),
            method="sendMediaGroup",
            cost=len(items),
        )

    async def edit_text(self, chat_id: int, message_id: int, text: str, reply_markup: Any = None) -> SendResult:
        """Edit a message's text; "message is not modified" counts as SENT (with result None)."""
        return await self._call(
            chat_id,
            lambda target: self.bot.edit_message_text(
                chat_id=target, message_id=message_id, text=text, reply_markup=reply_markup
            ),
            method="editMessageText",
            not_modified_ok=True,
        )

    # ------------------------------------------------------------------ the one path

    async def _call(
        self,
        chat_id: int,
        call: Callable[[int], Awaitable[Any]],
        *,
        method: str,
        cost: int = 1,
        not_modified_ok: bool = False,
    ) -> SendResult:
        try:
            return await self._attempt(chat_id, call, method=method, cost=cost, not_modified_ok=not_modified_ok)
        except Exception as exc:  # the sender never raises into a job; log where, not what
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("%s to chat %s failed unexpectedly: %s\n%s", method, chat_id, type(exc).__name__, frames)
            return SendResult(SendStatus.FAILED, error=type(exc).__name__, chat_id=chat_id)

    async def _attempt(
        self,
        chat_id: int,
        call: Callable[[int], Awaitable[Any]],
        *,
        method: str,
        cost: int,
        not_modified_ok: bool,
    ) -> SendResult:
        if await self._known_blocked(chat_id):
            return SendResult(SendStatus.BLOCKED, error="UserBlocked", chat_id=chat_id)
        target = chat_id
        retries = 0
        while True:
            try:
                async with self.limiter.slot(target, cost):
                    if await self._known_blocked(target):  # blocked while this one was queued
                        return SendResult(SendStatus.BLOCKED, error="UserBlocked", chat_id=target)
                    try:
                        with notifier_retries():  # this loop paces and retries; the session must not too
                            value = await call(target)
                    except TelegramForbiddenError as exc:
                        log.info("%s to chat %s: forbidden (%s)", method, target, error_code(exc))
                        if target > 0 and not blocked_by_user(exc):  # e.g. never started the bot: not a block
                            return SendResult(SendStatus.FAILED, error=error_code(exc), chat_id=target)
                        await self._mark_blocked(target)  # still holding the chat: the next one sees it
                        return SendResult(SendStatus.BLOCKED, error=error_code(exc), chat_id=target)
            except TelegramRetryAfter as exc:
                wait = float(exc.retry_after)
                self.limiter.pause_chat(target, wait)  # the retry (and anything else for this chat) waits
                if wait > self.max_retry_after or retries >= self.max_retries:
                    log.warning("%s to chat %s: flood control for %ss, later", method, target, exc.retry_after)
                    return SendResult(SendStatus.RETRY_LATER, error=error_code(exc), retry_after=wait, chat_id=target)
                log.info("%s to chat %s: flood control, waiting %ss", method, target, exc.retry_after)
                retries += 1
                continue
            except TelegramMigrateToChat as exc:
                if retries >= self.max_retries:
                    return self._failed(method, target, exc)
                log.warning("%s: chat %s became supergroup %s", method, target, exc.migrate_to_chat_id)
                target = exc.migrate_to_chat_id
                retries += 1
                continue
            except TelegramEntityTooLarge as exc:  # a TelegramNetworkError, yet permanent
                return self._failed(method, target, exc)
            except (TelegramServerError, TelegramNetworkError, ClientDecodeError) as exc:
                if retries >= self.max_retries:
                    log.warning("%s to chat %s: %s after %s retries, later", method, target, error_code(exc), retries)
                    return SendResult(SendStatus.RETRY_LATER, error=error_code(exc), chat_id=target)
                delay = self.backoff * 2**retries
                retries += 1
                log.info("%s to chat %s: %s, retry %s in %ss", method, target, error_code(exc), retries, delay)
                await self._sleep(delay)
                continue
            except TelegramBadRequest as exc:
                if not_modified_ok and "message is not modified" in exc.message:
                    return SendResult(SendStatus.SENT, result=None, chat_id=target)
                return self._failed(method, target, exc)
            except TelegramAPIError as exc:
                if type(exc) is TelegramAPIError:  # a status aiogram does not classify (e.g. 420): try later
                    log.warning("%s to chat %s: %s, later", method, target, error_code(exc))
                    return SendResult(SendStatus.RETRY_LATER, error=error_code(exc), chat_id=target)
                return self._failed(method, target, exc)
            return SendResult(SendStatus.SENT, result=value, chat_id=target)

    @staticmethod
    def _failed(method: str, chat_id: int, exc: BaseException) -> SendResult:
        log.warning("%s to chat %s failed: %s", method, chat_id, error_code(exc))
        return SendResult(SendStatus.FAILED, error=error_code(exc), chat_id=chat_id)

    # ------------------------------------------------------------------ blocked users

    async def _known_blocked(self, chat_id: int) -> bool:
        if chat_id <= 0:  # groups: the bot is a member or Telegram answers 403 itself
            return False
        user = await self.users.get(chat_id)
        return user is not None and user.blocked_at is not None

    async def _mark_blocked(self, chat_id: int) -> None:
        if chat_id <= 0:
            return
        try:
            await self.users.set_blocked(chat_id, True)
        except Exception as exc:
            log.error("could not mark user %s blocked: %s", chat_id, type(exc).__name__)
