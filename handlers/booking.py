"""Booking an exam: region → clinic (paged) → card and venue → calendar → time → confirm → appointment slip; moving and
cancelling a booking (also from its reminders); 'My bookings'. Every step is a button (BookCb); what the
flow remembers between steps (profile, region, exams, clinic, the booking being moved) is in the FSM data,
which lives in our database, so the flow survives a restart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery

from bot.i18n import Tr
from bot.keyboards import BookAction, BookCb, MenuCb
from fsm.states import Booking
from services import Services
from services.booking import Booked, SlotTaken
from storage.users import User
from views import booking as views
from views.menu import menu_view
from views.ui import reply_or_edit

router = Router(name="booking")
IN_FLOW = StateFilter(Booking)


def _on(action: BookAction) -> Any:
    return BookCb.filter(F.action == action)


async def _clinics(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services, page: int = 0) -> None:
    data = await state.get_data()
    region = data.get("bk_region")
    found = services.booking.clinics_in(region, tuple(data.get("bk_exams", ())))
    await state.set_state(Booking.clinic)
    await reply_or_edit(query, *views.clinics_screen(tr, services.booking.region(region or ""), found, page,
                                                     many_regions=len(services.booking.regions()) > 1))


async def _regions(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await state.set_state(Booking.region)
    await reply_or_edit(query, *views.regions_screen(tr, services.booking.regions()))


async def _calendar(
    query: CallbackQuery, tr: Tr, state: FSMContext, services: Services, code: str, month: int = -1
) -> None:
    clinic = services.booking.clinic(code)
    if clinic is None:
        await _clinics(query, tr, state, services)
        return
    days, bookable = await services.booking.days(code)
    moving = (await state.get_data()).get("bk_moving")
    await state.set_state(Booking.day)
    await state.update_data(bk_clinic=code)
    await reply_or_edit(query, *views.calendar_screen(tr, code, clinic, days, bookable,
                                                      services.booking.horizon_days, moving=moving is not None,
                                                      month=month))


@router.callback_query(MenuCb.filter(F.item == "book"))
async def on_book(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    if not services.booking.available:
        await reply_or_edit(query, tr("booking-unavailable"))
        return
    start = await services.booking.prefill(user.telegram_id)
    await state.set_data({"bk_profile": start.profile_id, "bk_region": start.region,
                          "bk_exams": [e.value for e in start.exams]})
    regions = services.booking.regions()
    if start.region is None and len(regions) > 1:
        await _regions(query, tr, state, services)
        return
    if start.region is None:
        await state.update_data(bk_region=regions[0][0])
    await _clinics(query, tr, state, services)


@router.callback_query(IN_FLOW, _on(BookAction.REGION))
async def on_region(query: CallbackQuery, callback_data: BookCb, tr: Tr, state: FSMContext,
                    services: Services) -> None:
    await query.answer()
    if services.booking.region(callback_data.code) is None:
        await _regions(query, tr, state, services)
        return
    await state.update_data(bk_region=callback_data.code)
    await _clinics(query, tr, state, services)


@router.callback_query(IN_FLOW, _on(BookAction.PAGE))
async def on_page(query: CallbackQuery, callback_data: BookCb, tr: Tr, state: FSMContext,
                  services: Services) -> None:
    await query.answer()
    await _clinics(query, tr, state, services, callback_data.value)


@router.callback_query(IN_FLOW, _on(BookAction.CLINIC))
async def on_clinic(query: CallbackQuery, callback_data: BookCb, bot: Bot, tr: Tr, state: FSMContext,
                    services: Services) -> None:
    await query.answer()
    clinic = services.booking.clinic(callback_data.code)
    if clinic is None:
        await _clinics(query, tr, state, services)
        return
    await state.set_state(Booking.card)
    await state.update_data(bk_clinic=callback_data.code)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_venue(chat_id, latitude=float(clinic.latitude), longitude=float(clinic.longitude),
                         title=clinic.name, address=clinic.address)
    await reply_or_edit(query, *views.clinic_card(tr, callback_data.code, clinic), new=True)


@router.callback_query(IN_FLOW, _on(BookAction.DAYS))
async def on_days(query: CallbackQuery, callback_data: BookCb, tr: Tr, state: FSMContext,
                  services: Services) -> None:
    await query.answer()
    await _calendar(query, tr, state, services, callback_data.code, callback_data.value)


@router.callback_query(IN_FLOW, _on(BookAction.DAY))
async def on_day(query: CallbackQuery, callback_data: BookCb, tr: Tr, state: FSMContext,
                 services: Services) -> None:
    clinic, day = services.booking.clinic(callback_data.code), views.day_of(callback_data.value)
    if clinic is None or day is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    await state.set_state(Booking.time)
    slots = await services.booking.times(callback_data.code, day)
    await reply_or_edit(query, *views.times_screen(tr, callback_data.code, clinic, day, slots))


@router.callback_query(IN_FLOW, _on(BookAction.TIME))
async def on_time(query: CallbackQuery, callback_data: BookCb, user: User, tr: Tr, state: FSMContext,
                  services: Services) -> None:
    clinic = services.booking.clinic(callback_data.code)
    if clinic is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    start = datetime.fromtimestamp(callback_data.value * 60, UTC)
    moving_id = (await state.get_data()).get("bk_moving")
    moving = await services.booking.get(moving_id, user.telegram_id) if moving_id else None
    slot = services.booking.slot_at(callback_data.code, start)
    if slot is None:
        await reply_or_edit(query, tr("booking-slot-gone"))
        await _calendar(query, tr, state, services, callback_data.code)
        return
    await state.set_state(Booking.confirm)
    await reply_or_edit(query, *views.confirm_screen(tr, callback_data.code, clinic, slot, services.tz, moving))


@router.callback_query(IN_FLOW, _on(BookAction.CONFIRM))
async def on_confirm(query: CallbackQuery, callback_data: BookCb, user: User, tr: Tr, state: FSMContext,
                     services: Services) -> None:
    await query.answer()
    data = await state.get_data()
    start = datetime.fromtimestamp(callback_data.value * 60, UTC)
    result = await services.booking.book(user.telegram_id, data.get("bk_profile"), callback_data.code, start,
                                         replacing=data.get("bk_moving"))
    if isinstance(result, Booked):
        await state.clear()
        await reply_or_edit(query, *views.talon(tr, result.booking, result.clinic, result.slot, services.tz,
                                                result.replaced, referral=services.booking.referral_required))
    elif isinstance(result, SlotTaken):
        clinic = services.booking.clinic(callback_data.code)
        assert clinic is not None
        await state.set_state(Booking.time)
        await reply_or_edit(query, *views.times_screen(tr, callback_data.code, clinic, result.day, result.free,
                                                       taken=True))
    else:
        await reply_or_edit(query, tr("booking-slot-gone"))
        await _calendar(query, tr, state, services, callback_data.code)


@router.callback_query(IN_FLOW, _on(BookAction.QUIT))
async def on_quit(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    await query.answer()
    await state.clear()
    await reply_or_edit(query, *menu_view(tr, await services.accounts.menu(user)))


@router.callback_query(_on(BookAction.NOOP))
async def on_noop(query: CallbackQuery) -> None:
    await query.answer()


# --- a booking: its appointment slip, move, cancel (also from reminders, so in any state) --------------------------


@router.callback_query(_on(BookAction.MOVE))
async def on_move(query: CallbackQuery, callback_data: BookCb, user: User, tr: Tr, state: FSMContext,
                  services: Services) -> None:
    booking = await services.booking.get(callback_data.value, user.telegram_id)
    if booking is None or not services.booking.still_due(booking):
        await query.answer(tr("booking-cancel-gone"))
        return
    await query.answer()
    await state.set_data({"bk_moving": booking.id, "bk_profile": booking.profile_id, "bk_clinic": booking.clinic_code})
    await _calendar(query, tr, state, services, booking.clinic_code)


@router.callback_query(_on(BookAction.CANCEL))
async def on_cancel(query: CallbackQuery, callback_data: BookCb, user: User, tr: Tr, services: Services) -> None:
    booking = await services.booking.get(callback_data.value, user.telegram_id)
    slot = booking and services.booking.slot_of(booking)
    if booking is None or not slot or not services.booking.still_due(booking):
        await query.answer(tr("booking-cancel-gone"))
        return
    await query.answer()
    await reply_or_edit(query, *views.cancel_ask(tr, booking, slot), new=True)


@router.callback_query(_on(BookAction.CANCEL_YES))
async def on_cancel_yes(query: CallbackQuery, callback_data: BookCb, user: User, tr: Tr, state: FSMContext,
                        services: Services) -> None:
    booking = await services.booking.cancel(user.telegram_id, callback_data.value)
    if booking is None:
        await query.answer(tr("booking-cancel-gone"))
        return
    await query.answer()
    if (await state.get_data()).get("bk_moving") == booking.id:
        await state.clear()
    await reply_or_edit(query, *views.after_cancel(tr, booking))


@router.callback_query(_on(BookAction.SHOW))
async def on_show(query: CallbackQuery, callback_data: BookCb, user: User, tr: Tr, services: Services) -> None:
    booking = await services.booking.get(callback_data.value, user.telegram_id)
    slot = booking and services.booking.slot_of(booking)
    clinic = booking and services.booking.clinic(booking.clinic_code)
    if booking is None or not slot or not clinic:
        await query.answer(tr("booking-cancel-gone"))
        return
    await query.answer()
    await reply_or_edit(query, *views.talon(tr, booking, clinic, slot, services.tz,
                                            referral=services.booking.referral_required))


@router.callback_query(MenuCb.filter(F.item == "bookings"))
async def on_mine(query: CallbackQuery, user: User, tr: Tr, services: Services) -> None:
    await query.answer()
    mine = await services.booking.mine(user.telegram_id)
    await reply_or_edit(query, *views.mine_screen(tr, mine, services.booking.slot_of, services.booking.clinic))

