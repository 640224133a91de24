"""Staff review from Telegram: take, approve, reject (with a reason), request documents (which ones, and
why), see the documents and the full data, confirm a manual payment, and the queue in the private chat.

Every staff button and message checks the staff list first (`StaffOnly`). A reason is only a reply to the
bot's own prompt, never a command, and the prompt expires; 'Cancel' cancels only one's own action. An
illegal status change (a forged or replayed button) is a polite refusal. Every action is audited; the
citizen is pushed through the outbox in the same transaction (services/staff.py); the cards are redrawn after
it commits."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import JOIN_TRANSITION, ChatMemberUpdatedFilter, Command, CommandStart, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ChatMemberUpdated, InputMediaPhoto, Message
from aiogram.types import User as TgUser

from bot.i18n import Tr, Translator, document_label
from bot.keyboards import StaffCb
from domain.status import (
    MAX_COMMENT_LENGTH,
    STAFF_ACTIONS,
    Actor,
    Status,
    allowed_targets,
    requires_comment,
    staff_action_target,
)
from fsm.filters import PrivateChat
from fsm.states import StaffFlow
from services import Services
from services.staff import ExamsWaiting, Refused, StaffService, StoredFile
from storage.applications import Application, Conflict
from views import staff as views

router = Router(name="staff")
private_router = Router(name="staff_private")  # before the citizen's: staff get the queue, not the consent flow
log = logging.getLogger("emk.staff")


class StaffOnly(Filter):
    """The update comes from someone on the staff list."""

    async def __call__(self, event: Message | CallbackQuery, services: Services) -> bool:
        return services.staff.may_act(event.from_user.id if event.from_user else None)


private_router.message.filter(PrivateChat(), StaffOnly())


def _name(user: TgUser) -> str:
    return user.full_name or str(user.id)


def _tr(translator: Translator, staff: StaffService) -> Tr:
    return translator.bind(staff.locale)


def _where(query: CallbackQuery) -> tuple[int, int] | None:
    return (query.message.chat.id, query.message.message_id) if isinstance(query.message, Message) else None


def _chat(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message else query.from_user.id


async def _refresh_cards(
    bot: Bot, staff: StaffService, app: Application, tr: Tr, acted: str, pressed: tuple[int, int] | None
) -> None:
    """Every staff card (the staff chat's, or each staff member's private one) shows the current status, who
    acted, and only the actions left."""
    cards = set(app.staff_cards) | ({pressed} if pressed else set())
    text, keyboard = views.card(tr, app, await staff.card_info(app, tr.locale), acted)
    for chat_id, message_id in cards:
        try:
            await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard)
        except TelegramBadRequest as exc:
            if "not modified" not in exc.message and "not found" not in exc.message:
                log.warning("staff card %s in chat %s not redrawn: %s", message_id, chat_id, type(exc).__name__)


async def _act(
    bot: Bot, staff: StaffService, tr: Tr, who: TgUser, app_id: int, version: int, target: Status,
    comment: str | None = None, requested: tuple[str, ...] | None = None, pressed: tuple[int, int] | None = None,
) -> Application | Conflict | Refused | ExamsWaiting:
    result = await staff.act(who.id, _name(who), app_id, version, target, comment, requested)
    if isinstance(result, Application):  # after the commit: no Telegram call holds the write lock
        await _refresh_cards(bot, staff, result, tr, views.acted(tr, _name(who), target), pressed)
    return result


def _action_data(query: CallbackQuery, app: Application, action: str) -> dict[str, Any]:
    """What a staff action that asks for more (documents, a reason) remembers: the application, the action and
    the card the button was on."""
    return {"app": app.id, "version": app.version, "action": action, "kinds": [],
            "card": list(_where(query) or ()) or None}


async def _not_done(result: Conflict | Refused | ExamsWaiting, staff: StaffService, tr: Tr) -> str:
    """Plain text (an alert, or escaped by the caller): why the action was not applied."""
    if isinstance(result, ExamsWaiting):
        return views.exams_waiting(tr, result.open_items)
    if isinstance(result, Refused):
        return tr("staff-not-possible", status=tr(f"status-{result.current.status.value}"))
    who = await staff.last_actor(result.current.id)
    return tr("staff-conflict", who=who or "—", status=tr(f"status-{result.current.status.value}"))


async def _pressed_on(query: CallbackQuery, callback_data: StaffCb, staff: StaffService, tr: Tr) -> Application | None:
    """The application a card button is about; None (and the press answered) when there is none."""
    app = await staff.get(callback_data.app)
    if app is None:
        await query.answer(tr("hint-button-expired"))
    return app


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


# --- the staff list first: anyone else is refused, whatever the button -------------------------------------


@router.callback_query(StaffCb.filter(), ~StaffOnly())
async def on_not_staff(
    query: CallbackQuery, callback_data: StaffCb, translator: Translator, services: Services
) -> None:
    await query.answer(_tr(translator, services.staff)("staff-not-allowed"), show_alert=True)
    if callback_data.app > 0:
        await services.staff.refuse(query.from_user.id, callback_data.app)


# --- status changes ------------------------------------------------------------------------------------------


@router.callback_query(StaffCb.filter(F.action.in_(set(STAFF_ACTIONS.values()))))
async def on_action(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator, state: FSMContext,
    services: Services,
) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    app = await staff.get(callback_data.app)
    target = staff_action_target(callback_data.action)
    if app is None or target is None:
        await query.answer(tr("hint-button-expired"))
        return
    if not requires_comment(target):  # taking and approving need no reason
        result = await _act(bot, staff, tr, query.from_user, app.id, callback_data.version, target,
                            pressed=_where(query))
        if isinstance(result, Application):
            await query.answer(tr("staff-done"))
        else:
            await query.answer(await _not_done(result, staff, tr), show_alert=True)
        return
    if app.version != callback_data.version:
        await query.answer(await _not_done(Conflict(app, None), staff, tr), show_alert=True)
        return
    if target not in allowed_targets(app.status, Actor.STAFF):
        await query.answer(await _not_done(Refused(app), staff, tr), show_alert=True)
        return
    await query.answer()
    chat_id = _chat(query)
    data = _action_data(query, app, callback_data.action)
    if target is Status.NEEDS_DOCUMENTS:
        sent = await bot.send_message(chat_id, tr("staff-pick-documents", number=app.number),
                                      reply_markup=views.picker(tr, app, staff.requestable, []))
        await state.set_state(StaffFlow.pick_documents)
        await state.set_data({**data, "controls": [chat_id, sent.message_id]})
        return
    await _reason_asked(bot, query, tr, app, state, data, staff)


async def _reason_asked(
    bot: Bot, query: CallbackQuery, tr: Tr, app: Application, state: FSMContext, data: dict[str, Any],
    staff: StaffService,
) -> None:
    """The message with 'Cancel' for the action in `data`, then the reason prompt."""
    chat_id = _chat(query)
    text, keyboard = views.reason_controls(tr, app, _name(query.from_user), str(data["action"]))
    controls = await bot.send_message(chat_id, text, reply_markup=keyboard)
    await _ask_reason(bot, chat_id, query.from_user, tr, app, state,
                      {**data, "controls": [chat_id, controls.message_id]}, staff)


@router.callback_query(StaffCb.filter(F.action == "revoke"))
async def on_revoke(query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator,
                    state: FSMContext, services: Services) -> None:
    """'Revoke the EMK': the reason is asked the way a rejection's is (a reply to the bot's own prompt)."""
    staff = services.staff
    tr = _tr(translator, staff)
    app = await _pressed_on(query, callback_data, staff, tr)
    if app is None:
        return
    await query.answer()
    await _reason_asked(bot, query, tr, app, state, _action_data(query, app, "revoke"), staff)


async def _ask_reason(
    bot: Bot, chat_id: int, who: TgUser, tr: Tr, app: Application, state: FSMContext, data: dict[str, Any],
    staff: StaffService,
) -> None:
    """Ask for the reason as a forced reply: in a group with Telegram's privacy mode on, the bot receives only
    replies to its own messages. Only a reply to this very prompt is taken, until it expires."""
    text, force = views.reason_prompt(tr, app, who.id, _name(who))
    prompt = await bot.send_message(chat_id, text, reply_markup=force)
    await state.set_state(StaffFlow.reason)
    await state.set_data({**data, "prompt": prompt.message_id, "asked_at": staff.now().isoformat()})


@router.callback_query(StateFilter(StaffFlow.pick_documents), StaffCb.filter(F.action.in_({"pick", "send"})))
async def on_pick(
    query: CallbackQuery, callback_data: StaffCb, bot: Bot, state: FSMContext, translator: Translator,
    services: Services,
) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    data = await state.get_data()
    app = await staff.get(int(data.get("app", 0)))
    where = _where(query)
    if app is None or app.id != callback_data.app or where is None or list(where) != data.get("controls"):
        await query.answer(tr("hint-button-expired"))  # someone else's picker, or an old one
        return
    await query.answer()
    kinds = list(data.get("kinds", []))
    if callback_data.action == "pick":
        if callback_data.value not in staff.requestable:
            return
        kinds = [k for k in kinds if k != callback_data.value] if callback_data.value in kinds else [
            *kinds, callback_data.value]
        await state.update_data(kinds=kinds)
        await bot.edit_message_reply_markup(chat_id=where[0], message_id=where[1],
                                            reply_markup=views.picker(tr, app, staff.requestable, kinds))
        return
    if not kinds:
        return
    chosen = ", ".join(document_label(tr, k) for k in kinds)
    await bot.edit_message_text(tr("staff-documents-chosen", number=app.number, documents=chosen),
                                chat_id=where[0], message_id=where[1], reply_markup=views.cancel_only(tr, app))
    await _ask_reason(bot, where[0], query.from_user, tr, app, state, data, staff)


async def _close(bot: Bot, state: FSMContext, tr: Tr, key: str) -> None:
    """End one's own action: the message with 'Cancel' says why, the state is cleared."""
    data = await state.get_data()
    await state.clear()
    controls = data.get("controls")
    if controls:
        try:
            await bot.edit_message_text(tr(key), chat_id=int(controls[0]), message_id=int(controls[1]))
        except TelegramBadRequest:
            pass  # deleted meanwhile: the state is cleared all the same


