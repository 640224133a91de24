"""The one sender against a fake Bot API over real HTTP: flood control, blocked users, transient and permanent
errors, rate limits (on a fake monotonic clock, so nothing waits for real), and it never raises."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BufferedInputFile, InputMediaPhoto, Message
from PIL import Image

from bot.notifier import Notifier, RateLimiter, SendStatus
from domain.clock import FixedClock
from storage.db import create_engine
from storage.migrate import migrate
from storage.users import UserRepository
from tests.fakes.botapi import FakeBotAPI

CHAT = 5550001
GROUP = -1001000000001
SECRET = "Иванов Иван, СНИЛС 112-233-445 95"  # must never reach a log


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps (or never, if frozen)."""

    def __init__(self, *, frozen: bool = False) -> None:
        self.now = 1000.0
        self.frozen = frozen
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if not self.frozen:
            self.now += seconds
        await asyncio.sleep(0)


def make_bot(base_url: str, token: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


@pytest.fixture
async def users(tmp_path: Path) -> AsyncIterator[UserRepository]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/t.db")
    await migrate(engine)
    try:
        yield UserRepository(engine, FixedClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC)))
    finally:
        await engine.dispose()


@pytest.fixture
async def bot(api: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = make_bot(api.base_url, api.token)
    try:
        yield bot
    finally:
        await bot.session.close()


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def notifier(bot: Bot, users: UserRepository, fake_time: FakeTime) -> Notifier:
    return Notifier(bot, users, clock=users.clock, sleep=fake_time.sleep, monotonic=fake_time.monotonic)


def delivered(api: FakeBotAPI, method: str = "sendMessage") -> int:
    return sum(1 for c in api.calls_to(method) if c.ok)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


# ------------------------------------------------------------------------------------------ flood control


async def test_flood_control_is_waited_out_and_the_message_goes_once(
    api: FakeBotAPI, notifier: Notifier, fake_time: FakeTime
) -> None:
    api.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 5", retry_after=5)
    result = await notifier.send(CHAT, "<b>Статус</b> изменён")
    assert result.status is SendStatus.SENT and result.ok
    assert isinstance(result.message, Message) and result.message.chat.id == CHAT
    assert any(s >= 5 for s in fake_time.sleeps)
    assert len(api.calls_to("sendMessage")) == 2
    assert delivered(api) == 1


async def test_flood_control_beyond_the_cap_is_left_for_later(
    api: FakeBotAPI, notifier: Notifier, fake_time: FakeTime
) -> None:
    api.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 600", retry_after=600)
    result = await notifier.send(CHAT, "x")
    assert result.status is SendStatus.RETRY_LATER
    assert result.retry_after == 600 and result.error == "TelegramRetryAfter:429"
    assert len(api.calls_to("sendMessage")) == 1 and all(s < 600 for s in fake_time.sleeps)
    # the chat stays paused: the next send to it waits the flood out first
    assert (await notifier.send(CHAT, "y")).ok
    assert any(s >= 599 for s in fake_time.sleeps)


async def test_the_flood_retry_re_uploads_files(api: FakeBotAPI, notifier: Notifier) -> None:
    api.fail_next("sendMediaGroup", status=429, description="Too Many Requests: retry after 2", retry_after=2)
    media = [InputMediaPhoto(media=BufferedInputFile(png(), f"p{i}.png")) for i in range(2)]
    result = await notifier.send_media_group(CHAT, media)
    assert result.ok and isinstance(result.result, list) and len(result.result) == 2
    assert delivered(api, "sendMediaGroup") == 1
    photo = await notifier.send_photo(CHAT, BufferedInputFile(png(), "p.png"))
    document = await notifier.send_document(GROUP, BufferedInputFile(b"%PDF-1.4\n%%EOF\n", "a.pdf"))
    assert photo.ok and photo.message is not None and photo.message.photo
    assert document.ok and document.message is not None and document.message.document is not None


# ------------------------------------------------------------------------------------------ blocked users


async def test_a_blocked_user_is_marked_and_not_asked_again(
    api: FakeBotAPI, notifier: Notifier, users: UserRepository
) -> None:
    await users.get_or_create(CHAT)
    api.block_chat(CHAT)
    result = await notifier.send(CHAT, "x", user_id=CHAT)
    assert result.status is SendStatus.BLOCKED and result.error == "TelegramForbiddenError:403"
    user = await users.get(CHAT)
    assert user is not None and user.blocked_at is not None
    calls = len(api.calls)
    for _ in range(3):
        assert (await notifier.send(CHAT, "x")).status is SendStatus.BLOCKED
    assert (await notifier.edit_text(CHAT, 1, "x")).status is SendStatus.BLOCKED
    assert len(api.calls) == calls  # Telegram is not asked again

    await users.set_blocked(CHAT, False)  # the person came back (my_chat_member "member")
    api.unblock_chat(CHAT)
    assert (await notifier.send(CHAT, "x")).ok


async def test_a_forbidden_group_marks_nobody(api: FakeBotAPI, notifier: Notifier, users: UserRepository) -> None:
    api.block_chat(GROUP, "Forbidden: bot was kicked from the supergroup chat")
    result = await notifier.send(GROUP, "x", user_id=CHAT)
    assert result.status is SendStatus.BLOCKED
    assert await users.get(CHAT) is None
    assert await users.get(GROUP) is None


# ------------------------------------------------------------------------------------------ errors


async def test_a_gateway_page_is_retried_a_bounded_number_of_times(
    api: FakeBotAPI, notifier: Notifier, fake_time: FakeTime
) -> None:
    api.fail_next("sendMessage", status=502, description="", raw_body="<html><h1>502 Bad Gateway</h1></html>",
                  times=10)
    result = await notifier.send(CHAT, "x")
    assert result.status is SendStatus.RETRY_LATER and result.error == "ClientDecodeError"
    assert len(api.calls_to("sendMessage")) == 1 + notifier.max_retries
    backoffs = [s for s in fake_time.sleeps if s in (1.0, 2.0, 4.0)]
    assert 2.0 in backoffs and 4.0 in backoffs


async def test_a_server_error_then_success_sends_once(api: FakeBotAPI, notifier: Notifier) -> None:
    api.fail_next("sendMessage", status=500, description="Internal Server Error", times=2)
    result = await notifier.send(CHAT, "x")
    assert result.ok
    assert len(api.calls_to("sendMessage")) == 3 and delivered(api) == 1


async def test_network_errors_are_retried_then_left_for_later(users: UserRepository, fake_time: FakeTime) -> None:
    bot = make_bot("http://127.0.0.1:1", "123:" + "x" * 35)  # nothing listens there
    try:
        notifier = Notifier(bot, users, clock=users.clock, sleep=fake_time.sleep, monotonic=fake_time.monotonic,
                            max_retries=2)
        result = await notifier.send(CHAT, "x")
    finally:
        await bot.session.close()
    assert result.status is SendStatus.RETRY_LATER and result.error == "TelegramNetworkError"
    assert [s for s in fake_time.sleeps if s in (1.0, 2.0)]


async def test_a_bad_request_fails_at_once(api: FakeBotAPI, notifier: Notifier, fake_time: FakeTime) -> None:
    result = await notifier.send(CHAT, "<b>unclosed")  # the fake parses HTML like Telegram: 400
    assert result.status is SendStatus.FAILED and result.error == "TelegramBadRequest:400"
    assert len(api.calls_to("sendMessage")) == 1 and fake_time.sleeps == []


async def test_an_unchanged_edit_counts_as_done(api: FakeBotAPI, notifier: Notifier) -> None:
    sent = await notifier.send(CHAT, "Статус: принято")
    assert sent.message is not None
    edited = await notifier.edit_text(CHAT, sent.message.message_id, "Статус: в проверке")
    assert edited.ok
    same = await notifier.edit_text(CHAT, sent.message.message_id, "Статус: в проверке")
    assert same.ok and same.result is None


async def test_a_group_that_became_a_supergroup_is_followed(api: FakeBotAPI, notifier: Notifier) -> None:
    body = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": GROUP},
    }
    api.fail_next("sendMessage", status=400, description="", raw_body=json.dumps(body))
    result = await notifier.send(-4001, "x")
    assert result.ok and result.chat_id == GROUP
    assert [c.chat_id for c in api.calls_to("sendMessage")] == [-4001, GROUP]


