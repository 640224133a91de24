"""Putting a wizard screen (services/wizard.py's `Screen`) on Telegram: the step's prompt, the document
step with its files, the payment step, or the summary; a prefix (what was just accepted, or why not) above."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.i18n import Tr
from domain.policy import Policy
from services.wizard import Screen
from views import renewal as renewal_views
from views import wizard as views
from views.payment import payment_screen
from views.ui import reply_or_edit


async def present(target: Message | CallbackQuery, tr: Tr, policy: Policy, screen: Screen, prefix: str = "") -> None:
    categories = views.category_titles(policy, tr)
    step, draft, ctx = screen.step, screen.draft, screen.ctx
    if screen.changes is not None:  # «Renew»: back on 'What changed?'
        text, kb = renewal_views.changes(tr, screen.changes, draft, ctx)
    elif step is None:
        text, kb = views.summary(tr, draft, ctx, categories, submitted=screen.submitted)
    elif screen.again:  # an answer was rejected: the explanation, then the same prompt
        text, kb = views.prompt(tr, step, draft, ctx, categories)
        await reply_or_edit(target, prefix + "\n\n" + text, kb, new=True)
        return
    elif step.kind == "payment":
        text, kb = payment_screen(tr, screen)
    elif step.kind == "upload":
        text, kb = views.upload_prompt(tr, step, draft, ctx, list(screen.files))
    else:
        text, kb = views.prompt(tr, step, draft, ctx, categories)
    if prefix:
        text = prefix + "\n\n" + text
    if step is not None and step.kind == "contact":
        message = target.message if isinstance(target, CallbackQuery) else target
        if isinstance(message, Message):
            await message.answer(text, reply_markup=views.contact_keyboard(tr))
            await message.answer(tr("apply-phone-nav"), reply_markup=kb)
        return
    await reply_or_edit(target, text, kb, new=isinstance(target, Message) or bool(prefix))
