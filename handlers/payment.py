"""Step 11, payment for the organisation's service — only where the operator's policy sets a price.

The screen is views/payment.py's; what each way of paying does is services/payment.py's. Telegram's side
here: sending the invoice, answering the pre-checkout query, and the successful payment.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery

from bot.i18n import Tr
from bot.keyboards import PayCb
from domain.policy import Exemption
from fsm.states import Apply
from services import Services
from storage.users import User
from views import payment as views
from views.files import download_or_explain, rejection, sent_file
from views.menu import menu_view
from views.screens import present
from views.ui import reply_or_edit
from views.wizard import issues_text

router = Router(name="payment")


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message is not None else query.from_user.id


@router.callback_query(StateFilter(Apply.payment), PayCb.filter(F.action == "telegram"))
async def on_pay_in_telegram(
    query: CallbackQuery, bot: Bot, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    pay = services.payment
    profile = await pay.at_payment(user.telegram_id, state)
    if profile is None or pay.provider_token is None:
        await query.answer(tr("hint-button-expired"))
        return
    invoice = await pay.open_invoice(user.telegram_id, profile)
    if invoice is None:
        await query.answer(tr("pay-already-paid"), show_alert=True)
        return
    await query.answer(tr("pay-invoice-sent"))
    await bot.send_invoice(
        chat_id=_chat_id(query),
        title=tr("pay-invoice-title"),
        description=views.covers(pay.policy.payment, tr),
        payload=invoice.payload,
        provider_token=pay.provider_token,
        currency=invoice.currency,
        prices=[LabeledPrice(label=tr("pay-invoice-label"), amount=invoice.amount)],
    )


@router.callback_query(StateFilter(Apply.payment), PayCb.filter(F.action == "manual"))
async def on_pay_by_instructions(query: CallbackQuery, tr: Tr, user: User, state: FSMContext,
                                 services: Services) -> None:
    pay = services.payment
    if await pay.at_payment(user.telegram_id, state) is None:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    await pay.ask_proof(state, None)
    text = tr("pay-manual-ask", instructions=html.quote(views.instructions(pay.policy.payment, tr)))
    await reply_or_edit(query, *views.proof_screen(tr, text))


@router.callback_query(StateFilter(Apply.payment), PayCb.filter(F.action == "exempt"))
async def on_exemption(
    query: CallbackQuery, callback_data: PayCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    pay = services.payment
    profile = await pay.at_payment(user.telegram_id, state)
    if profile is None:
        await query.answer(tr("hint-button-expired"))
        return
    exemption = pay.offered(profile.draft).get(callback_data.value)
    if exemption is None:
        child = callback_data.value == Exemption.CHILD_UNDER_14.value
        await query.answer(tr("pay-child-not-eligible" if child else "hint-button-expired"), show_alert=True)
        return
    await query.answer()
    if not exemption.needs_proof:
        screen = await pay.exempt_without_proof(user.telegram_id, state, profile, exemption)
        note = tr("pay-exemption-saved", exemption=views.exemption_name(tr, exemption.value))
        await present(query, tr, pay.policy, screen, note)
        return
    await pay.ask_proof(state, exemption)
    await reply_or_edit(query, *views.proof_screen(tr, tr(f"pay-proof-ask-{views.code_key(exemption.value)}")))


@router.callback_query(StateFilter(Apply.payment_proof), PayCb.filter(F.action.in_({"back", "cancel"})))
async def on_proof_nav(
    query: CallbackQuery, callback_data: PayCb, tr: Tr, user: User, state: FSMContext, services: Services
) -> None:
    screen = await services.payment.leave_proof(user.telegram_id, state, back=callback_data.action == "back")
    if screen is False:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    if screen is None:  # the wizard's own Cancel, from the payment step
        text, kb = menu_view(tr, await services.accounts.menu(user))
        await reply_or_edit(query, tr("apply-cancelled") + "\n\n" + text, kb)
        return
    await present(query, tr, services.payment.policy, screen)


# --- a receipt or a proof, as a photo or a file -------------------------------------------------------------


async def _proof_expected(_message: Message, state: FSMContext, services: Services) -> bool | dict[str, Any]:
    """Only while a receipt or a proof is being asked for (and the policy still sets a price); anything
    else goes to the catch-all, which explains what this state expects."""
    proof_for = await services.payment.proof_expected(state)
    return {"proof_for": proof_for} if proof_for else False


@router.message(StateFilter(Apply.payment_proof), F.photo | F.document, _proof_expected)
async def on_proof(
    message: Message, bot: Bot, tr: Tr, user: User, state: FSMContext, proof_for: str, services: Services
) -> None:
    allowed = await services.payment.proof_allowed(user.telegram_id, state, proof_for)
    if not allowed:
        if allowed is False:
            await message.answer(tr("hint-button-expired"))
        return
    data = await download_or_explain(message, bot, tr, "pay-proof-retry")
    if data is None:
        return
    settled = await services.payment.receive_proof(user.telegram_id, state, proof_for, data, sent_file(message))
    if settled is None:
        return
    received = settled.received
    if received is not None and received.duplicate:
        await message.answer(tr("pay-proof-duplicate"))
        return
    if settled.screen is None or received is None:
        await message.answer(rejection(tr, received.issues if received else (), "pay-proof-retry"))
        return
    if settled.exemption is not None:
        note = tr("pay-exemption-saved", exemption=views.exemption_name(tr, settled.exemption))
    else:
        note = tr("pay-receipt-saved")
    if received.issues:
        note += "\n" + issues_text(tr, received.issues)
    await present(message, tr, services.payment.policy, settled.screen, note)


# --- Telegram's side of an invoice ------------------------------------------------------------------------


@router.pre_checkout_query()
async def on_pre_checkout(query: PreCheckoutQuery, tr: Tr, services: Services) -> None:
    try:
        problem = await services.payment.checkout_problem(
            query.from_user.id, query.invoice_payload, query.currency, query.total_amount
        )
    except Exception:
        # Telegram waits for an answer (10 s); never leave the person at a spinning «Pay» button.
        await query.answer(ok=False, error_message=tr("pay-error-try-later"))
        raise
    if problem is None:
        await query.answer(ok=True)
    else:
        await query.answer(ok=False, error_message=tr(problem))


@router.message(F.successful_payment)
async def on_successful_payment(message: Message, tr: Tr, user: User, state: FSMContext, services: Services) -> None:
    """Telegram took the money: store the receipt once and settle the draft, in whatever state the person is."""
    paid = message.successful_payment
    if paid is None:
        return
    result = await services.payment.paid(
        user.telegram_id, state, payload=paid.invoice_payload, amount=paid.total_amount, currency=paid.currency,
        telegram_payment_charge_id=paid.telegram_payment_charge_id,
        provider_payment_charge_id=paid.provider_payment_charge_id,
    )
    note = tr("pay-received", amount=views.price(tr, result.receipt.amount))
    if result.screen is not None:
        await present(message, tr, services.payment.policy, result.screen, note)
    elif result.saved_elsewhere:
        await message.answer(note + "\n" + tr("pay-received-saved"))
    elif result.new:
        await message.answer(note)