async def test_it_never_raises_and_never_logs_the_text(
    api: FakeBotAPI, notifier: Notifier, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.fail_next("sendMessage", status=400, description=f"Bad Request: {SECRET}")
    assert (await notifier.send(CHAT, SECRET)).status is SendStatus.FAILED
    api.fail_next("sendMessage", status=500, description=f"Internal: {SECRET}", times=10)
    assert (await notifier.send(CHAT, SECRET)).status is SendStatus.RETRY_LATER
    broken = await notifier.send(CHAT, SECRET, reply_markup=SECRET)  # aiogram refuses to build the request
    assert broken.status is SendStatus.FAILED and broken.error == "ValidationError"
    assert caplog.records
    for record in caplog.records:
        assert "112-233-445" not in record.getMessage()


# ------------------------------------------------------------------------------------------ rate limits


async def test_one_message_per_second_in_a_private_chat(api: FakeBotAPI, notifier: Notifier,
                                                        fake_time: FakeTime) -> None:
    start = fake_time.now
    for i in range(3):
        assert (await notifier.send(CHAT, f"{i}")).ok
    assert fake_time.now - start >= 2.0
    assert fake_time.sleeps.count(1.0) == 2
    assert (await notifier.send(CHAT + 1, "other chat")).ok  # another chat does not wait
    assert fake_time.sleeps.count(1.0) == 2


async def test_private_chat_interval_on_the_limiter() -> None:
    time = FakeTime(frozen=True)
    limiter = RateLimiter(rate=25, per_chat_interval=1.0, monotonic=time.monotonic, sleep=time.sleep)
    slots = await asyncio.gather(*(limiter.acquire(CHAT) for _ in range(5)))
    assert [round(s - 1000.0, 6) for s in slots] == [0, 1, 2, 3, 4]  # FIFO, one a second


async def test_groups_get_twenty_a_minute() -> None:
    time = FakeTime(frozen=True)
    limiter = RateLimiter(rate=25, group_per_minute=20, monotonic=time.monotonic, sleep=time.sleep)
    slots = await asyncio.gather(*(limiter.acquire(GROUP) for _ in range(45)))
    for i, slot in enumerate(slots):
        in_minute = [s for s in slots if slot <= s < slot + 60.0]
        assert len(in_minute) <= 20, i
    assert slots[20] - slots[0] >= 60.0 and slots[40] - slots[0] >= 120.0


async def test_the_global_rate_holds_across_chats_and_is_fair() -> None:
    time = FakeTime(frozen=True)
    limiter = RateLimiter(rate=25, burst=5, monotonic=time.monotonic, sleep=time.sleep)
    slots = await asyncio.gather(*(limiter.acquire(CHAT + i) for i in range(100)))
    assert slots == sorted(slots)  # first come, first served
    for slot in slots:
        assert sum(1 for s in slots if slot <= s < slot + 1.0) <= 30  # under Telegram's ~30/s
    assert slots[-1] - slots[0] >= (100 - 5) / 25 - 1e-9
    # a waiting chat does not hold others back: its next message is due in a second, theirs are not
    busy = await limiter.acquire(CHAT)
    other = await limiter.acquire(CHAT + 500)
    assert busy >= slots[0] + 1.0 and other <= busy + 0.05


async def test_a_person_who_never_started_the_bot_is_not_marked_blocked(
    api: FakeBotAPI, notifier: Notifier, users: UserRepository
) -> None:
    """A 403 "bot can't initiate conversation" is not a block: once the person starts the bot, it works."""
    await users.get_or_create(CHAT)
    api.block_chat(CHAT, "Forbidden: bot can't initiate conversation with a user")
    result = await notifier.send(CHAT, "x", user_id=CHAT)
    assert result.status is SendStatus.FAILED and result.error == "TelegramForbiddenError:403"
    user = await users.get(CHAT)
    assert user is not None and user.blocked_at is None
    api.unblock_chat(CHAT)  # they pressed «Start»
    assert (await notifier.send(CHAT, "x")).ok
