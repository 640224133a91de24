"""How the wizard looks: prompts with progress and navigation, the summary, masked values.

Pure rendering from the draft and the translator; services/wizard.py decides what to show.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import html
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import Tr
from bot.keyboards import ApplyCb, MenuCb, ReviewCb, UploadCb
from domain import wizard
from domain.applicant import Draft, PolicyKind, Relation
from domain.identifiers import mask_tail
from domain.issues import Issue, Severity
from domain.policy import Policy
from fsm.steps import Progress, Step, first_of_section, is_optional, missing, plan, section_progress
from storage.applications import Application
from storage.files import Upload
from storage.profiles import Profile
from views.ui import fmt_date

BAR_CELLS = 10
REMOVE_BUTTONS_PER_ROW = 4  # Telegram takes at most 8 buttons in a row; 4 '🗑 Remove N' fit a phone's width
_TITLES: dict[tuple[int, int, str], tuple[Policy, dict[str, str]]] = {}
KEYBOARD_CACHE_SIZE = 1024  # step keyboards kept by `step_keyboard` (steps x languages x navigation variants)
_KEYBOARDS: dict[tuple[Any, ...], InlineKeyboardMarkup] = {}
PROGRESS_CACHE_SIZE = 1024  # progress lines kept by `progress_line` (languages x steps x kinds of applicant)
_PROGRESS: dict[tuple[Any, str, Progress], str] = {}


def category_titles(policy: Policy, tr: Tr) -> dict[str, str]:
    """The work categories' names in this language (the operator may override them); built once."""
    key = (id(policy), id(tr.translator), tr.locale)
    cached = _TITLES.get(key)
    if cached is not None and cached[0] is policy:
        return cached[1]
    titles = {}
    for code in policy.enabled_categories():
        category = policy.category(code)
        override = category.title_ru if tr.locale == "ru" else category.title_en
        titles[code] = override or tr(f"category-{code.replace('_', '-')}")
    _TITLES[key] = (policy, titles)
    return titles


def section_title(tr: Tr, section: str, draft: Draft, ctx: wizard.Context) -> str:
    return tr("apply-section-" + wizard.section_label(section, draft, ctx))


def progress_line(tr: Tr, step_key: str, draft: Draft, ctx: wizard.Context) -> str:
    """'Passport · 3 of 4 ▰▰▰▰▰▰▱▱▱▱': the place in the section in words, the whole application as a bar.
    A function of the language and the step's `Progress` only, so each line is made once."""
    p = section_progress(step_key, draft, ctx)
    memo = (tr.translator, tr.locale, p)
    line = _PROGRESS.get(memo)
    if line is None:
        filled = round(BAR_CELLS * p.overall_n / p.overall_m) if p.overall_m else 0
        text = tr.fixed("apply-progress", section=tr("apply-section-" + p.section), n=p.n, m=p.m)
        if len(_PROGRESS) >= PROGRESS_CACHE_SIZE:
            _PROGRESS.clear()
        line = _PROGRESS[memo] = text + " " + "▰" * filled + "▱" * (BAR_CELLS - filled)
    return line


def field_label(tr: Tr, key: str, draft: Draft) -> str:
    """A field's name in the summary; a foreign citizen's policy scan is named after the policy they have."""
    if key == "doc_oms_policy" and draft.is_foreign and draft.policy_kind is PolicyKind.DMS:
        return tr("apply-field-doc-dms-policy")
    return tr(f"apply-field-{key.replace('_', '-')}")


def issues_text(tr: Tr, issues: tuple[Issue, ...]) -> str:
    lines = []
    for issue in issues:
        marker = "❌" if issue.severity is Severity.ERROR else "⚠️"
        lines.append(f"{marker} {html.quote(tr(issue.fluent_key, **dict(issue.params)))}")
    return "\n".join(lines)


def choice_label(tr: Tr, key: str, value: str, categories: dict[str, str] | None = None) -> str:
    if key == "category" and categories and value in categories:
        return categories[value]
    return tr(f"choice-{key.replace('_', '-')}-{value.replace('_', '-')}")


def current_value(tr: Tr, step: Step, draft: Draft, categories: dict[str, str]) -> str | None:
    value = step.rule.get(draft)
    if value is None or value == "":
        return None
    return display(tr, step.key, draft, categories)