@router.callback_query(StaffCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, bot: Bot, state: FSMContext, translator: Translator,
                    services: Services) -> None:
    """Only the one whose action it is can cancel it, and only from its own message."""
    tr = _tr(translator, services.staff)
    data = await state.get_data()
    where = _where(query)
    if await state.get_state() is None or where is None or list(where) != data.get("controls"):
        await query.answer(tr("staff-cancel-not-yours"), show_alert=True)
        return
    await query.answer()
    await _close(bot, state, tr, "staff-cancelled")


@router.message(Command("cancel"), StateFilter(StaffFlow), StaffOnly())
async def on_cancel_command(message: Message, bot: Bot, state: FSMContext, translator: Translator,
                            services: Services) -> None:
    tr = _tr(translator, services.staff)
    await _close(bot, state, tr, "staff-cancelled")
    await message.reply(tr("staff-cancelled"))


@router.message(StateFilter(StaffFlow.reason), F.text, StaffOnly())
async def on_reason(message: Message, bot: Bot, state: FSMContext, translator: Translator, services: Services) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    assert message.from_user is not None
    data = await state.get_data()
    reason = (message.text or "").strip()
    reply = message.reply_to_message
    if reason.startswith("/"):
        return  # commands are never reasons
    if reply is None or reply.message_id != data.get("prompt"):
        if message.chat.type == "private":  # in a group, people talk among themselves: not a reason
            await message.answer(tr("staff-reason-reply"))
        return
    if staff.expired(data.get("asked_at")):
        await _close(bot, state, tr, "staff-reason-expired")
        await message.reply(tr("staff-reason-expired"))
        return
    if not 3 <= len(reason) <= MAX_COMMENT_LENGTH:
        await message.reply(tr("staff-reason-length", max=MAX_COMMENT_LENGTH))
        return
    card = data.get("card")
    if data.get("action") == "revoke":
        await _close(bot, state, tr, "staff-reason-taken")
        await _revoke(bot, staff, tr, message, int(data["app"]), reason, (int(card[0]), int(card[1])) if card else None)
        return
    target = staff_action_target(str(data.get("action"))) or Status.NEEDS_DOCUMENTS
    requested = tuple(data.get("kinds", [])) if target is Status.NEEDS_DOCUMENTS else None
    result = await _act(bot, staff, tr, message.from_user, int(data["app"]), int(data["version"]), target, reason,
                        requested, (int(card[0]), int(card[1])) if card else None)
    await _close(bot, state, tr, "staff-reason-taken")
    if isinstance(result, Application):
        await message.reply(tr("staff-done-with-reason", number=result.number,
                               status=tr(f"status-{result.status.value}")))
    else:
        await message.reply(html.quote(await _not_done(result, staff, tr)))


