"""Staff: '/bookings' in the staff chat or a staff member's private chat → a clinic → a date → the day's
bookings, each with 'No-show' once its time has come. Only people on the staff list get an answer."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr, Translator
from bot.keyboards import StaffBookAction, StaffBookCb
from services import Services
from views import booking as views
from views.ui import reply_or_edit

router = Router(name="booking_staff")


class StaffMember(Filter):
    async def __call__(self, event: Message | CallbackQuery, services: Services) -> bool:
        return services.staff.may_act(event.from_user.id if event.from_user else None)


router.message.filter(StaffMember())
router.callback_query.filter(StaffMember())


def _tr(translator: Translator, services: Services) -> Tr:
    return translator.bind(services.staff.locale)


@router.message(Command("bookings"))
async def on_bookings(message: Message, translator: Translator, services: Services) -> None:
    tr = _tr(translator, services)
    if not services.booking.available:
        await message.answer(tr("booking-unavailable"))
        return
    text, keyboard = views.staff_clinics(tr, services.booking.clinics_in(None, ()))
    await message.answer(text, reply_markup=keyboard)


@router.callback_query(StaffBookCb.filter(F.action == StaffBookAction.CLINICS))
async def on_clinics(query: CallbackQuery, translator: Translator, services: Services) -> None:
    await query.answer()
    await reply_or_edit(query, *views.staff_clinics(_tr(translator, services),
                                                    services.booking.clinics_in(None, ())))


@router.callback_query(StaffBookCb.filter(F.action == StaffBookAction.CLINIC))
async def on_clinic(query: CallbackQuery, callback_data: StaffBookCb, translator: Translator,
                    services: Services) -> None:
    await query.answer()
    clinic = services.booking.clinic(callback_data.code)
    if clinic is not None:
        await reply_or_edit(query, *views.staff_days(_tr(translator, services), callback_data.code, clinic,
                                                     services.booking.staff_days(callback_data.code)))


@router.callback_query(StaffBookCb.filter(F.action == StaffBookAction.DAY))
async def on_day(query: CallbackQuery, callback_data: StaffBookCb, translator: Translator,
                 services: Services) -> None:
    await query.answer()
    clinic, day = services.booking.clinic(callback_data.code), views.day_of(callback_data.value)
    if clinic is not None and day is not None:
        found = await services.booking.of_day(callback_data.code, day)
        await reply_or_edit(query, *views.staff_day(_tr(translator, services), callback_data.code, clinic, day,
                                                    found, services.booking.clock.now()))


@router.callback_query(StaffBookCb.filter(F.action == StaffBookAction.NO_SHOW))
async def on_no_show(query: CallbackQuery, callback_data: StaffBookCb, translator: Translator,
                     services: Services) -> None:
    tr = _tr(translator, services)
    booking = await services.booking.mark_no_show(query.from_user.id, callback_data.value)
    clinic = services.booking.clinic(callback_data.code)
    if booking is None or clinic is None:
        await query.answer(tr("staff-no-show-refused"), show_alert=True)
        return
    await query.answer(tr("staff-no-show-done", number=booking.number))
    day = booking.start.astimezone(clinic.zone).date()
    found = await services.booking.of_day(callback_data.code, day)
    await reply_or_edit(query, *views.staff_day(tr, callback_data.code, clinic, day, found,
                                                services.booking.clock.now()))