def display(tr: Tr, key: str, d: Draft, categories: dict[str, str]) -> str:
    """A step's value as the person sees it, identifiers masked."""
    value: Any = wizard.RULES[key].get(d)
    if value is None:
        return "—"
    if value == "":
        return tr("apply-value-skipped")
    match key:
        case "phone":
            if d.phone_typed:
                return f"{mask_phone(value)} ({tr('apply-phone-unconfirmed')})"
            return mask_phone(value)
        case "foreign_passport_country" if value == wizard.OTHER_COUNTRY and d.foreign_passport.country_name:
            return d.foreign_passport.country_name
        case "foreign_passport_number":
            return mask_tail(value, 2, letters=True)
        case "dms_number":
            return mask_tail(value, 4, letters=True)
        case "snils":
            return mask_tail(value, 2)
        case "oms":
            return mask_tail(value, 4)
        case "passport_number":
            return mask_tail(f"{d.passport.series} {value}", 2)
        case "birth_certificate_number":
            return f"{d.birth_certificate.series} {mask_tail(value, 2)}"
        case "address":
            return str(value) if d.postal_index and d.postal_index in value else f"{d.postal_index}, {value}"
        case "sex" | "citizenship" | "category" | "foreign_passport_country" | "policy_kind":
            return choice_label(tr, key, str(value), categories)
        case "photo":
            return tr("apply-photo-accepted")
        case "payment":
            if d.payment_receipt_id is not None:
                return tr("apply-payment-paid")
            return tr("apply-payment-exempt",
                      exemption=tr("pay-exemption-" + str(d.payment_exemption).replace("_", "-")))
    if key.startswith("doc_") and value is True:
        return tr("apply-docs-confirmed")
    if isinstance(value, date):
        return fmt_date(value, tr)
    return str(value)


def mask_phone(e164: str) -> str:
    """+79161234567 → +7 9** ***-**-67: enough to recognise one's own number, not to read it."""
    if len(e164) == 12 and e164.startswith("+79"):
        return f"+7 9** ***-**-{e164[-2:]}"
    return mask_tail(e164, 2)


def nav_row(tr: Tr, step: Step, *, can_keep: bool, can_skip: bool) -> list[InlineKeyboardButton]:
    row = [InlineKeyboardButton(text=tr("btn-back"), callback_data=ApplyCb(action="back", step=step.key).pack())]
    if can_keep:
        row.append(
            InlineKeyboardButton(text=tr("btn-keep"), callback_data=ApplyCb(action="keep", step=step.key).pack())
        )
    if can_skip:
        row.append(
            InlineKeyboardButton(text=tr("btn-skip"), callback_data=ApplyCb(action="skip", step=step.key).pack())
        )
    row.append(
        InlineKeyboardButton(text=tr("btn-cancel"), callback_data=ApplyCb(action="cancel", step=step.key).pack())
    )
    return row


def prompt(
    tr: Tr, step: Step, draft: Draft, ctx: wizard.Context, categories: dict[str, str]
) -> tuple[str, InlineKeyboardMarkup]:
    parts = [progress_line(tr, step.key, draft, ctx),
             tr.fixed(step.prompt_key, child="yes" if draft.relation is Relation.CHILD else "no")]
    if step.kind == "contact":  # people without the contact button may type the number
        parts.append(tr("apply-phone-typed-note"))
    now = current_value(tr, step, draft, categories)
    if now is not None:
        parts.append(tr("apply-current-value", value=html.quote(now)))
    choices = tuple((value, choice_label(tr, step.key, value, categories)) for value in step.rule.choices(ctx))
    return "\n\n".join(parts), step_keyboard(
        tr, step, choices, can_keep=now is not None, can_skip=is_optional(step, draft, ctx)
    )


def step_keyboard(
    tr: Tr, step: Step, choices: tuple[tuple[str, str], ...], *, can_keep: bool, can_skip: bool
) -> InlineKeyboardMarkup:
    """A step's buttons: one per choice (value, label), then the navigation row. Aiogram's keyboard types are
    frozen, so a markup is built once per (translator, language, step, choices, navigation) and shared: building
    it (pydantic models, CallbackData.pack) cost ~0.1 ms a step. Built directly rather than with
    InlineKeyboardBuilder, whose export() deep-copies every button."""
    memo = (tr.translator, tr.locale, step.key, choices, can_keep, can_skip)
    markup = _KEYBOARDS.get(memo)
    if markup is None:
        rows = [
            [InlineKeyboardButton(text=label, callback_data=ApplyCb(action="pick", step=step.key, value=value).pack())]
            for value, label in choices
        ]
        rows.append(nav_row(tr, step, can_keep=can_keep, can_skip=can_skip))
        if len(_KEYBOARDS) >= KEYBOARD_CACHE_SIZE:
            _KEYBOARDS.clear()
        markup = _KEYBOARDS[memo] = InlineKeyboardMarkup(inline_keyboard=rows)
    return markup