async def _revoke(bot: Bot, staff: StaffService, tr: Tr, message: Message, app_id: int, reason: str,
                  pressed: tuple[int, int] | None) -> None:
    assert message.from_user is not None
    who = _name(message.from_user)
    app = await staff.revoke_book(message.from_user.id, who, app_id, reason)
    if app is None:
        await message.reply(tr("staff-revoke-nothing"))
        return
    await _refresh_cards(bot, staff, app, tr, tr("staff-revoked-by", who=html.quote(who)), pressed)
    await message.reply(tr("staff-revoke-done", number=app.number))


# --- looking: the documents and the full data, each audited as a view ---------------------------------------


@router.callback_query(StaffCb.filter(F.action.in_({"docs", "full"})))
async def on_look(query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator,
                  services: Services) -> None:
    """'Documents to my private chat' and 'Show in full' (the unmasked data): to the staff member's private chat
    only, never the group. The bot can write to a person only after they started it: say so if not."""
    staff = services.staff
    tr = _tr(translator, staff)
    app = await _pressed_on(query, callback_data, staff, tr)
    if app is None:
        return
    who, name = query.from_user.id, _name(query.from_user)
    if callback_data.action == "docs":
        sent = await _send_albums(bot, who, await staff.view_documents(who, name, app))
        done = "staff-documents-sent"
    else:
        try:
            await bot.send_message(who, views.full_data(tr, app, await staff.view_full_data(who, name, app)))
            sent = True
        except TelegramAPIError:
            sent = False
        done = "staff-full-sent"
    await query.answer(tr(done) if sent else tr("staff-start-bot-first"), show_alert=not sent)


