"""The composition root: builds the bot, its dependencies and the dispatcher.

`python -m bot` and the tests use the same functions, so a test drives exactly what runs in production.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.i18n import Translator
from bot.media import MediaPool, MediaWorker
from bot.middlewares import UserLocaleMiddleware
from bot.pushes import Pushes
from bot.scheduler import OutboxSweeper, setup_scheduler
from domain.clock import Clock, SystemClock
from domain.policy import Policy, load_policy
from fsm.storage import DatabaseStorage
from handlers import build_routers
from handlers.menu import MenuSource
from storage.applications import ApplicationRepository
from storage.crypto import FieldCipher, load_or_create_key
from storage.db import create_engine
from storage.files import FileStore, UploadRepository
from storage.migrate import migrate
from storage.outbox import OutboxRepository
from storage.payments import PaymentRepository
from storage.profiles import ProfileRepository
from storage.users import UserRepository

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLICY = ROOT / "config" / "policy.example.toml"

COMMANDS = ("start", "help", "language", "cancel")
log = logging.getLogger("emk")


@dataclass
class Deps:
    settings: Settings
    engine: AsyncEngine
    clock: Clock
    translator: Translator
    cipher: FieldCipher
    policy: Policy
    users: UserRepository
    profiles: ProfileRepository
    uploads: UploadRepository
    files: FileStore
    media: MediaWorker
    payments: PaymentRepository
    outbox: OutboxRepository
    applications: ApplicationRepository
    pushes: Pushes
    fsm_storage: DatabaseStorage
    extra: dict[str, Any] = field(default_factory=dict)

    def workflow_data(self) -> dict[str, Any]:
        """What handlers may ask for by parameter name."""
        s = self.settings
        return {
            "settings": s,
            "clock": self.clock,
            "tz": s.tz,
            "translator": self.translator,
            "users": self.users,
            "profiles": self.profiles,
            "uploads": self.uploads,
            "files": self.files,
            "media": self.media,
            "payments": self.payments,
            "outbox": self.outbox,
            "applications": self.applications,
            "pushes": self.pushes,
            "menu": MenuSource(self.profiles, self.applications),
            "policy": self.policy,
            "staff_ids": frozenset(s.STAFF_IDS),
            "operator_name": s.OPERATOR_NAME,
            "operator_contact": s.OPERATOR_CONTACT,
            "payment_token": s.PAYMENT_PROVIDER_TOKEN.get_secret_value() if s.PAYMENT_PROVIDER_TOKEN else None,
            **self.extra,
        }

    async def close(self) -> None:
        self.media.close()
        await self.fsm_storage.close()
        await self.engine.dispose()


def create_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.BOT_API_URL))
    return Bot(
        token=settings.BOT_TOKEN.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


async def create_deps(
    settings: Settings,
    clock: Clock | None = None,
    *,
    strict_i18n: bool = False,
    media_executor: MediaPool | None = None,
) -> Deps:
    """Everything the handlers need. `media_executor`: tests share one worker pool across restarts."""
    clock = clock or SystemClock()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    policy = load_policy(settings.POLICY_FILE or DEFAULT_POLICY)
    key_text = settings.EMK_DATA_KEY.get_secret_value() if settings.EMK_DATA_KEY else None
    key = load_or_create_key(key_text, settings.DATA_DIR / "data.key")
    cipher = FieldCipher(key)
    engine = create_engine(settings.DATABASE_URL)
    await migrate(engine)
    translator = Translator(default=settings.DEFAULT_LOCALE, strict=strict_i18n)
    users = UserRepository(engine, clock)
    uploads = UploadRepository(engine, clock)
    files = FileStore(settings.files_dir, key)
    outbox = OutboxRepository(engine, clock)
    applications = ApplicationRepository(engine, clock, cipher)
    pushes = Pushes(
        outbox=outbox, applications=applications, uploads=uploads, files=files, users=users,
        translator=translator, cipher=cipher, clock=clock, staff_chat_id=settings.STAFF_CHAT_ID,
        staff_ids=settings.STAFF_IDS, staff_locale=settings.DEFAULT_LOCALE,
        stuck_after=timedelta(hours=policy.reminders.stuck_application_hours),
        support_text={"ru": policy.support.contact_ru, "en": policy.support.contact_en},
    )
    return Deps(
        settings=settings,
        engine=engine,
        clock=clock,
        translator=translator,
        cipher=cipher,
        policy=policy,
        users=users,
        profiles=ProfileRepository(engine, clock, cipher),
        uploads=uploads,
        files=files,
        outbox=outbox,
        applications=applications,
        pushes=pushes,
        payments=PaymentRepository(engine, clock),
        media=MediaWorker(media_executor, workers=settings.MEDIA_WORKERS, budget=settings.MEDIA_CHECK_SECONDS),
        fsm_storage=DatabaseStorage(engine, clock, cipher),
    )


async def set_commands(bot: Bot, translator: Translator) -> None:
    for code in translator.bundles:
        await bot.set_my_commands(
            [BotCommand(command=c, description=translator.get(code, f"cmd-{c}")) for c in COMMANDS],
            scope=BotCommandScopeDefault(),
            language_code=code,
        )
    default = translator.default
    await bot.set_my_commands(
        [BotCommand(command=c, description=translator.get(default, f"cmd-{c}")) for c in COMMANDS],
        scope=BotCommandScopeDefault(),
    )


def create_dispatcher(deps: Deps) -> Dispatcher:
    dp = Dispatcher(storage=deps.fsm_storage, events_isolation=SimpleEventIsolation(), **deps.workflow_data())
    middleware = UserLocaleMiddleware(deps.users, deps.translator)
    dp.message.outer_middleware(middleware)
    dp.callback_query.outer_middleware(middleware)
    dp.include_routers(*build_routers())

    async def on_startup(bot: Bot) -> None:
        if not deps.pushes.staff_targets:
            log.warning("STAFF_CHAT_ID and STAFF_IDS are empty: submitted applications will reach no staff")
        deps.pushes.attach(bot)
        await set_commands(bot, deps.translator)

    dp.startup.register(on_startup)  # before the scheduler's own start-up: its first sweep needs the notifier
    sweeper = OutboxSweeper(deps.outbox, deps.pushes.deliver, clock=deps.clock)
    dp["sweeper"] = sweeper
    setup_scheduler(dp, sweeper, interval_seconds=5.0, extra_jobs=[(deps.pushes.scan_stuck, 600.0)])
    return dp
