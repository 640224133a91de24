"""A test harness that talks to the real dispatcher like Telegram does.

`World` builds the bot exactly as `python -m bot` does (same factory), with a temporary database and data
folder, a fixed clock, and a real `aiogram.Bot` whose HTTP calls go to a fake Bot API server on 127.0.0.1
(tests/fakes/botapi.py). `Person` is someone in a private chat: they type, press buttons by their label,
share a contact, send files, and read what the bot answered.
"""

from __future__ import annotations

import atexit
import html
import io
import logging
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from PIL import ImageOps

from bot.config import Settings
from bot.factory import Deps, create_bot, create_deps, create_dispatcher
from bot.media import MediaPool, create_pool
from domain.clock import FixedClock
from storage.db import create_engine
from storage.migrate import migrate
from tests.fakes.botapi import ApiCall, FakeBotAPI
from tests.fakes.updates import TgUser, UpdateFactory

TOKEN = "123456789:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ"
START = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SENDING = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument", "editMessageCaption", "sendMediaGroup"}
TAG_RE = re.compile(r"<[^>]+>")
# The operator the consent text names (the bot refuses to start without them); the process tests use it too.
OPERATOR_ENV = {"OPERATOR_NAME": "OOO Test Clinic", "OPERATOR_ADDRESS": "1 Test Street, Moscow",
                "OPERATOR_CONTACT": "privacy@clinic.example"}
_POOL: list[MediaPool] = []


def media_pool() -> MediaPool:
    """One media worker process for the whole test session (starting one costs a second or two)."""
    if not _POOL:
        _POOL.append(create_pool(1))
        atexit.register(_POOL[0].shutdown, wait=True, cancel_futures=True)
    return _POOL[0]


_TEMPLATE: list[Path] = []


