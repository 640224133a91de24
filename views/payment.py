"""How the payment step looks: the price, what it covers, that it is the organisation's own fee, and the
ways to settle it; the screens asking for a receipt or a proof."""

from __future__ import annotations

from decimal import Decimal

from aiogram import html
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import PayCb
from domain.applicant import Draft
from domain.policy import PaymentPolicy
from services.wizard import Screen
from storage.payments import Receipt
from views.wizard import nav_row, progress_line


def format_amount(rubles: Decimal, locale: str) -> str:
    """1500 → «1 500» (ru) / "1,500" (en); kopecks only when there are any: «1 500,50» / "1,500.50"."""
    minor = int((rubles * 100).to_integral_value())
    whole, kopecks = divmod(minor, 100)
    grouped = f"{whole:,}"
    if locale == "ru":
        return grouped.replace(",", " ") + (f",{kopecks:02d}" if kopecks else "")
    return grouped + (f".{kopecks:02d}" if kopecks else "")


def price(tr: Tr, minor_units: int) -> str:
    return tr("pay-price-value", amount=format_amount(Decimal(minor_units) / 100, tr.locale))


def code_key(code: str) -> str:
    return code.replace("_", "-")


def exemption_name(tr: Tr, code: str) -> str:
    return tr(f"pay-exemption-{code_key(code)}")


def covers(pay: PaymentPolicy, tr: Tr) -> str:
    return pay.covers_ru if tr.locale == "ru" else pay.covers_en


def instructions(pay: PaymentPolicy, tr: Tr) -> str:
    return pay.instructions_ru if tr.locale == "ru" else pay.instructions_en


def _status_line(tr: Tr, draft: Draft, receipt: Receipt | None) -> str | None:
    if receipt is not None:
        if receipt.paid_in_telegram:
            return tr("pay-status-paid", amount=price(tr, receipt.amount))
        return tr("pay-status-receipt")
    if draft.payment_exemption is not None:
        return tr("pay-status-exempt", exemption=exemption_name(tr, draft.payment_exemption))
    return None


def _button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=PayCb(action=action, value=value).pack())


def payment_screen(tr: Tr, screen: Screen) -> tuple[str, InlineKeyboardMarkup]:
    assert screen.step is not None and screen.payment is not None
    step, draft, offer = screen.step, screen.draft, screen.payment
    parts = [
        progress_line(tr, step.key, draft, screen.ctx),
        html.bold(tr("pay-title")),
        tr("pay-price", amount=price(tr, offer.policy.price_minor_units)),
        tr("pay-covers", covers=html.quote(covers(offer.policy, tr))),
        tr("pay-fee-note"),
    ]
    status = _status_line(tr, draft, offer.receipt)
    if status is not None:
        parts.append(status)
    rows: list[list[InlineKeyboardButton]] = []
    if offer.receipt is None or not offer.receipt.paid_in_telegram:  # paid in Telegram: nothing more to choose
        parts.append(tr("pay-choose"))
        if offer.in_telegram:
            rows.append([_button(tr("btn-pay-telegram"), "telegram")])
        rows.append([_button(tr("btn-pay-manual"), "manual")])
        rows.extend([_button(tr(f"btn-pay-exempt-{code_key(e.value)}"), "exempt", e.value)] for e in offer.exemptions)
    rows.append(nav_row(tr, step, can_keep=step.rule.filled(draft), can_skip=False))
    return "\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows)


def proof_screen(tr: Tr, text: str) -> tuple[str, InlineKeyboardMarkup]:
    nav = [_button(tr("btn-back"), "back"), _button(tr("btn-cancel"), "cancel")]
    return text, InlineKeyboardMarkup(inline_keyboard=[nav])
