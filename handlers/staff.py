"""Staff review from Telegram: take, approve, reject (with a reason), request documents (which ones, and
why), see the documents. Only configured staff may act; of two pressing at once exactly one wins.
Every action is audited; the citizen is pushed through the outbox in the same transaction
(services/staff.py); the cards are redrawn after it commits."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import JOIN_TRANSITION, ChatMemberUpdatedFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, ForceReply, InputMediaPhoto, Message
from aiogram.types import User as TgUser

from bot.i18n import Tr, Translator, document_label
from bot.keyboards import StaffCb
from domain.status import MAX_COMMENT_LENGTH, STAFF_ACTIONS, Status, requires_comment, staff_action_target
from fsm.states import StaffFlow
from services import Services
from services.staff import StaffService, StoredFile
from storage.applications import Application, Conflict
from views import staff as views

router = Router(name="staff")
log = logging.getLogger("emk.staff")


def _name(user: TgUser) -> str:
    return user.full_name or str(user.id)


def _tr(translator: Translator, staff: StaffService) -> Tr:
    return translator.bind(staff.locale)


async def _refresh_cards(
    bot: Bot, staff: StaffService, app: Application, tr: Tr, acted: str, pressed: tuple[int, int] | None
) -> None:
    """Every staff card (the staff chat's, or each staff member's private one) shows the current status, who
    acted, and only the actions left."""
    cards = set(app.staff_cards) | ({pressed} if pressed else set())
    text, keyboard = views.card(tr, app, await staff.summary(app, tr.locale), acted)
    for chat_id, message_id in cards:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard)
        except TelegramBadRequest:
            pass  # deleted or unchanged: the action itself stands


async def _act(
    bot: Bot, staff: StaffService, tr: Tr, who: TgUser, app_id: int, version: int, target: Status,
    comment: str | None = None, requested: tuple[str, ...] | None = None, pressed: tuple[int, int] | None = None,
) -> Application | Conflict:
    result = await staff.act(who.id, _name(who), app_id, version, target, comment, requested)
    if isinstance(result, Application):  # after the commit: no Telegram call holds the write lock
        acted = tr("staff-acted", who=_name(who), status=tr(f"status-{target.value}"))
        await _refresh_cards(bot, staff, result, tr, acted, pressed)
    return result


async def _conflict_text(conflict: Conflict, staff: StaffService, tr: Tr) -> str:
    """«Already done»: who changed it, and to what — for the one who pressed second."""
    who = await staff.last_actor(conflict.current.id)
    return tr("staff-conflict", who=who or "—", status=tr(f"status-{conflict.current.status.value}"))


async def _send_albums(bot: Bot, chat_id: int, files: list[StoredFile]) -> bool:
    """The documents to a staff member's private chat; False when the bot may not write there yet."""
    try:
        for chunk in views.albums(files):
            if len(chunk) > 1:
                await bot.send_media_group(chat_id, chunk)
            elif isinstance(chunk[0], InputMediaPhoto):
                await bot.send_photo(chat_id, chunk[0].media)
            else:
                await bot.send_document(chat_id, chunk[0].media)
    except TelegramAPIError:
        return False
    return True


@router.callback_query(StaffCb.filter(F.action.in_({*STAFF_ACTIONS.values(), "docs"})))
async def on_staff_button(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator, state: FSMContext,
    services: Services,
) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    if not staff.may_act(query.from_user.id):
        await query.answer(tr("staff-not-allowed"), show_alert=True)
        await staff.refuse(query.from_user.id, callback_data.app)
        return
    app = await staff.get(callback_data.app)
    if app is None:
        await query.answer()
        return
    action = callback_data.action
    if action == "docs":
        files = await staff.view_documents(query.from_user.id, _name(query.from_user), app)
        sent = await _send_albums(bot, query.from_user.id, files)
        # The bot can write to a person only after they started it: say so instead of failing silently.
        await query.answer(tr("staff-documents-sent") if sent else tr("staff-start-bot-first"), show_alert=not sent)
        return
    target = staff_action_target(action)
    assert target is not None
    if not requires_comment(target):  # taking and approving need no reason
        pressed = (query.message.chat.id, query.message.message_id) if isinstance(query.message, Message) else None
        result = await _act(bot, staff, tr, query.from_user, app.id, callback_data.version, target, pressed=pressed)
        if isinstance(result, Conflict):
            await query.answer(await _conflict_text(result, staff, tr), show_alert=True)
        else:
            await query.answer(tr("staff-done"))
        return
    if app.version != callback_data.version:
        await query.answer(await _conflict_text(Conflict(app, None), staff, tr), show_alert=True)
        return
    await query.answer()
    card = [query.message.chat.id, query.message.message_id] if isinstance(query.message, Message) else None
    await state.set_data({"app": app.id, "version": app.version, "action": action, "kinds": [], "card": card})
    if target is Status.NEEDS_DOCUMENTS:
        await state.set_state(StaffFlow.pick_documents)
        await bot.send_message(query.message.chat.id if query.message else query.from_user.id,
                               tr("staff-pick-documents", number=app.number),
                               reply_markup=views.picker(tr, app, staff.requestable, []))
    else:
        await state.set_state(StaffFlow.reason)
        await _ask_reason(bot, query, tr, app)