async def _from_template(data_dir: Path) -> None:
    """A new World's database starts as a copy of one migrated in this session: the migrations run once
    (tests/test_migrations.py checks them), not for each of hundreds of bots. Start-up still runs `migrate`,
    which finds the copy at head."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="emk-template-"))
        engine = create_engine(f"sqlite+aiosqlite:///{folder / 'emk.db'}")
        await migrate(engine)
        await engine.dispose()
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _TEMPLATE.append(folder / "emk.db")
    _copy_template(data_dir)


def _copy_template(data_dir: Path) -> None:
    if data_dir.exists() and any(data_dir.iterdir()):
        return  # a restart, or a test that prepared its own data folder
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(_TEMPLATE[0], data_dir / "emk.db")


def plain(text: str) -> str:
    return html.unescape(TAG_RE.sub("", text))


class ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@dataclass
class World:
    api: FakeBotAPI
    data_dir: Path
    clock: FixedClock = field(default_factory=lambda: FixedClock(START))
    env: dict[str, Any] = field(default_factory=dict)
    deps: Deps | None = None
    dp: Dispatcher | None = None
    bot: Bot | None = None
    updates: UpdateFactory | None = None
    errors: ErrorCollector = field(default_factory=ErrorCollector)
    _started: bool = False

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "BOT_TOKEN": TOKEN,
            "BOT_API_URL": self.api.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{self.data_dir / 'emk.db'}",
            "DATA_DIR": self.data_dir,
            "STAFF_IDS": "900001,900002",
            **OPERATOR_ENV,
            **self.env,
        }
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    async def start(self) -> None:
        """Start the bot process (again): a new dispatcher, repositories and caches over the same files."""
        settings = self.settings()
        await _from_template(self.data_dir)
        self.deps = await create_deps(settings, self.clock, strict_i18n=True, media_executor=media_pool())
        self.dp = create_dispatcher(self.deps)
        self.bot = create_bot(settings)
        # What start-up does in production (tests call run_startup only when they test start-up itself);
        # pushes are not paced at one a second per chat here, so a test does not sleep.
        self.deps.deliveries.attach(self.bot, per_chat_interval=0.0, global_rate=1000.0)
        if self.updates is None:
            self.updates = UpdateFactory(message_ids=self.api.next_message_id)
        logging.getLogger().addHandler(self.errors)

    async def stop(self) -> None:
        logging.getLogger().removeHandler(self.errors)
        if self.dp is not None and self.bot is not None and self._started:
            await self.dp.emit_shutdown(bot=self.bot)
            self._started = False
        if self.bot is not None:
            await self.bot.session.close()
        if self.dp is not None:
            await self.dp.storage.close()
            await self.dp.fsm.events_isolation.close()
        if self.deps is not None:
            await self.deps.close()
        self.bot = self.dp = self.deps = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def sweep(self) -> int:
        """Deliver what is due in the outbox now, as the scheduler does every few seconds."""
        assert self.dp is not None
        return int(await self.dp["sweeper"].sweep_once())

    async def run_startup(self) -> None:
        assert self.dp is not None and self.bot is not None
        await self.dp.emit_startup(bot=self.bot)
        self._started = True

    async def feed(self, update: dict[str, Any]) -> None:
        assert self.dp is not None and self.bot is not None
        self.api.observe_update(update)
        before = len(self.errors.records)
        await self.dp.feed_raw_update(self.bot, update)
        new = self.errors.records[before:]
        assert not new, f"the bot logged an error: {[r.getMessage() for r in new]}"

    def person(self, user_id: int = 5550001, first_name: str = "Анна", language_code: str | None = "ru") -> Person:
        return Person(self, TgUser(id=user_id, first_name=first_name, language_code=language_code))

    @contextmanager
    def expect_errors(self) -> Iterator[list[logging.LogRecord]]:
        """For tests of the error path itself: errors are collected, not failed on."""
        before = len(self.errors.records)
        seen: list[logging.LogRecord] = []
        original = self.feed

        async def feed(update: dict[str, Any]) -> None:
            assert self.dp is not None and self.bot is not None
            self.api.observe_update(update)
            await self.dp.feed_raw_update(self.bot, update)

        self.feed = feed  # type: ignore[method-assign]
        try:
            yield seen
        finally:
            self.feed = original  # type: ignore[method-assign]
            seen.extend(self.errors.records[before:])


@dataclass
class Person:
    world: World
    user: TgUser
    replies: list[str] = field(default_factory=list)  # what the bot sent or edited after the last action

    @property
    def chat_id(self) -> int:
        return self.user.id

    @property
    def updates(self) -> UpdateFactory:
        assert self.world.updates is not None
        return self.world.updates

    def _calls_to_me(self, calls: list[ApiCall]) -> list[ApiCall]:
        return [c for c in calls if c.method in SENDING and str(c.params.get("chat_id")) == str(self.chat_id)]

    async def _act(self, update: dict[str, Any]) -> list[str]:
        mark = len(self.world.api.calls)
        await self.world.feed(update)
        texts = []
        for call in self._calls_to_me(self.world.api.calls[mark:]):
            text = call.params.get("text") or call.params.get("caption")
            if text:
                texts.append(plain(str(text)))
        self.replies = texts
        return texts

    # --- what a person does ------------------------------------------------------------------

    async def send(self, text: str) -> list[str]:
        return await self._act(self.updates.text(self.user, text))

    async def command(self, name: str) -> list[str]:
        return await self.send("/" + name.lstrip("/"))

    async def share_contact(self, phone: str = "+79161234567", *, own: bool = True) -> list[str]:
        return await self._act(
            self.updates.contact(self.user, phone, contact_user_id=self.user.id if own else self.user.id + 1)
        )

    async def send_update(self, update: dict[str, Any]) -> list[str]:
        return await self._act(update)

    def _as_telegram_photo(self, data: bytes) -> list[tuple[str, str, int, int, int]]:
        """What Telegram makes of a picture sent "as photo": re-encoded JPEGs, the largest at most 1280 px,
        each size downloadable from the fake API. Smallest first, like Telegram."""
        from PIL import Image

        original = Image.open(io.BytesIO(data))
        original = ImageOps.exif_transpose(original).convert("RGB")
        sizes = []
        for limit in (90, 320, 800, 1280):
            im = original.copy()
            im.thumbnail((limit, limit))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=87)
            stored = self.world.api.add_file(buf.getvalue())
            sizes.append((stored.file_id, stored.file_unique_id, im.width, im.height, stored.file_size))
            if max(original.size) <= limit:
                break
        return sizes

    def photo_update(self, data: bytes, *, media_group_id: str | None = None) -> dict[str, Any]:
        return self.updates.photo(self.user, self._as_telegram_photo(data), media_group_id=media_group_id)

    def file_update(
        self, data: bytes, file_name: str, mime_type: str, *, media_group_id: str | None = None
    ) -> dict[str, Any]:
        stored = self.world.api.add_file(data)
        return self.updates.document(
            self.user, file_id=stored.file_id, file_unique_id=stored.file_unique_id, file_name=file_name,
            mime_type=mime_type, file_size=len(data), media_group_id=media_group_id,
        )

    async def send_photo(self, data: bytes) -> list[str]:
        """A picture sent the usual way: Telegram compresses it."""
        return await self._act(self.photo_update(data))

    async def send_file(
        self, data: bytes, file_name: str = "scan.pdf", mime_type: str = "application/pdf"
    ) -> list[str]:
        """A file sent "as file": the original bytes."""
        return await self._act(self.file_update(data, file_name, mime_type))

    async def send_album(self, items: list[dict[str, Any]]) -> list[str]:
        """Several updates of one album, as Telegram delivers them (one after another)."""
        replies: list[str] = []
        for update in items:
            replies += await self._act(update)
        self.replies = replies
        return replies

    async def press(self, label: str) -> list[str]:
        """Press the button labelled `label` on the latest bot message that has it (inline keyboard),
        or on the reply keyboard the bot showed last."""
        for message in self.world.api.sent_newest_first(self.chat_id):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == label:
                        return await self._act(
                            self.updates.callback(self.user, button["callback_data"], message=message)
                        )
        keyboard = self.reply_keyboard()
        for row in keyboard:
            for button in row:
                if button.get("text") == label:
                    if button.get("request_contact"):
                        return await self.share_contact()
                    return await self.send(label)
        raise AssertionError(f"no button {label!r}; visible: {self.buttons()}")

    async def press_on(self, message: dict[str, Any], label: str) -> list[str]:
        """Press a button on a message as it looked at some earlier moment (a stale button)."""
        return await self._act(self.updates.click(self.user, message, text=label))

    def last_message(self) -> dict[str, Any]:
        message = self.world.api.last_message_sent_to(self.chat_id)
        assert message is not None
        return message

    # --- what a person sees --------------------------------------------------------------------

    @property
    def last(self) -> str:
        assert self.replies, "the bot did not answer"
        return self.replies[-1]

    @property
    def said(self) -> str:
        return "\n".join(self.replies)

    def buttons(self) -> list[str]:
        """Labels of the inline buttons on the bot's latest message that has any."""
        for message in self.world.api.sent_newest_first(self.chat_id):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard")
            if rows:
                return [b["text"] for row in rows for b in row]
        return []

    def reply_keyboard(self) -> list[list[dict[str, Any]]]:
        for call in reversed(self.world.api.calls):
            if str(call.params.get("chat_id")) != str(self.chat_id):
                continue
            markup = call.params.get("reply_markup")
            if isinstance(markup, dict):
                if "keyboard" in markup:
                    return list(markup["keyboard"])
                if markup.get("remove_keyboard"):
                    return []
        return []
