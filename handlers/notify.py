"""'Notification settings': each reminder kind on or off (status pushes always on), quiet hours (presets, none,
or typed) and the time zone (Russia's zones by city, or a typed IANA name). Every change replans."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import MenuCb, NotifyCb
from domain.reminders import NotificationSettings, ReminderKind
from fsm.states import Notify
from services import Services
from storage.users import User
from views import reminders as views
from views.ui import reply_or_edit

router = Router(name="notify")


async def _screen(target: CallbackQuery | Message, tr: Tr, services: Services, settings: NotificationSettings,
                  *, new: bool = False) -> None:
    await reply_or_edit(target, *views.screen(tr, settings, services.reminders.clock.now()), new=new)


@router.callback_query(MenuCb.filter(F.item == "notify"))
@router.callback_query(NotifyCb.filter(F.action == "open"))
async def on_open(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services,
                  callback_data: MenuCb | NotifyCb) -> None:
    await query.answer()
    await services.reminders.leave(state)
    new = isinstance(callback_data, NotifyCb) and callback_data.value == "new"  # from a reminder: keep it
    await _screen(query, tr, services, await services.reminders.settings(user.telegram_id), new=new)


@router.callback_query(NotifyCb.filter(F.action == "always"))
async def on_always(query: CallbackQuery, tr: Tr) -> None:
    await query.answer(tr("notify-always-alert"), show_alert=True)


@router.callback_query(NotifyCb.filter(F.action == "toggle"))
async def on_toggle(query: CallbackQuery, callback_data: NotifyCb, tr: Tr, user: User, services: Services) -> None:
    if callback_data.value not in ReminderKind._value2member_map_:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer(tr("notify-saved"))
    settings = await services.reminders.toggle(user.telegram_id, ReminderKind(callback_data.value))
    await _screen(query, tr, services, settings)


@router.callback_query(NotifyCb.filter(F.action.in_({"quiet", "zone"})))
async def on_picker(query: CallbackQuery, callback_data: NotifyCb, tr: Tr) -> None:
    await query.answer()
    await reply_or_edit(query, *(views.quiet_picker(tr) if callback_data.action == "quiet" else views.zone_picker(tr)))


@router.callback_query(NotifyCb.filter(F.action.in_({"quiet_set", "zone_set"})))
async def on_set(query: CallbackQuery, callback_data: NotifyCb, tr: Tr, user: User, services: Services) -> None:
    choose = services.reminders.choose_quiet if callback_data.action == "quiet_set" else services.reminders.choose_zone
    settings = await choose(user.telegram_id, callback_data.value)
    if settings is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer(tr("notify-saved"))
    await _screen(query, tr, services, settings)


@router.callback_query(NotifyCb.filter(F.action.in_({"quiet_type", "zone_type"})))
async def on_type(query: CallbackQuery, callback_data: NotifyCb, tr: Tr, state: FSMContext,
                  services: Services) -> None:
    await query.answer()
    what = callback_data.action.removesuffix("_type")
    await services.reminders.ask(state, what)
    await reply_or_edit(query, *views.ask(tr, what))


@router.message(StateFilter(Notify.quiet, Notify.zone), F.text)
async def on_typed(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    error = "notify-error-quiet" if await state.get_state() == Notify.quiet.state else "notify-error-zone"
    settings = await services.reminders.answer(user.telegram_id, state, message.text or "")
    if settings is None:
        await message.answer(tr(error))
        return
    await _screen(message, tr, services, settings)
