"""Staff review from Telegram: take, approve, reject (with a reason), request documents (which ones, and
why), see the documents. Only configured staff may act; of two pressing at once exactly one wins.
Every action is audited; the citizen is pushed through the outbox in the same transaction."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import JOIN_TRANSITION, ChatMemberUpdatedFilter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    ChatMemberUpdated,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.types import User as TgUser

from bot.i18n import Tr, Translator, document_label
from bot.keyboards import StaffCb
from bot.pushes import STAFF_ACTIONS, Pushes
from domain.status import MAX_COMMENT_LENGTH, Actor, Status
from fsm.states import StaffFlow
from storage.applications import Application, ApplicationRepository, Conflict
from storage.db import transaction

router = Router(name="staff")
log = logging.getLogger("emk.staff")
TARGETS = {action: status for status, action in STAFF_ACTIONS.items()}
REQUESTABLE = ("photo", "passport_main", "passport_registration", "birth_certificate", "oms_policy", "others")


def _name(user: TgUser) -> str:
    return user.full_name or str(user.id)


async def _refresh_card(
    bot: Bot, pushes: Pushes, app: Application, tr: Tr, acted: str, pressed: tuple[int, int] | None
) -> None:
    """Every staff card (the staff chat's, or each staff member's private one) shows the current status, who
    acted, and only the actions left."""
    cards = set(app.staff_cards) | ({pressed} if pressed else set())
    text, keyboard = await pushes.staff_card(app, tr, acted)
    for chat_id, message_id in cards:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard)
        except TelegramBadRequest:
            pass  # deleted or unchanged: the action itself stands


async def _apply(
    bot: Bot, who: TgUser, app_id: int, version: int, target: Status, comment: str | None,
    requested: tuple[str, ...] | None, applications: ApplicationRepository, pushes: Pushes, tr: Tr,
    pressed: tuple[int, int] | None = None,
) -> Application | Conflict | None:
    async with transaction(applications.engine):
        result = await applications.change_status(
            app_id, seen_version=version, target=target, actor=Actor.STAFF, actor_id=who.id, comment=comment,
            requested_documents=requested,
        )
        if isinstance(result, Application):
            await pushes.status_changed(result, comment)
            await applications.audit(actor_id=who.id, action=f"staff.{STAFF_ACTIONS[target]}", application_id=app_id,
                                     by=_name(who), to=target.value)
    if isinstance(result, Application):
        acted = tr("staff-acted", who=_name(who), status=tr(f"status-{target.value}"))
        await _refresh_card(bot, pushes, result, tr, acted, pressed)
    return result


async def _conflict_text(conflict: Conflict, applications: ApplicationRepository, tr: Tr) -> str:
    """«Already done»: who changed it, and to what — for the one who pressed second."""
    who = await applications.last_staff_actor(conflict.current.id)
    return tr("staff-conflict", who=who or "—", status=tr(f"status-{conflict.current.status.value}"))


@router.callback_query(StaffCb.filter(F.action.in_({"take", "approve", "reject", "request", "docs"})))
async def on_staff_button(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, staff_ids: frozenset[int], translator: Translator,
    applications: ApplicationRepository, pushes: Pushes, state: FSMContext,
) -> None:
    tr = translator.bind(pushes.staff_locale)
    if query.from_user.id not in staff_ids:
        await query.answer(tr("staff-not-allowed"), show_alert=True)
        await applications.audit(actor_id=query.from_user.id, action="staff.refused", application_id=callback_data.app)
        return
    app = await applications.get(callback_data.app)
    if app is None:
        await query.answer()
        return
    action = callback_data.action
    if action == "docs":
        await applications.audit(actor_id=query.from_user.id, action="staff.view_documents", application_id=app.id,
                                 by=_name(query.from_user))
        sent = await pushes.send_documents_to(query.from_user.id, app)
        # The bot can write to a person only after they started it: say so instead of failing silently.
        await query.answer(tr("staff-documents-sent") if sent is not None and sent.ok else tr("staff-start-bot-first"),
                           show_alert=sent is None or not sent.ok)
        return
    if action in ("take", "approve"):
        pressed = (query.message.chat.id, query.message.message_id) if isinstance(query.message, Message) else None
        result = await _apply(bot, query.from_user, app.id, callback_data.version, TARGETS[action], None, None,
                              applications, pushes, tr, pressed)
        if isinstance(result, Conflict):
            await query.answer(await _conflict_text(result, applications, tr), show_alert=True)
        else:
            await query.answer(tr("staff-done"))
        return
    if app.version != callback_data.version:
        conflict = Conflict(app, None)
        await query.answer(await _conflict_text(conflict, applications, tr), show_alert=True)
        return
    await query.answer()
    card = [query.message.chat.id, query.message.message_id] if isinstance(query.message, Message) else None
    await state.set_data({"app": app.id, "version": app.version, "action": action, "kinds": [], "card": card})
    if action == "request":
        await state.set_state(StaffFlow.pick_documents)
        await bot.send_message(query.message.chat.id if query.message else query.from_user.id,
                               tr("staff-pick-documents", number=app.number), reply_markup=_picker(tr, app, []))
    else:
        await state.set_state(StaffFlow.reason)
        await _ask_reason(bot, query, tr, app)


async def _ask_reason(bot: Bot, query: CallbackQuery, tr: Tr, app: Application) -> None:
    """Ask for the reason as a forced reply: in a group with Telegram's privacy mode on, the bot receives only
    replies to its own messages, so a plain message with the reason would never reach it."""
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await bot.send_message(chat_id, tr("staff-ask-reason", number=app.number, name=_name(query.from_user)),
                           reply_markup=ForceReply(input_field_placeholder=tr("staff-reason-placeholder")))


def _picker(tr: Tr, app: Application, chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(
            text=("✅ " if kind in chosen else "") + document_label(tr, kind),
            callback_data=StaffCb(action="pick", app=app.id, version=app.version, value=kind).pack(),
        )]
        for kind in REQUESTABLE
    ]
    if chosen:
        done = StaffCb(action="send", app=app.id, version=app.version).pack()
        rows.append([InlineKeyboardButton(text=tr("btn-staff-next"), callback_data=done)])
    rows.append([InlineKeyboardButton(text=tr("btn-cancel"),
                                      callback_data=StaffCb(action="cancel", app=app.id).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


@router.callback_query(StateFilter(StaffFlow.pick_documents), StaffCb.filter(F.action.in_({"pick", "send", "cancel"})))
async def on_pick(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, state: FSMContext, translator: Translator,
    pushes: Pushes, applications: ApplicationRepository,
) -> None:
    tr = translator.bind(pushes.staff_locale)
    data = await state.get_data()
    app = await applications.get(int(data.get("app", 0)))
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
            await query.message.edit_reply_markup(reply_markup=_picker(tr, app, kinds))
        return
    await state.set_state(StaffFlow.reason)
    if isinstance(query.message, Message):
        chosen = ", ".join(document_label(tr, k) for k in kinds)
        await query.message.edit_text(tr("staff-documents-chosen", number=app.number, documents=chosen))
    await _ask_reason(bot, query, tr, app)


@router.callback_query(StaffCb.filter(F.action == "cancel"))
async def on_cancel_any(query: CallbackQuery, state: FSMContext, translator: Translator, pushes: Pushes) -> None:
    await query.answer()
    await state.clear()
    if isinstance(query.message, Message):
        await query.message.edit_text(translator.get(pushes.staff_locale, "staff-cancelled"))


@router.message(StateFilter(StaffFlow.reason), F.text)
async def on_reason(
    message: Message, bot: Bot, state: FSMContext, translator: Translator, pushes: Pushes,
    applications: ApplicationRepository, staff_ids: frozenset[int],
) -> None:
    tr = translator.bind(pushes.staff_locale)
    if message.from_user is None or message.from_user.id not in staff_ids:
        return
    reason = (message.text or "").strip()
    if not 3 <= len(reason) <= MAX_COMMENT_LENGTH:
        await message.answer(tr("staff-reason-length", max=MAX_COMMENT_LENGTH))
        return
    data = await state.get_data()
    await state.clear()
    target = Status.REJECTED if data.get("action") == "reject" else Status.NEEDS_DOCUMENTS
    requested = tuple(data.get("kinds", [])) if target is Status.NEEDS_DOCUMENTS else None
    card = data.get("card")
    result = await _apply(bot, message.from_user, int(data["app"]), int(data["version"]), target, reason, requested,
                          applications, pushes, tr, (int(card[0]), int(card[1])) if card else None)
    if isinstance(result, Conflict):
        await message.answer(await _conflict_text(result, applications, tr))
    elif result is not None:
        await message.answer(tr("staff-done-with-reason", number=result.number,
                                status=tr(f"status-{result.status.value}")))


@router.my_chat_member(F.chat.type.in_({"group", "supergroup"}), ChatMemberUpdatedFilter(JOIN_TRANSITION))
async def on_added_to_group(event: ChatMemberUpdated) -> None:
    """The operator added the bot to a group: the log says which id to put into STAFF_CHAT_ID."""
    log.info("the bot was added to group %s; to review applications there, set STAFF_CHAT_ID=%s",
             event.chat.id, event.chat.id)
