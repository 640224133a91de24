"""/start, the consent to data processing, the main menu."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from bot.keyboards import ConsentCb, MenuCb, consent_keyboard
from domain.consent import CONSENT_VERSION, RETENTION_YEARS
from fsm.states import ConsentFlow
from services import Services
from storage.users import User
from views.menu import menu_view
from views.ui import fmt_date, reply_or_edit

router = Router(name="start")


def consent_message(tr: Tr, operator: str, address: str, contact: str) -> str:
    return "\n\n".join(
        [
            html.bold(tr("consent-title", version=CONSENT_VERSION)),
            html.quote(
                tr(
                    "consent-text",
                    operator=operator,
                    address=address,
                    contact=contact,
                    years=RETENTION_YEARS,
                )
            ),
            tr("consent-question"),
        ]
    )


async def ask_consent(target: Message | CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    accounts = services.accounts
    await accounts.ask_consent(state, ConsentFlow.waiting)
    await reply_or_edit(target, consent_message(tr, accounts.operator_name, accounts.operator_address,
                                                  accounts.operator_contact), consent_keyboard(tr))


@router.message(CommandStart())
async def on_start(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    name = html.quote(message.from_user.first_name if message.from_user else "")
    await message.answer(tr("start-greeting", name=name) + "\n\n" + tr("start-not-gosuslugi"))
    if services.accounts.consent_current(user):
        await state.set_state(None)
        text, kb = menu_view(tr, await services.accounts.menu(user))
        await message.answer(text, reply_markup=kb)
        return
    await ask_consent(message, tr, state, services)


@router.callback_query(ConsentCb.filter(F.action == "show"))
async def on_consent_show(query: CallbackQuery, tr: Tr, state: FSMContext, services: Services) -> None:
    await query.answer()
    await ask_consent(query, tr, state, services)


@router.callback_query(ConsentCb.filter(F.action == "accept"))
async def on_consent_accept(
    query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    user = await services.accounts.accept_consent(user, state)
    await query.answer()
    await reply_or_edit(query, tr("consent-accepted", date=fmt_date(user.consent_at, tr, services.tz)))
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await reply_or_edit(query, text, kb, new=True)


@router.callback_query(ConsentCb.filter(F.action == "decline"))
async def on_consent_decline(query: CallbackQuery, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    user = await services.accounts.decline_consent(user, state)
    await query.answer()
    await reply_or_edit(query, tr("consent-declined"))
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await reply_or_edit(query, text, kb, new=True)


@router.callback_query(MenuCb.filter(F.item == "open"))
async def on_menu_open(query: CallbackQuery, tr: Tr, user: User, services: Services) -> None:
    await query.answer()
    text, kb = menu_view(tr, await services.accounts.menu(user))
    await reply_or_edit(query, text, kb)
