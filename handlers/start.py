"""/start, the consent to data processing, the main menu."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import F, Router, html
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import ConsentCb, MenuCb, consent_keyboard
from domain.consent import CONSENT_VERSION, RETENTION_YEARS
from fsm.states import ConsentFlow
from handlers.menu import MenuSource, menu_view
from handlers.ui import fmt_date, reply_or_edit
from storage.users import User, UserRepository

router = Router(name="start")
# The citizen's side lives in private chats; in the staff group only the staff router answers.
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")


def consent_message(tr: Tr, operator: str | None, contact: str | None) -> str:
    return "\n\n".join(
        [
            html.bold(tr("consent-title", version=CONSENT_VERSION)),
            html.quote(
                tr(
                    "consent-text",
                    operator=operator or tr("consent-operator-unset"),
                    contact=contact or tr("consent-contact-unset"),
                    years=RETENTION_YEARS,
                )
            ),
            tr("consent-question"),
        ]
    )


async def ask_consent(
    target: Message | CallbackQuery, tr: Tr, state: FSMContext, operator: str | None, contact: str | None
) -> None:
    await state.set_state(ConsentFlow.waiting)
    await reply_or_edit(target, consent_message(tr, operator, contact), consent_keyboard(tr))


@router.message(CommandStart())
async def on_start(
    message: Message,
    tr: Tr,
    user: User,
    state: FSMContext,
    operator_name: str | None,
    operator_contact: str | None,
    menu: MenuSource,
) -> None:
    name = html.quote(message.from_user.first_name if message.from_user else "")
    await message.answer(tr("start-greeting", name=name) + "\n\n" + tr("start-not-gosuslugi"))
    if user.has_consent and user.consent_version == CONSENT_VERSION:
        await state.set_state(None)
        text, kb = await menu_view(tr, user, menu)
        await message.answer(text, reply_markup=kb)
        return
    await ask_consent(message, tr, state, operator_name, operator_contact)


@router.callback_query(ConsentCb.filter(F.action == "show"))
async def on_consent_show(
    query: CallbackQuery, tr: Tr, state: FSMContext, operator_name: str | None, operator_contact: str | None
) -> None:
    await query.answer()
    await ask_consent(query, tr, state, operator_name, operator_contact)


@router.callback_query(ConsentCb.filter(F.action == "accept"))
async def on_consent_accept(
    query: CallbackQuery,
    tr: Tr,
    user: User,
    users: UserRepository,
    state: FSMContext,
    tz: ZoneInfo,
    menu: MenuSource,
) -> None:
    user = await users.accept_consent(user.telegram_id, CONSENT_VERSION)
    await state.set_state(None)
    await query.answer()
    await reply_or_edit(query, tr("consent-accepted", date=fmt_date(user.consent_at, tr, tz)))
    text, kb = await menu_view(tr, user, menu)
    await reply_or_edit(query, text, kb, new=True)


@router.callback_query(ConsentCb.filter(F.action == "decline"))
async def on_consent_decline(
    query: CallbackQuery, tr: Tr, user: User, users: UserRepository, state: FSMContext, menu: MenuSource
) -> None:
    user = await users.decline_consent(user.telegram_id)
    await state.set_state(None)
    await query.answer()
    await reply_or_edit(query, tr("consent-declined"))
    text, kb = await menu_view(tr, user, menu)
    await reply_or_edit(query, text, kb, new=True)


@router.callback_query(MenuCb.filter(F.item == "open"))
async def on_menu_open(query: CallbackQuery, tr: Tr, user: User, menu: MenuSource) -> None:
    await query.answer()
    text, kb = await menu_view(tr, user, menu)
    await reply_or_edit(query, text, kb)