async def _ask_reason(bot: Bot, query: CallbackQuery, tr: Tr, app: Application) -> None:
    """Ask for the reason as a forced reply: in a group with Telegram's privacy mode on, the bot receives only
    replies to its own messages, so a plain message with the reason would never reach it."""
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_message(chat_id, tr("staff-ask-reason", number=app.number, name=_name(query.from_user)),
                           reply_markup=ForceReply(input_field_placeholder=tr("staff-reason-placeholder")))


@router.callback_query(StateFilter(StaffFlow.pick_documents), StaffCb.filter(F.action.in_({"pick", "send", "cancel"})))
async def on_pick(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, state: FSMContext, translator: Translator,
    services: Services,
) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    data = await state.get_data()
    app = await staff.get(int(data.get("app", 0)))
    await query.answer()
    if app is None or callback_data.action == "cancel":
        await state.clear()
        if isinstance(query.message, Message):
            await query.message.edit_text(tr("staff-cancelled"))
        return
    kinds = list(data.get("kinds", []))
    if callback_data.action == "pick":
        kinds = [k for k in kinds if k != callback_data.value] if callback_data.value in kinds else [
            *kinds, callback_data.value]
        await state.update_data(kinds=kinds)
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(reply_markup=views.picker(tr, app, staff.requestable, kinds))
        return
    await state.set_state(StaffFlow.reason)
    if isinstance(query.message, Message):
        chosen = ", ".join(document_label(tr, k) for k in kinds)
        await query.message.edit_text(tr("staff-documents-chosen", number=app.number, documents=chosen))
    await _ask_reason(bot, query, tr, app)


@router.callback_query(StaffCb.filter(F.action == "cancel"))
async def on_cancel_any(query: CallbackQuery, state: FSMContext, translator: Translator, services: Services) -> None:
    await query.answer()
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_text(_tr(translator, services.staff)("staff-cancelled"))


@router.message(StateFilter(StaffFlow.reason), F.text)
async def on_reason(message: Message, bot: Bot, state: FSMContext, translator: Translator, services: Services) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    if message.from_user is None or not staff.may_act(message.from_user.id):
        return
    reason = (message.text or "").strip()
    if not 3 <= len(reason) <= MAX_COMMENT_LENGTH:
        await message.answer(tr("staff-reason-length", max=MAX_COMMENT_LENGTH))
        return
    data = await state.get_data()
    await state.clear()
    target = staff_action_target(str(data.get("action"))) or Status.NEEDS_DOCUMENTS
    requested = tuple(data.get("kinds", [])) if target is Status.NEEDS_DOCUMENTS else None
    card = data.get("card")
    result = await _act(bot, staff, tr, message.from_user, int(data["app"]), int(data["version"]), target, reason,
                        requested, (int(card[0]), int(card[1])) if card else None)
    if isinstance(result, Conflict):
        await message.answer(await _conflict_text(result, staff, tr))
    else:
        await message.answer(tr("staff-done-with-reason", number=result.number,
                                status=tr(f"status-{result.status.value}")))


@router.my_chat_member(F.chat.type.in_({"group", "supergroup"}), ChatMemberUpdatedFilter(JOIN_TRANSITION))
async def on_added_to_group(event: ChatMemberUpdated) -> None:
    """The operator added the bot to a group: the log says which id to put into STAFF_CHAT_ID."""
    log.info("the bot was added to group %s; to review applications there, set STAFF_CHAT_ID=%s",
             event.chat.id, event.chat.id)
