"""The use cases: one module per capability, between the handlers and storage.

A use case owns its unit of work: it opens the transaction, writes, enqueues the pushes and the audit rows
in that same transaction, and returns what the view needs. It never calls Telegram (no aiogram here).
`Services` is what handlers receive, built once in the composition root (bot/factory.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

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
from storage.db import DatabaseBusy  # a use case's unit of work could not get the write lock: nothing was written

__all__ = ["DatabaseBusy", "Services"]


@dataclass(frozen=True)
class Services:
    accounts: AccountService
    wizard: WizardService
    uploads: UploadService
    payment: PaymentService
    applications: ApplicationService
    requests: DocumentRequests
    staff: StaffService
    exams: ExamService
    pushes: Pushes
    tz: ZoneInfo  # the operator's time zone: dates people see
    booking: BookingService
    book: BookService
    elmk: ElmkService
    reminders: ReminderService
    alerts: ErrorAlerts  # unexpected errors to the staff chat, at most one a kind an hour
    renewal: RenewalService
    privacy: PrivacyService
    sharing: SharingService
