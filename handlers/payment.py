"""Step 11, payment for the organisation's service — only where the operator's policy sets a price.

The screen (registered as the wizard's renderer for the "payment" step) shows the price, what it covers and
that it is the organisation's own fee, then offers: an invoice inside Telegram (when a payment provider token
is configured), paying by the operator's instructions and uploading the receipt, or an exemption the policy
allows (students and pensioners upload a proof; a child under 14 needs none — the age comes from the draft).

Telegram's side: every invoice we send is remembered as a pending row under a random payload; a pre-checkout
query is approved only for such an invoice of this person, at today's price; the successful payment is stored
once (its charge id is unique) and settles the draft, wherever the person is in the conversation.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    Message,
    PreCheckoutQuery,
)

from bot.i18n import Tr, Translator
from bot.keyboards import ApplyCb
from bot.media import MediaWorker
from domain import person
from domain.applicant import Draft
from domain.policy import Exemption, Policy
from fsm.states import Apply
from fsm.steps import STEP_BY_KEY, Step, progress
from handlers import apply
from handlers.apply import STEP_RENDERERS, WIZARD_MIDDLEWARE, Wizard
from handlers.apply_views import issues_text, nav_row, progress_line
from handlers.ui import reply_or_edit
from handlers.uploads import receive_scan
from storage.files import FileStore
from storage.payments import PaymentRepository, Receipt, find_receipt
from storage.profiles import Profile, ProfileRepository
from storage.users import UserRepository

router = Router(name="payment")
# The citizen's side lives in private chats; in the staff group only the staff router answers.
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")
router.message.middleware(WIZARD_MIDDLEWARE)
router.callback_query.middleware(WIZARD_MIDDLEWARE)

PAYLOAD_PREFIX = "emk-pay"
PROOF_RECEIPT = "receipt"
PROOF_EXEMPTION = "exemption:"
RECEIPT_KIND = "payment_receipt"  # uploads.kind of a receipt paid by the operator's instructions
PROOF_KIND = "exemption_proof"  # uploads.kind of the proof of an exemption
CHILD_EXEMPTION_AGE = 14


class PayCb(CallbackData, prefix="pay"):
    """A button of the payment step."""

    action: str  # telegram | manual | exempt | back | cancel
    value: str = ""


def _token(wiz: Wizard) -> str | None:
    return wiz.payment_token or None


# --- texts ------------------------------------------------------------------------------------------------


def format_amount(rubles: Decimal, locale: str) -> str:
    """1500 → «1 500» (ru) / "1,500" (en); kopecks only when there are any: «1 500,50» / "1,500.50"."""
    minor = int((rubles * 100).to_integral_value())
    whole, kopecks = divmod(minor, 100)
    grouped = f"{whole:,}"
    if locale == "ru":
        return grouped.replace(",", " ") + (f",{kopecks:02d}" if kopecks else "")
    return grouped + (f".{kopecks:02d}" if kopecks else "")


def _price(tr: Tr, minor_units: int) -> str:
    return tr("pay-price-value", amount=format_amount(Decimal(minor_units) / 100, tr.locale))


def _code_key(code: str) -> str:
    return code.replace("_", "-")


def _exemption_name(tr: Tr, code: str) -> str:
    return tr(f"pay-exemption-{_code_key(code)}")


def _covers(policy: Policy, tr: Tr) -> str:
    return policy.payment.covers_ru if tr.locale == "ru" else policy.payment.covers_en


def _instructions(policy: Policy, tr: Tr) -> str:
    return policy.payment.instructions_ru if tr.locale == "ru" else policy.payment.instructions_en


def _child_under_14(draft: Draft, wiz: Wizard) -> bool:
    return draft.birth_date is not None and person.age_on(draft.birth_date, wiz.ctx.today) < CHILD_EXEMPTION_AGE


def offered_exemptions(wiz: Wizard, draft: Draft) -> list[Exemption]:
    """The policy's exemptions this applicant may claim (a child's one only for a child under 14)."""
    return [
        e for e in wiz.policy.payment.exemptions
        if e is not Exemption.CHILD_UNDER_14 or _child_under_14(draft, wiz)
    ]


def _status_line(tr: Tr, draft: Draft, receipt: Receipt | None) -> str | None:
    if receipt is not None:
        if receipt.paid_in_telegram:
            return tr("pay-status-paid", amount=_price(tr, receipt.amount))
        return tr("pay-status-receipt")
    if draft.payment_exemption is not None:
        return tr("pay-status-exempt", exemption=_exemption_name(tr, draft.payment_exemption))
    return None


# --- the screen -------------------------------------------------------------------------------------------


async def payment_screen(wiz: Wizard, step: Step, draft: Draft) -> tuple[str, InlineKeyboardMarkup]:
    tr, policy = wiz.tr, wiz.policy
    n, m = progress(step.key, draft, wiz.ctx)
    receipt = None
    if draft.payment_receipt_id is not None:
        receipt = await find_receipt(wiz.profiles.engine, draft.payment_receipt_id, wiz.user.telegram_id)
    parts = [
        progress_line(tr, n, m),
        html.bold(tr("pay-title")),
        tr("pay-price", amount=_price(tr, policy.payment.price_minor_units)),
        tr("pay-covers", covers=html.quote(_covers(policy, tr))),
        tr("pay-fee-note"),
    ]
    status = _status_line(tr, draft, receipt)
    if status is not None:
        parts.append(status)
    rows: list[list[InlineKeyboardButton]] = []
    if receipt is None or not receipt.paid_in_telegram:  # paid in Telegram: nothing more to choose
        parts.append(tr("pay-choose"))
        if _token(wiz):
            rows.append([_button(tr("btn-pay-telegram"), "telegram")])
        rows.append([_button(tr("btn-pay-manual"), "manual")])
        rows.extend(
            [_button(tr(f"btn-pay-exempt-{_code_key(e.value)}"), "exempt", e.value)]
            for e in offered_exemptions(wiz, draft)
        )
    rows.append(nav_row(tr, step, can_keep=step.rule.filled(draft), can_skip=False))
    return "\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows)


def _button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=PayCb(action=action, value=value).pack())


async def render_payment(
    wiz: Wizard, target: Message | CallbackQuery, step: Step, draft: Draft, prefix: str = ""
) -> None:
    text, kb = await payment_screen(wiz, step, draft)
    if prefix:
        text = prefix + "\n\n" + text
    await reply_or_edit(target, text, kb, new=isinstance(target, Message) or bool(prefix))


STEP_RENDERERS["payment"] = render_payment


def _proof_screen(tr: Tr, text: str) -> tuple[str, InlineKeyboardMarkup]:
    nav = [_button(tr("btn-back"), "back"), _button(tr("btn-cancel"), "cancel")]
    return text, InlineKeyboardMarkup(inline_keyboard=[nav])


# --- buttons of the screen --------------------------------------------------------------------------------


async def _at_payment(query: CallbackQuery, wiz: Wizard) -> Profile | None:
    """The profile whose payment screen was pressed; None (and a hint) for a stale button."""
    profile = await wiz.profile()
    if profile is None or not wiz.ctx.payment_required:
        await query.answer(wiz.tr("hint-button-expired"))
        return None
    return profile


def _chat_id(query: CallbackQuery) -> int:
    return query.message.chat.id if query.message is not None else query.from_user.id


@router.callback_query(StateFilter(Apply.payment), PayCb.filter(F.action == "telegram"))
async def on_pay_in_telegram(
    query: CallbackQuery, bot: Bot, wiz: Wizard, payments: PaymentRepository, payment_token: str | None
) -> None:
    profile = await _at_payment(query, wiz)
    if profile is None:
        return
    if not payment_token:
        await query.answer(wiz.tr("hint-button-expired"))
        return
    if profile.draft.payment_receipt_id is not None:
        paid = await payments.get(profile.draft.payment_receipt_id, wiz.user.telegram_id)
        if paid is not None and paid.paid_in_telegram:
            await query.answer(wiz.tr("pay-already-paid"), show_alert=True)
            return
    pay = wiz.policy.payment
    payload = f"{PAYLOAD_PREFIX}:{profile.id}:{secrets.token_hex(8)}"
    await payments.open_invoice(
        owner_id=wiz.user.telegram_id, profile_id=profile.id, payload=payload, amount=pay.price_minor_units,
        currency=pay.currency,
    )
    await query.answer(wiz.tr("pay-invoice-sent"))
    await bot.send_invoice(
        chat_id=_chat_id(query),
        title=wiz.tr("pay-invoice-title"),
        description=_covers(wiz.policy, wiz.tr),
        payload=payload,
        provider_token=payment_token,
        currency=pay.currency,
        prices=[LabeledPrice(label=wiz.tr("pay-invoice-label"), amount=pay.price_minor_units)],
    )


@router.callback_query(StateFilter(Apply.payment), PayCb.filter(F.action == "manual"))
async def on_pay_by_instructions(query: CallbackQuery, wiz: Wizard) -> None:
    if await _at_payment(query, wiz) is None:
        return
    await query.answer()
    await wiz.state.set_state(Apply.payment_proof)
    await wiz.state.update_data(proof_for=PROOF_RECEIPT)
    text = wiz.tr("pay-manual-ask", instructions=html.quote(_instructions(wiz.policy, wiz.tr)))
    await reply_or_edit(query, *_proof_screen(wiz.tr, text))


@router.callback_query(StateFilter(Apply.payment), PayCb.filter(F.action == "exempt"))
async def on_exemption(query: CallbackQuery, callback_data: PayCb, wiz: Wizard) -> None:
    profile = await _at_payment(query, wiz)
    if profile is None:
        return
    offered = {e.value: e for e in offered_exemptions(wiz, profile.draft)}
    exemption = offered.get(callback_data.value)
    if exemption is None:
        child = callback_data.value == Exemption.CHILD_UNDER_14.value
        await query.answer(wiz.tr("pay-child-not-eligible" if child else "hint-button-expired"), show_alert=True)
        return
    await query.answer()
    if not exemption.needs_proof:  # a child under 14: the birth date in the draft is the proof
        await _retire_previous(wiz, profile.draft)
        draft = _settle(profile.draft, exemption=exemption.value)
        note = wiz.tr("pay-exemption-saved", exemption=_exemption_name(wiz.tr, exemption.value))
        await wiz.advance(query, profile, STEP_BY_KEY["payment"], draft, note)
        return
    await wiz.state.set_state(Apply.payment_proof)
    await wiz.state.update_data(proof_for=PROOF_EXEMPTION + exemption.value)
    await reply_or_edit(query, *_proof_screen(wiz.tr, wiz.tr(f"pay-proof-ask-{_code_key(exemption.value)}")))


@router.callback_query(StateFilter(Apply.payment_proof), PayCb.filter(F.action.in_({"back", "cancel"})))
async def on_proof_nav(query: CallbackQuery, callback_data: PayCb, wiz: Wizard) -> None:
    profile = await wiz.profile()
    if profile is None:
        await query.answer(wiz.tr("hint-button-expired"))
        return
    await wiz.state.update_data(proof_for=None)
    await wiz.state.set_state(Apply.payment)
    if callback_data.action == "cancel":  # the wizard's own Cancel button, from the payment step
        await apply.on_cancel(query, ApplyCb(action="cancel", step="payment"), wiz)
        return
    await query.answer()
    await wiz.show(query, STEP_BY_KEY["payment"], profile.draft)


# --- a receipt or a proof, as a photo or a file -------------------------------------------------------------


async def _proof_expected(_message: Message, state: FSMContext, policy: Policy) -> bool | dict[str, Any]:
    """Only while a receipt or a proof is being asked for (and the policy still sets a price); anything
    else goes to the catch-all, which explains what this state expects."""
    proof_for = (await state.get_data()).get("proof_for")
    if not isinstance(proof_for, str) or not proof_for or not policy.requires_payment:
        return False
    return {"proof_for": proof_for}


@router.message(StateFilter(Apply.payment_proof), F.photo | F.document, _proof_expected)
async def on_proof(
    message: Message,
    bot: Bot,
    wiz: Wizard,
    proof_for: str,
    media: MediaWorker,
    files: FileStore,
    payments: PaymentRepository,
) -> None:
    profile = await wiz.profile()
    if profile is None:
        return
    exemption = proof_for.removeprefix(PROOF_EXEMPTION) if proof_for.startswith(PROOF_EXEMPTION) else None
    if exemption is not None and exemption not in {e.value for e in offered_exemptions(wiz, profile.draft)}:
        await message.answer(wiz.tr("hint-button-expired"))
        return
    received = await receive_scan(
        message, bot, wiz, media, files, profile_id=profile.id, kind=PROOF_KIND if exemption else RECEIPT_KIND,
        retry_key="pay-proof-retry", duplicate_key="pay-proof-duplicate",
        # a receipt sent again as a proof (or the reverse) is fine; a passport scan as a receipt is not
        refuse_duplicate=lambda earlier: earlier.kind not in {RECEIPT_KIND, PROOF_KIND},
    )
    if received is None:
        return
    upload, result = received
    await _retire_previous(wiz, profile.draft)
    if exemption is not None:
        draft = _settle(profile.draft, exemption=exemption, proof=upload.id)
        note = wiz.tr("pay-exemption-saved", exemption=_exemption_name(wiz.tr, exemption))
    else:
        pay = wiz.policy.payment
        receipt = await payments.record_manual(
            owner_id=wiz.user.telegram_id, profile_id=profile.id, upload_id=upload.id,
            amount=pay.price_minor_units, currency=pay.currency,
        )
        draft = _settle(profile.draft, receipt=receipt.id)
        note = wiz.tr("pay-receipt-saved")
    if result.issues:
        note += "\n" + issues_text(wiz.tr, result.issues)
    await wiz.state.update_data(proof_for=None)
    await wiz.advance(message, profile, STEP_BY_KEY["payment"], draft, note)


def _settle(
    draft: Draft, *, receipt: int | None = None, exemption: str | None = None, proof: int | None = None
) -> Draft:
    """One way of settling replaces any other: a receipt, or an exemption (with its proof where needed)."""
    return draft.model_copy(
        update={"payment_receipt_id": receipt, "payment_exemption": exemption, "payment_proof_upload_id": proof}
    )


async def _retire_previous(wiz: Wizard, draft: Draft) -> None:
    """Files of a way of paying that is being replaced are no longer part of the application."""
    owner = wiz.user.telegram_id
    if draft.payment_proof_upload_id is not None:
        await wiz.uploads.set_status(draft.payment_proof_upload_id, owner, "removed")
    if draft.payment_receipt_id is not None:
        old = await find_receipt(wiz.profiles.engine, draft.payment_receipt_id, owner)
        if old is not None and old.upload_id is not None:
            await wiz.uploads.set_status(old.upload_id, owner, "removed")


# --- Telegram's side of an invoice ------------------------------------------------------------------------


def _profile_of(payload: str) -> int | None:
    parts = payload.split(":")
    if len(parts) != 3 or parts[0] != PAYLOAD_PREFIX or not parts[1].isdigit():
        return None
    return int(parts[1])


async def _checkout_problem(
    query: PreCheckoutQuery, payments: PaymentRepository, profiles: ProfileRepository, policy: Policy
) -> str | None:
    """Why this payment must not go through (a Fluent key), or None when it may."""
    pay = policy.payment
    if not policy.requires_payment:
        return "pay-error-not-needed"
    owner = query.from_user.id
    profile_id = _profile_of(query.invoice_payload)
    invoice = await payments.by_payload(query.invoice_payload)
    if invoice is None or invoice.owner_id != owner or invoice.profile_id != profile_id or not invoice.pending:
        return "pay-error-unknown-invoice"
    if query.currency != pay.currency or query.total_amount != pay.price_minor_units:
        return "pay-error-amount"
    if invoice.currency != query.currency or invoice.amount != query.total_amount:
        return "pay-error-amount"
    profile = await profiles.get(profile_id, owner) if profile_id is not None else None
    if profile is None:
        return "pay-error-unknown-invoice"
    if profile.draft.payment_receipt_id is not None:
        paid = await payments.get(profile.draft.payment_receipt_id, owner)
        if paid is not None and paid.paid_in_telegram:
            return "pay-error-already-paid"
    return None


@router.pre_checkout_query()
async def on_pre_checkout(
    query: PreCheckoutQuery,
    translator: Translator,
    users: UserRepository,
    profiles: ProfileRepository,
    payments: PaymentRepository,
    policy: Policy,
) -> None:
    stored = await users.get(query.from_user.id)
    tr = translator.bind(translator.resolve_locale(stored.locale if stored else None, query.from_user.language_code))
    try:
        problem = await _checkout_problem(query, payments, profiles, policy)
    except Exception:
        # Telegram waits for an answer (10 s); never leave the person at a spinning «Pay» button.
        await query.answer(ok=False, error_message=tr("pay-error-try-later"))
        raise
    if problem is None:
        await query.answer(ok=True)
    else:
        await query.answer(ok=False, error_message=tr(problem))


@router.message(F.successful_payment)
async def on_successful_payment(message: Message, wiz: Wizard, payments: PaymentRepository) -> None:
    """Telegram took the money: store the receipt once and settle the draft, in whatever state the person is."""
    paid = message.successful_payment
    if paid is None:
        return
    owner = wiz.user.telegram_id
    profile_id = _profile_of(paid.invoice_payload)
    profile = await wiz.profiles.get(profile_id, owner) if profile_id is not None else None
    receipt, new = await payments.record_telegram(
        owner_id=owner, profile_id=profile.id if profile else None, payload=paid.invoice_payload,
        amount=paid.total_amount, currency=paid.currency,
        telegram_payment_charge_id=paid.telegram_payment_charge_id,
        provider_payment_charge_id=paid.provider_payment_charge_id,
    )
    note = wiz.tr("pay-received", amount=_price(wiz.tr, receipt.amount))
    if profile is None:
        if new:
            await message.answer(note)
        return
    if not new and profile.draft.payment_receipt_id == receipt.id:
        return  # Telegram delivered the same payment again: already stored and settled
    await _retire_previous(wiz, profile.draft)
    draft = _settle(profile.draft, receipt=receipt.id)
    current = await wiz.state.get_state()
    same_profile = (await wiz.state.get_data()).get("profile_id") == profile.id
    if same_profile and current in {Apply.payment.state, Apply.payment_proof.state}:
        await wiz.state.update_data(proof_for=None)
        await wiz.advance(message, profile, STEP_BY_KEY["payment"], draft, note)
        return
    await wiz.profiles.save(profile, draft, profile.step)
    if same_profile and current == Apply.summary.state:  # the summary on screen no longer lists it as missing
        await wiz.show_summary(message, draft, note)
        return
    await message.answer(note + "\n" + wiz.tr("pay-received-saved"))