@router.callback_query(StaffCb.filter(F.action == "paid"))
async def on_payment_confirmed(query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator,
                               services: Services) -> None:
    staff = services.staff
    tr = _tr(translator, staff)
    app = await staff.get(callback_data.app)
    if app is None or not await staff.confirm_payment(query.from_user.id, _name(query.from_user), app):
        await query.answer(tr("staff-payment-nothing"), show_alert=True)
        return
    await query.answer(tr("staff-done"))
    await _refresh_cards(bot, staff, app, tr, tr("staff-payment-confirmed-by", who=html.quote(_name(query.from_user))),
                         _where(query))


# --- the queue, in the staff member's private chat -----------------------------------------------------------


@private_router.message(CommandStart())
@private_router.message(StateFilter(None), ~F.text.startswith("/"))
async def on_staff_start(message: Message, translator: Translator, services: Services) -> None:
    """Staff get the queue here, not the citizen's consent flow."""
    tr = _tr(translator, services.staff)
    text, keyboard = views.queue(tr, await services.staff.queue())
    await message.answer(text, reply_markup=keyboard)


@router.callback_query(StaffCb.filter(F.action == "queue"))
async def on_queue(query: CallbackQuery, bot: Bot, translator: Translator, services: Services) -> None:
    tr = _tr(translator, services.staff)
    await query.answer()
    text, keyboard = views.queue(tr, await services.staff.queue())
    await _show(bot, query, text, keyboard)


@router.callback_query(StaffCb.filter(F.action == "list"))
async def on_list(query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator,
                  services: Services) -> None:
    tr = _tr(translator, services.staff)
    if callback_data.value not in set(Status):
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    page = await services.staff.queue_page(Status(callback_data.value), callback_data.version)
    await _show(bot, query, *views.queue_page(tr, page))


@router.callback_query(StaffCb.filter(F.action == "open"))
async def on_open(query: CallbackQuery, callback_data: StaffCb, bot: Bot, translator: Translator,
                  services: Services) -> None:
    """The same card, with its buttons, as a new message in the private chat."""
    staff = services.staff
    tr = _tr(translator, staff)
    app = await _pressed_on(query, callback_data, staff, tr)
    if app is None:
        return
    await query.answer()
    text, keyboard = views.card(tr, app, await staff.card_info(app, tr.locale))
    await bot.send_message(_chat(query), text, reply_markup=keyboard)


async def _show(bot: Bot, query: CallbackQuery, text: str, keyboard: Any) -> None:
    where = _where(query)
    if where is None:
        await bot.send_message(query.from_user.id, text, reply_markup=keyboard)
        return
    try:
        await bot.edit_message_text(text, chat_id=where[0], message_id=where[1], reply_markup=keyboard)
    except TelegramBadRequest:
        pass  # unchanged


@router.my_chat_member(F.chat.type.in_({"group", "supergroup"}), ChatMemberUpdatedFilter(JOIN_TRANSITION))
async def on_added_to_group(event: ChatMemberUpdated) -> None:
    """The operator added the bot to a group: the log says which id to put into STAFF_CHAT_ID."""
    log.info("the bot was added to group %s; to review applications there, set STAFF_CHAT_ID=%s",
             event.chat.id, event.chat.id)
