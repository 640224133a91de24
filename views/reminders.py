"""Reminders and 'Notification settings': a reminder's text and buttons, the settings screen and its pickers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import MenuCb, NotifyCb, RenewCb
from domain.reminders import RUSSIAN_ZONES, Button, NotificationSettings, QuietHours, ReminderKind
from views.ui import fmt_date

KIND_ORDER = (ReminderKind.BOOK, ReminderKind.EXAM, ReminderKind.ATTESTATION, ReminderKind.VACCINATION,
              ReminderKind.APPOINTMENT, ReminderKind.STUCK)
QUIET_PRESETS = ("21:00-09:00", "22:00-08:00", "23:00-07:00", "00:00-08:00")
MAX_ITEMS = 6


def _key(name: str) -> str:
    return name.replace("_", "-").replace("/", "-").lower()


def _button(text: str, data: Any) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def item_label(tr: Tr, item: str) -> str:
    """An entry's name: its locale key where it is one, else its free-text title as recorded."""
    return tr(item) if item in tr.translator.keys.get(tr.locale, ()) else html.quote(item)


def reminder(
    tr: Tr, payload: dict[str, Any], *, number: str, booking: bool,
) -> tuple[str, InlineKeyboardMarkup]:
    """A validity reminder: what runs out and when, with the buttons of the flows that fix it."""
    kind = ReminderKind(payload["kind"])
    ends_on = date.fromisoformat(payload["ends_on"])
    items = [item_label(tr, i) for i in payload.get("items", [])]
    shown = ", ".join(items[:MAX_ITEMS]) + (" …" if len(items) > MAX_ITEMS else "")
    when = tr("remind-when", days=int(payload["offset"]))
    key = "push-remind-elmk" if str(payload["subject"]).startswith("elmk:") else f"push-remind-{kind.value}"
    text = tr(key, when=when, date=fmt_date(ends_on, tr), items=shown or "—", number=number)
    rows: list[list[InlineKeyboardButton]] = []
    for button in (Button(b) for b in payload.get("buttons", [])):
        if button is Button.RENEW and str(payload["subject"]).startswith("book:"):
            book_id = int(str(payload["subject"]).split(":")[1])
            rows.append([_button(tr("btn-remind-renew"), RenewCb(action="start", book=book_id))])
        elif button is Button.BOOK_EXAM and booking:
            rows.append([_button(tr("btn-remind-book"), MenuCb(item="book"))])
        elif button is Button.UPLOAD:
            rows.append([_button(tr("btn-remind-upload"), MenuCb(item="exams"))])
    rows.append([_button(tr("btn-notify-settings"), NotifyCb(action="open", value="new"))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def quiet_label(tr: Tr, quiet: QuietHours | None) -> str:
    return quiet.label() if quiet is not None else tr("notify-quiet-none")


def zone_label(tr: Tr, zone: str) -> str:
    key = f"zone-{_key(zone)}"
    return tr(key) if key in tr.translator.keys.get(tr.locale, ()) else html.quote(zone)


def screen(tr: Tr, settings: NotificationSettings, now: datetime) -> tuple[str, InlineKeyboardMarkup]:
    """Each kind on or off (status pushes always on), quiet hours and the time zone, each a button."""
    local = now.astimezone(settings.tz).strftime("%H:%M")
    text = "\n".join([
        tr("notify-title"),
        tr("notify-always"),
        tr("notify-quiet", quiet=quiet_label(tr, settings.quiet)),
        tr("notify-zone", zone=zone_label(tr, settings.zone), now=local),
        tr("notify-explain"),
    ])
    rows = [[_button(tr("notify-kind-status") + " · " + tr("notify-always-on"), NotifyCb(action="always"))]]
    for kind in KIND_ORDER:
        mark = "✅" if settings.enabled(kind) else "❌"
        rows.append([_button(f"{mark} {tr('notify-kind-' + kind.value)}", NotifyCb(action="toggle", value=kind.value))])
    rows.append([_button(tr("btn-notify-quiet", quiet=quiet_label(tr, settings.quiet)), NotifyCb(action="quiet"))])
    rows.append([_button(tr("btn-notify-zone", zone=zone_label(tr, settings.zone)), NotifyCb(action="zone"))])
    rows.append([_button(tr("btn-back-to-menu"), MenuCb(item="open"))])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def quiet_picker(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(p.replace("-", "–"), NotifyCb(action="quiet_set", value=p.replace(":", ".")))]
            for p in QUIET_PRESETS]  # ':' separates callback data fields; the parser takes '.' too
    rows.append([_button(tr("notify-quiet-none"), NotifyCb(action="quiet_set", value="off"))])
    rows.append([_button(tr("btn-notify-type"), NotifyCb(action="quiet_type"))])
    rows.append([_button(tr("btn-back"), NotifyCb(action="open"))])
    return tr("notify-quiet-pick"), InlineKeyboardMarkup(inline_keyboard=rows)


def zone_picker(tr: Tr) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(zone_label(tr, z), NotifyCb(action="zone_set", value=z))] for z in RUSSIAN_ZONES]
    rows.append([_button(tr("btn-notify-type"), NotifyCb(action="zone_type"))])
    rows.append([_button(tr("btn-back"), NotifyCb(action="open"))])
    return tr("notify-zone-pick"), InlineKeyboardMarkup(inline_keyboard=rows)


def ask(tr: Tr, what: str) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[_button(tr("btn-back"), NotifyCb(action="open"))]])
    return tr(f"notify-ask-{what}"), keyboard