def upload_line(tr: Tr, n: int, upload: Upload) -> str:
    kind = (upload.detected_type or "").upper()
    if upload.detected_type == "pdf":
        return tr("apply-upload-item-pdf", n=n, pages=upload.pages, size_kb=max(1, upload.size // 1024))
    return tr("apply-upload-item-image", n=n, kind=kind, width=str(upload.width or 0),
              height=str(upload.height or 0), size_kb=max(1, upload.size // 1024))


def upload_prompt(
    tr: Tr, step: Step, draft: Draft, ctx: wizard.Context, files: list[Upload]
) -> tuple[str, InlineKeyboardMarkup]:
    """A document step: what to send, what is already accepted (each removable), "Done"."""
    kind = step.key.removeprefix("doc_")
    parts = [progress_line(tr, step.key, draft, ctx), tr(step.prompt_key), tr("apply-upload-rules")]
    rows: list[list[InlineKeyboardButton]] = []
    if files:
        parts.append(tr("apply-upload-accepted-title") + "\n" + "\n".join(
            upload_line(tr, i, f) for i, f in enumerate(files, 1)))
        removes = [
            InlineKeyboardButton(
                text=tr("btn-remove-file", n=i),
                callback_data=UploadCb(action="remove", step=step.key, value=str(f.id)).pack(),
            )
            for i, f in enumerate(files, 1)
        ]
        rows.extend(removes[i:i + REMOVE_BUTTONS_PER_ROW] for i in range(0, len(removes), REMOVE_BUTTONS_PER_ROW))
        rows.append([InlineKeyboardButton(
            text=tr("btn-upload-done"), callback_data=UploadCb(action="done", step=step.key, value=kind).pack()
        )])
    rows.append(nav_row(tr, step, can_keep=step.rule.filled(draft) and bool(files),
                        can_skip=is_optional(step, draft, ctx)))
    return "\n\n".join(parts), InlineKeyboardMarkup(inline_keyboard=rows)


def contact_keyboard(tr: Tr) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=tr("btn-share-contact"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
        input_field_placeholder=tr("apply-phone-placeholder"),
    )


def profile_title(tr: Tr, profile: Profile) -> str:
    name = profile.draft.full_name()
    who = tr("apply-profile-self") if profile.relation is Relation.SELF else tr("apply-profile-child")
    return f"{name} ({who})" if name else tr("apply-profile-new", who=who)


def profiles_view(tr: Tr, profiles: list[Profile]) -> tuple[str, InlineKeyboardMarkup]:
    b = InlineKeyboardBuilder()
    for p in profiles:
        b.row(
            InlineKeyboardButton(
                text=profile_title(tr, p), callback_data=ApplyCb(action="profile", value=str(p.id)).pack()
            )
        )
    new = [("self", "btn-apply-for-self")] if not any(p.relation is Relation.SELF for p in profiles) else []
    for value, key in [*new, ("child", "btn-apply-for-child")]:
        b.row(InlineKeyboardButton(text=tr(key), callback_data=ApplyCb(action="new", value=value).pack()))
    b.row(InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack()))
    text = tr("apply-choose-profile") if profiles else tr("apply-choose-whom")
    return text, b.as_markup()


def summary_text(tr: Tr, draft: Draft, ctx: wizard.Context, categories: dict[str, str]) -> str:
    return summary(tr, draft, ctx, categories)[0]


def summary(
    tr: Tr, draft: Draft, ctx: wizard.Context, categories: dict[str, str], *, submitted: Application | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    lines = [html.bold(tr("apply-summary-title"))]
    sections_present: list[str] = []
    applying = plan(draft, ctx).steps
    for section in wizard.SECTIONS:
        steps = [s for s in applying if s.section == section]
        if not steps:
            continue
        sections_present.append(section)
        lines.append("")
        lines.append(html.bold(section_title(tr, section, draft, ctx)))
        if section == "employer" and draft.employer_skipped:
            lines.append(tr("apply-employer-skipped"))
            continue
        for s in steps:
            if s.key == "foreign_passport_country_name":  # shown as the country itself
                continue
            lines.append(f"{field_label(tr, s.key, draft)}: {html.quote(display(tr, s.key, draft, categories))}")
    gaps = missing(draft, ctx)
    lines.append("")
    if submitted is not None:
        lines.append(tr("review-already-submitted", number=submitted.number,
                        status=tr(f"status-{submitted.status.value}")))
        b = InlineKeyboardBuilder()
        b.row(InlineKeyboardButton(text=tr("btn-my-applications"), callback_data=MenuCb(item="mine").pack()))
        b.row(InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack()))
        return "\n".join(lines), b.as_markup()
    if gaps:
        lines.append(html.bold(tr("apply-summary-missing")))
        lines.extend("• " + field_label(tr, s.key, draft) for s in gaps)
    else:
        lines.append(tr("apply-summary-complete"))
    b = InlineKeyboardBuilder()
    for section in sections_present:
        first = first_of_section(section, draft, ctx)
        b.button(
            text=tr("btn-edit-section", section=section_title(tr, section, draft, ctx)),
            callback_data=ApplyCb(action="edit", step=first.key, value=section),
        )
    b.adjust(2)
    for gap in gaps:  # a button to each missing item
        label = tr("btn-fill-field", field=field_label(tr, gap.key, draft))
        b.row(InlineKeyboardButton(text=label, callback_data=ApplyCb(action="fill", step=gap.key).pack()))
    if not gaps:
        b.row(InlineKeyboardButton(text=tr("btn-sign-and-send"), callback_data=ReviewCb(action="sign").pack()))
    b.row(InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack()))
    return "\n".join(lines), b.as_markup()
