"""What the booking flow shows: regions, clinics with paging, the clinic card, the calendar, free times,
the confirmation, the appointment slip, 'My bookings', reminders, and the staff's list of a day.

Times are shown in the clinic's zone and said so; when the person's zone (the operator's for now) differs at
that moment, a line says it. User-supplied and operator texts go through html.quote.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import BookAction, BookCb, MenuCb, StaffBookAction, StaffBookCb
from domain.booking import Slot
from domain.clinics import WEEKDAYS, Clinic, Region
from services.booking import Mine
from storage.bookings import Booking
from views.ui import fmt_date

PAGE_SIZE = 5
TIMES_PER_ROW = 4


# The calendar's month 'whichever first has a free day' (any month past the horizon means that; button values
# are non-negative ids).
FIRST_FREE_MONTH = 99

def _button(text: str, action: BookAction, value: int = 0, code: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=BookCb(action=action, value=value, code=code).pack())


def _quit(tr: Tr) -> list[InlineKeyboardButton]:
    return [_button(tr("btn-book-quit"), BookAction.QUIT)]


def _markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def day_value(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def day_of(value: int) -> date | None:
    try:
        return date(value // 10000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def slot_value(start: datetime) -> int:
    return int(start.timestamp()) // 60


def region_name(tr: Tr, region: Region | None) -> str:
    if region is None:
        return ""
    return html.quote(region.name_ru if tr.locale == "ru" else region.name_en)


def local_date(tr: Tr, day: date) -> str:
    return tr("booking-date", weekday=WEEKDAYS[day.weekday()].value, date=fmt_date(day, tr))


def when(tr: Tr, slot: Slot) -> str:
    local = slot.local_start
    return tr("booking-when", date=local_date(tr, local.date()), time=f"{local:%H:%M}", zone=slot.zone.key)


def zone_note(tr: Tr, slot: Slot, person_tz: ZoneInfo) -> str | None:
    """A line when the person's clock shows another time than the clinic's at that moment."""
    if slot.start.astimezone(person_tz).utcoffset() == slot.local_start.utcoffset():
        return None
    return tr("booking-other-zone", zone=slot.zone.key, yours=person_tz.key)


# --- choosing -------------------------------------------------------------------------------------------------


def regions_screen(tr: Tr, regions: list[tuple[str, Region]]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(region_name(tr, region), BookAction.REGION, code=code)] for code, region in regions]
    return tr("booking-region-ask"), _markup([*rows, _quit(tr)])


def clinics_screen(
    tr: Tr, region: Region | None, clinics: list[tuple[str, Clinic]], page: int, *, many_regions: bool
) -> tuple[str, InlineKeyboardMarkup]:
    name = region_name(tr, region)
    rows: list[list[InlineKeyboardButton]] = []
    if not clinics:
        text = tr("booking-clinics-none", region=name)
    else:
        pages = -(-len(clinics) // PAGE_SIZE)
        page = min(max(page, 0), pages - 1)
        text = tr("booking-clinics-title", region=name, page=page + 1, pages=pages)
        for code, clinic in clinics[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]:
            rows.append([_button(clinic.name, BookAction.CLINIC, code=code)])
        paging = []
        if page > 0:
            paging.append(_button(tr("btn-book-prev"), BookAction.PAGE, page - 1))
        if page + 1 < pages:
            paging.append(_button(tr("btn-book-next"), BookAction.PAGE, page + 1))
        if paging:
            rows.append(paging)
    if many_regions:
        rows.append([_button(tr("btn-book-other-region"), BookAction.REGION)])
    return text, _markup([*rows, _quit(tr)])


def _hours(tr: Tr, clinic: Clinic) -> str:
    lines = []
    for day in WEEKDAYS:
        opening = clinic.hours.on(day)
        text = ", ".join(str(i) for i in opening) if opening else tr("booking-closed")
        breaks = clinic.breaks.on(day)
        if breaks:
            text += "; " + tr("booking-card-break", breaks=", ".join(str(b) for b in breaks))
        lines.append(f"{tr('booking-weekday', weekday=day.value)}: {text}")
    return "\n".join(lines)


def clinic_card(tr: Tr, code: str, clinic: Clinic) -> tuple[str, InlineKeyboardMarkup]:
    text = tr(
        "booking-card", name=html.quote(clinic.name), address=html.quote(clinic.address),
        phone=html.quote(clinic.phone), licence=html.quote(clinic.licence), zone=clinic.timezone,
        hours=_hours(tr, clinic), exams=", ".join(tr("booking-exam", exam=e.value) for e in clinic.exams),
    )
    rows = [
        [_button(tr("btn-book-pick-day"), BookAction.DAYS, FIRST_FREE_MONTH, code)],
        [_button(tr("btn-book-to-clinics"), BookAction.PAGE)],
        _quit(tr),
    ]
    return text, _markup(rows)


def calendar_screen(
    tr: Tr, code: str, clinic: Clinic, days: list[date], bookable: list[date], horizon_days: int, *, moving: bool,
    month: int = 0,
) -> tuple[str, InlineKeyboardMarkup]:
    """One month of the horizon at a time (a long horizon stays under Telegram's 100 buttons): a header with
    ◀ ▶ when there are more, the weekday names, weeks from Monday; only free days press. ``month``: which
    month of the horizon, from 0; an out-of-range one shows the first with a free day."""
    rows: list[list[InlineKeyboardButton]] = []
    free = set(bookable)
    noop = BookCb(action=BookAction.NOOP).pack()
    months = sorted({(d.year, d.month) for d in days})
    if not 0 <= month < len(months):
        month = next((i for i, m in enumerate(months) if any((d.year, d.month) == m for d in free)), 0)
    if months:
        year, number = months[month]
        header = [InlineKeyboardButton(text=tr("booking-month", month=number, year=str(year)), callback_data=noop)]
        if month > 0:
            header.insert(0, _button(tr("btn-book-prev"), BookAction.DAYS, month - 1, code))
        if month + 1 < len(months):
            header.append(_button(tr("btn-book-next"), BookAction.DAYS, month + 1, code))
        rows.append(header)
        rows.append([InlineKeyboardButton(text=tr("booking-weekday", weekday=w.value), callback_data=noop)
                     for w in WEEKDAYS])
        shown = {d for d in days if (d.year, d.month) == (year, number)}
        for week in calendar.Calendar().monthdatescalendar(year, number):
            if not shown.intersection(week):
                continue
            row = []
            for day in week:
                if day in free and day in shown:
                    row.append(_button(str(day.day), BookAction.DAY, day_value(day), code))
                else:
                    label = f"·{day.day}·" if day in shown else " "
                    row.append(InlineKeyboardButton(text=label, callback_data=noop))
            rows.append(row)
    name = html.quote(clinic.name)
    text = tr("booking-days-ask", clinic=name) if free else tr("booking-days-none", clinic=name, days=horizon_days)
    if not moving:
        rows.append([_button(tr("btn-book-to-clinic"), BookAction.CLINIC, code=code)])
    return text, _markup([*rows, _quit(tr)])


def times_screen(
    tr: Tr, code: str, clinic: Clinic, day: date, slots: list[Slot], *, taken: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [_button(f"{s.local_start:%H:%M}", BookAction.TIME, slot_value(s.start), code) for s in slots]
    rows = [buttons[i:i + TIMES_PER_ROW] for i in range(0, len(buttons), TIMES_PER_ROW)]
    if slots:
        text = tr("booking-times-ask", clinic=html.quote(clinic.name), date=local_date(tr, day), zone=clinic.timezone)
    else:
        text = tr("booking-times-none", date=local_date(tr, day))
    if taken:
        text = tr("booking-slot-taken") + "\n" + text
    rows.append([_button(tr("btn-book-to-days"), BookAction.DAYS, FIRST_FREE_MONTH, code)])
    return text, _markup([*rows, _quit(tr)])


def confirm_screen(
    tr: Tr, code: str, clinic: Clinic, slot: Slot, person_tz: ZoneInfo, moving: Booking | None
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [tr("booking-confirm-ask", clinic=html.quote(clinic.name), address=html.quote(clinic.address),
                when=when(tr, slot))]
    note = zone_note(tr, slot, person_tz)
    if note:
        lines.append(note)
    if moving is not None:
        lines.append(tr("booking-confirm-move", old=moving.number))
    confirm = tr("btn-book-confirm-move") if moving else tr("btn-book-confirm")
    rows = [
        [_button(confirm, BookAction.CONFIRM, slot_value(slot.start), code)],
        [_button(tr("btn-book-to-times"), BookAction.DAY, day_value(slot.local_start.date()), code)],
        _quit(tr),
    ]
    return "\n".join(lines), _markup(rows)


# --- the appointment slip and after -----------------------------------------------------------------------------------


def booking_actions(tr: Tr, booking: Booking) -> list[list[InlineKeyboardButton]]:
    return [[_button(tr("btn-book-move"), BookAction.MOVE, booking.id),
             _button(tr("btn-book-cancel"), BookAction.CANCEL, booking.id)]]


def talon_text(
    tr: Tr, booking: Booking, clinic: Clinic, slot: Slot, person_tz: ZoneInfo, *, referral: bool = False
) -> str:
    lines = [tr("booking-talon", number=booking.number, clinic=html.quote(clinic.name),
                address=html.quote(clinic.address), when=when(tr, slot))]
    note = zone_note(tr, slot, person_tz)
    if note:
        lines.append(note)
    lines.append(tr("booking-bring", referral="yes" if referral else "no"))
    return "\n".join(lines)


def talon(
    tr: Tr, booking: Booking, clinic: Clinic, slot: Slot, person_tz: ZoneInfo, replaced: Booking | None = None,
    *, referral: bool = False,
) -> tuple[str, InlineKeyboardMarkup]:
    text = talon_text(tr, booking, clinic, slot, person_tz, referral=referral)
    if replaced is not None:
        text = tr("booking-moved", old=replaced.number) + "\n\n" + text
    rows = [*booking_actions(tr, booking), _menu_row(tr)]
    return text, _markup(rows)


def reminder(
    tr: Tr, kind: str, booking: Booking, clinic: Clinic, slot: Slot, person_tz: ZoneInfo, *, referral: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    head = tr("booking-remind-day-before") if kind == "day_before" else tr("booking-remind-hours-before")
    text = talon_text(tr, booking, clinic, slot, person_tz, referral=referral)
    return head + "\n\n" + text, _markup(booking_actions(tr, booking))


def cancel_ask(tr: Tr, booking: Booking, slot: Slot) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_button(tr("btn-book-cancel-yes"), BookAction.CANCEL_YES, booking.id)],
            [_button(tr("btn-book-cancel-no"), BookAction.SHOW, booking.id)]]
    return tr("booking-cancel-ask", number=booking.number, when=when(tr, slot)), _markup(rows)


def _menu_row(tr: Tr) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())]


def after_cancel(tr: Tr, booking: Booking) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[InlineKeyboardButton(text=tr("btn-menu-book"), callback_data=MenuCb(item="book").pack())],
            _menu_row(tr)]
    return tr("booking-cancelled", number=booking.number), _markup(rows)


def mine_screen(
    tr: Tr, mine: Mine, slot_of: Callable[[Booking], Slot | None], clinic_of: Callable[[str], Clinic | None]
) -> tuple[str, InlineKeyboardMarkup]:
    if not mine.upcoming and not mine.past:
        return tr("booking-mine-empty"), _markup([_menu_row(tr)])

    def item(booking: Booking) -> str:
        slot, clinic = slot_of(booking), clinic_of(booking.clinic_code)
        moment = when(tr, slot) if slot else booking.start.isoformat()
        name = html.quote(clinic.name) if clinic else tr("booking-unknown-clinic")
        return tr("booking-mine-item", number=booking.number, when=moment, clinic=name)

    lines, rows = [tr("booking-mine-title")], []
    if mine.upcoming:
        lines += ["", tr("booking-mine-upcoming")] + [item(b) for b in mine.upcoming]
        rows = [[_button(f"№ {b.number}", BookAction.SHOW, b.id)] for b in mine.upcoming]
    if mine.past:
        lines += ["", tr("booking-mine-past")]
        lines += [f"{item(b)} · {tr('booking-mine-status', status=b.status.value)}" for b in mine.past[:10]]
    return "\n".join(lines), _markup([*rows, _menu_row(tr)])


# --- staff ---------------------------------------------------------------------------------------------------


def _staff(text: str, action: StaffBookAction, code: str = "", value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=StaffBookCb(action=action, code=code, value=value).pack())


def staff_clinics(tr: Tr, clinics: list[tuple[str, Clinic]]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[_staff(clinic.name, StaffBookAction.CLINIC, code)] for code, clinic in clinics]
    return tr("staff-bookings-clinics"), _markup(rows)


def staff_days(tr: Tr, code: str, clinic: Clinic, days: list[date]) -> tuple[str, InlineKeyboardMarkup]:
    buttons = [_staff(fmt_date(d, tr), StaffBookAction.DAY, code, day_value(d)) for d in days]
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    rows.append([_staff(tr("btn-staff-bookings-back"), StaffBookAction.CLINICS)])
    return tr("staff-bookings-days", clinic=html.quote(clinic.name)), _markup(rows)


def staff_day(
    tr: Tr, code: str, clinic: Clinic, day: date, found: list[Booking], now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [tr("staff-bookings-day", clinic=html.quote(clinic.name), date=local_date(tr, day), count=len(found))]
    rows = []
    for booking in found:
        at = f"{booking.start.astimezone(clinic.zone):%H:%M}"
        lines.append(tr("staff-bookings-line", time=at, seat=booking.seat, number=booking.number,
                        status=booking.status.value))
        if booking.active and booking.start <= now:
            rows.append([_staff(tr("btn-staff-no-show", time=at, number=booking.number), StaffBookAction.NO_SHOW,
                                code, booking.id)])
    rows.append([_staff(tr("btn-staff-bookings-days"), StaffBookAction.CLINIC, code)])
    return "\n".join(lines), _markup(rows)


def misfit_text(tr: Tr, booking: Booking, clinic_name: str, slot: Slot | None, reason: str) -> str:
    moment = when(tr, slot) if slot else booking.start.isoformat()
    return tr("staff-booking-misfit", number=booking.number, clinic=html.quote(clinic_name), when=moment,
              reason=reason)
