"""The composition root: builds the bot, its dependencies and the dispatcher.

`python -m bot` and the tests use the same functions, so a test drives exactly what runs in production.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeDefault
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from bot.deliver import Deliveries
from bot.i18n import Translator
from bot.inline_filters import run_magic_filters_inline
from bot.media import MediaPool, MediaWorker
from bot.middlewares import AnswerTracking, HintThrottle, UserLocaleMiddleware
from bot.opening import Opened, open_storage
from bot.routing import QuickDispatcher
from bot.scheduler import OutboxSweeper, setup_scheduler
from bot.session import BotSession, ReliableRequests
from domain.clinics import Clinics
from domain.clock import Clock, SystemClock
from domain.policy import Policy
from fsm.storage import DatabaseStorage
from handlers import build_routers
from services import Services
from services.accounts import AccountService
from services.alerts import ErrorAlerts
from services.applications import ApplicationService
from services.book import BookService
from services.booking import BookingService
from services.elmk import ElmkService
from services.exams import ExamService
from services.outbox import Pushes
from services.payment import PaymentService
from services.privacy import PrivacyService
from services.reminders import ReminderService
from services.renewal import RenewalService
from services.requests import DocumentRequests
from services.sharing import SharingService
from services.staff import StaffService
from services.uploads import UploadService
from services.wizard import WizardService
from storage.applications import ApplicationRepository
from storage.bookings import BookingRepository
from storage.books import BookRepository
from storage.crypto import FieldCipher
from storage.elmk import ElmkRepository
from storage.exams import ExamRepository
from storage.files import FileStore, UploadRepository
from storage.outbox import OutboxRepository
from storage.payments import PaymentRepository
from storage.personal import PersonalData
from storage.profiles import ProfileRepository
from storage.reminders import NotificationSettingsRepository
from storage.shares import ShareRepository
from storage.users import UserRepository

COMMANDS = ("start", "help", "language", "cancel")
log = logging.getLogger("emk")


@dataclass
class Deps:
    """Everything built once: the repositories (for start-up, jobs and tests), the use cases handlers get."""

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
    services: Services
    deliveries: Deliveries
    fsm_storage: DatabaseStorage

    def workflow_data(self) -> dict[str, Any]:
        """What handlers may ask for by parameter name: the use cases and the translator, typed."""
        return {"services": self.services, "translator": self.translator}

    async def close(self) -> None:
        self.media.close()
        await self.fsm_storage.close()
        await self.engine.dispose()


def create_bot(settings: Settings) -> Bot:
    session = BotSession(api=TelegramAPIServer.from_base(settings.BOT_API_URL))
    session.middleware(ReliableRequests())  # direct replies survive a 429 or a 5xx
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
    opened: Opened | None = None,
) -> Deps:
    """Everything the handlers need. `media_executor`: tests share one worker pool across restarts. `opened`:
    what `open_storage` opened already (`python -m bot` opens it before importing aiogram)."""
    clock = clock or SystemClock()
    opened = opened or await open_storage(settings)
    policy, clinics, signing_key = opened.policy, opened.clinics, opened.signing_key
    engine, cipher, files = opened.engine, opened.cipher, opened.files
    translator = Translator(default=settings.DEFAULT_LOCALE, strict=strict_i18n)
    users = UserRepository(engine, clock)
    profiles = ProfileRepository(engine, clock, cipher)
    uploads = UploadRepository(engine, clock)
    outbox = OutboxRepository(engine, clock)
    applications = ApplicationRepository(engine, clock, cipher)
    payments = PaymentRepository(engine, clock)
    media = MediaWorker(media_executor, workers=settings.MEDIA_WORKERS, budget=settings.MEDIA_CHECK_SECONDS)
    services = build_services(
        settings, policy, clock, engine=engine, cipher=cipher, users=users, profiles=profiles, uploads=uploads,
        files=files, outbox=outbox, applications=applications, payments=payments, media=media, clinics=clinics,
        books=BookRepository(engine, clock, cipher), signing_key=signing_key,
    )
    deliveries = Deliveries(
        services, users, translator, clock, staff_locale=settings.DEFAULT_LOCALE,
        stuck_after=timedelta(hours=policy.reminders.stuck_application_hours),
        support_text={"ru": policy.support.contact_ru, "en": policy.support.contact_en},
    )
    return Deps(
        settings=settings, engine=engine, clock=clock, translator=translator, cipher=cipher, policy=policy,
        users=users, profiles=profiles, uploads=uploads, files=files, outbox=outbox, applications=applications,
        payments=payments, media=media, services=services, deliveries=deliveries,
        fsm_storage=DatabaseStorage(engine, clock, cipher),
    )


def build_services(
    settings: Settings, policy: Policy, clock: Clock, *, engine: Any, cipher: FieldCipher, users: UserRepository,
    profiles: ProfileRepository, uploads: UploadRepository, files: FileStore, outbox: OutboxRepository,
    applications: ApplicationRepository, payments: PaymentRepository, media: MediaWorker, clinics: Clinics | None,
    books: BookRepository, signing_key: bytes,
) -> Services:
    """The use cases, each over the repositories it needs."""
    staff_targets = [settings.STAFF_CHAT_ID] if settings.STAFF_CHAT_ID else list(settings.STAFF_IDS)
    pushes = Pushes(outbox, cipher, clock, staff_targets)
    token = settings.PAYMENT_PROVIDER_TOKEN.get_secret_value() if settings.PAYMENT_PROVIDER_TOKEN else None
    stuck_after = timedelta(hours=policy.reminders.stuck_application_hours)
    apps = ApplicationService(engine, applications, profiles, uploads, pushes, clock, stuck_after)
    wizard = WizardService(engine, profiles, uploads, payments, apps, policy, clock, settings.tz,
                           telegram_payments=bool(token))
    upload_service = UploadService(uploads, files, media, profiles, wizard)
    bookings = BookingRepository(engine, clock) if clinics is not None else None
    exam_results = ExamRepository(engine, clock, cipher)
    exams = ExamService(engine, exam_results, profiles, applications, upload_service, uploads, files,
                        pushes, policy, clock, settings.tz, clinics)
    staff = StaffService(apps, applications, uploads, files, payments, staff_ids=frozenset(settings.STAFF_IDS),
                         locale=settings.DEFAULT_LOCALE, requestable=policy.requestable_documents)
    staff.open_exams = exams.open_for  # 'Approved' waits for every required exam item
    book = BookService(engine, books, uploads, files, clock, settings.tz, pushes=pushes, applications=apps,
                       signing_key=signing_key, issuer=settings.OPERATOR_NAME or "",
                       public_base_url=settings.PUBLIC_BASE_URL, qr=media)
    staff.book, staff.book_entries = book, exams.book_entries  # 'Issue the EMK' / 'Revoke the EMK'
    elmk_rows = ElmkRepository(engine, clock, cipher)
    elmk = ElmkService(engine, elmk_rows, upload_service, uploads, files, pushes, applications, clock, settings.tz)
    reminders = ReminderService(engine, NotificationSettingsRepository(engine, clock), pushes, policy, clock,
                                settings.TIMEZONE, books=book, entries=exams, elmk=elmk_rows, users=users)
    book.replan = exams.replan = elmk.replan = reminders.replan  # each change that moves a term replans
    personal = PersonalData(engine, cipher)
    return Services(
        privacy=PrivacyService(engine, personal, users, profiles, files, clock, policy.retention),
        elmk=elmk,
        reminders=reminders,
        accounts=AccountService(users, profiles, applications, operator_name=settings.OPERATOR_NAME or "",
                                operator_contact=settings.OPERATOR_CONTACT or "",
                                operator_address=settings.OPERATOR_ADDRESS or "", bookings=bookings,
                                books=books, elmk=elmk_rows, personal=personal),
        wizard=wizard,
        uploads=upload_service,
        payment=PaymentService(payments, upload_service, wizard, policy, provider_token=token),
        applications=apps,
        requests=DocumentRequests(apps, upload_service),
        staff=staff,
        exams=exams,
        pushes=pushes,
        tz=settings.tz,
        book=book,
        booking=BookingService(engine, bookings or BookingRepository(engine, clock), profiles, clinics, policy,
                               pushes, clock, settings.tz),
        alerts=ErrorAlerts(engine, pushes, clock),
        renewal=RenewalService(engine, book, wizard, exams, apps),
        sharing=SharingService(engine, ShareRepository(engine, clock, cipher), book, pushes, applications, clock,
                               settings.tz, public_base_url=settings.PUBLIC_BASE_URL),
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
    dp = QuickDispatcher(storage=deps.fsm_storage, events_isolation=SimpleEventIsolation(), **deps.workflow_data())
    # One outer middleware on every update type (messages, buttons, payments, chat members, errors).
    dp.update.outer_middleware(UserLocaleMiddleware(deps.services.accounts, deps.translator))
    dp.update.outer_middleware(AnswerTracking())
    routers = build_routers()
    for router in routers:
        if router.name == "fallback":  # unexpected input: hints are throttled per person
            router.message.middleware(HintThrottle())
    dp.include_routers(*routers)
    run_magic_filters_inline(dp)  # aiogram would run each F-filter in a thread
    dp.freeze_routes()  # every router and handler is in: the routing lists are written down (bot/routing.py)

    async def on_startup(bot: Bot) -> None:
        if not deps.services.pushes.staff_targets:
            log.warning("STAFF_CHAT_ID and STAFF_IDS are empty: submitted applications will reach no staff")
        deps.deliveries.attach(bot, global_rate=deps.settings.NOTIFY_RATE)
        await deps.services.booking.report_misfits()  # logged and sent to staff, never moved
        await set_commands(bot, deps.translator)

    dp.startup.register(on_startup)  # before the scheduler's own start-up: its first sweep needs the notifier
    # A sweep drains full batches (up to 200 x 50 rows), so 10 000 reminders due at one moment go out at the
    # sender's pace instead of 50 every 5 seconds.
    sweeper = OutboxSweeper(deps.outbox, deps.deliveries.deliver, clock=deps.clock, max_batches=200)
    dp["sweeper"] = sweeper
    setup_scheduler(dp, sweeper, interval_seconds=5.0, extra_jobs=[(deps.services.applications.scan_stuck, 600.0),
                                                                   (deps.services.privacy.sweep, 86_400.0)])
    return dp
