"""The application wizard (steps 1–5 and 7): one generic route per input kind, driven by fsm/steps.py.

A typed answer, a shared contact or a pressed choice is checked by domain/wizard.py; a good answer is
saved to the person's profile (encrypted) before the next step is shown, so a restart resumes exactly here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import BaseMiddleware, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove, TelegramObject

from bot.i18n import Tr
from bot.keyboards import ApplyCb, MenuCb
from domain import wizard
from domain.applicant import Draft, Relation
from domain.clock import Clock
from domain.policy import Policy
from domain.status import is_final
from fsm.states import Apply
from fsm.steps import STEP_BY_KEY, STEP_BY_STATE, STEPS, Step, first_unfilled, next_step, prev_step
from handlers import apply_views as views
from handlers.menu import MenuSource, menu_view
from handlers.ui import reply_or_edit
from storage.applications import Application, ApplicationRepository
from storage.db import transaction
from storage.files import UploadRepository
from storage.profiles import Profile, ProfileRepository
from storage.users import User

router = Router(name="apply")
# The citizen's side lives in private chats; in the staff group only the staff router answers.
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")

TEXT_STATES = [s.state for s in STEPS if s.kind == "text"]
CONTACT_STATES = [s.state for s in STEPS if s.kind == "contact"]


_CONTEXTS: dict[tuple[int, date], tuple[Policy, wizard.Context]] = {}
_TITLES: dict[tuple[int, int, str], tuple[Policy, dict[str, str]]] = {}


def context(policy: Policy, clock: Clock, tz: ZoneInfo) -> wizard.Context:
    """The rules' context for today under the policy; both are immutable, so it is built once a day."""
    today = clock.now().astimezone(tz).date()
    cached = _CONTEXTS.get((id(policy), today))
    if cached is not None and cached[0] is policy:
        return cached[1]
    if len(_CONTEXTS) > 16:
        _CONTEXTS.clear()
    ctx = _build_context(policy, today)
    _CONTEXTS[(id(policy), today)] = (policy, ctx)
    return ctx


def _build_context(policy: Policy, today: date) -> wizard.Context:
    docs = policy.documents
    return wizard.Context(
        today=today,
        categories=tuple(policy.enabled_categories()),
        documents_adult=tuple(docs.required_adult),
        documents_child=tuple(docs.required_child),
        documents_optional=tuple(docs.optional),
        payment_required=policy.requires_payment,
        exemptions_needing_proof=tuple(e.value for e in policy.payment.exemptions if e.needs_proof),
    )


def category_titles(policy: Policy, tr: Tr) -> dict[str, str]:
    key = (id(policy), id(tr.translator), tr.locale)
    cached = _TITLES.get(key)
    if cached is not None and cached[0] is policy:
        return cached[1]
    titles = _build_titles(policy, tr)
    _TITLES[key] = (policy, titles)
    return titles


def _build_titles(policy: Policy, tr: Tr) -> dict[str, str]:
    titles = {}
    for code in policy.enabled_categories():
        category = policy.category(code)
        override = category.title_ru if tr.locale == "ru" else category.title_en
        titles[code] = override or tr(f"category-{code.replace('_', '-')}")
    return titles


StepRenderer = Callable[["Wizard", "Message | CallbackQuery", Step, Draft, str], Awaitable[None]]
STEP_RENDERERS: dict[str, StepRenderer] = {}


class Wizard:
    """What one update needs to move the wizard: built per update from injected dependencies."""

    def __init__(
        self, tr: Tr, state: FSMContext, user: User, profiles: ProfileRepository, policy: Policy, clock: Clock,
        tz: ZoneInfo, uploads: UploadRepository, applications: ApplicationRepository,
        payment_token: str | None = None,
    ) -> None:
        self.tr, self.state, self.user, self.profiles, self.uploads = tr, state, user, profiles, uploads
        self.applications = applications
        self.payment_token = payment_token
        self.policy = policy
        self.ctx = context(policy, clock, tz)
        self.categories = category_titles(policy, tr)

    async def profile(self) -> Profile | None:
        data = await self.state.get_data()
        pid = data.get("profile_id")
        return await self.profiles.get(int(pid), self.user.telegram_id) if pid is not None else None

    async def show(self, target: Message | CallbackQuery, step: Step, draft: Draft, prefix: str = "") -> None:
        await self.state.set_state(step.state)
        renderer = STEP_RENDERERS.get(step.kind)
        if renderer is not None:  # steps with a screen of their own (payment) register a renderer
            await renderer(self, target, step, draft, prefix)
            return
        if step.kind == "upload":
            profile = await self.profile()
            files = await self.uploads.list_for(profile.id, step.key.removeprefix("doc_")) if profile else []
            text, kb = views.upload_prompt(self.tr, step, draft, self.ctx, files)
        else:
            text, kb = views.prompt(self.tr, step, draft, self.ctx, self.categories)
        if prefix:
            text = prefix + "\n\n" + text
        if step.kind == "contact":
            message = target.message if isinstance(target, CallbackQuery) else target
            if isinstance(message, Message):
                await message.answer(text, reply_markup=views.contact_keyboard(self.tr))
                await message.answer(self.tr("apply-phone-nav"), reply_markup=kb)
            return
        await reply_or_edit(target, text, kb, new=isinstance(target, Message) or bool(prefix))

    async def active_application(self) -> Application | None:
        """The application submitted from this profile that is still being decided, if any."""
        profile = await self.profile()
        if profile is None:
            return None
        for app in await self.applications.list_for(self.user.telegram_id):
            if app.profile_id == profile.id and not is_final(app.status):
                return app
        return None

    async def show_summary(self, target: Message | CallbackQuery, draft: Draft, prefix: str = "") -> None:
        await self.state.set_state(Apply.summary)
        await self.state.update_data(editing=False)
        text, kb = views.summary(self.tr, draft, self.ctx, self.categories, submitted=await self.active_application())
        if prefix:
            text = prefix + "\n\n" + text
        await reply_or_edit(target, text, kb, new=isinstance(target, Message) or bool(prefix))

    async def advance(
        self, target: Message | CallbackQuery, profile: Profile, step: Step, draft: Draft, prefix: str = ""
    ) -> None:
        """Save the draft and show what comes after `step`: the next step, or the summary."""
        editing = bool((await self.state.get_data()).get("editing"))
        nxt = next_step(step.key, draft, self.ctx)
        if nxt is not None and editing and nxt.section != step.section:
            nxt = None
        if nxt is None and not editing:
            gap = first_unfilled(draft, self.ctx)
            if gap is not None and STEPS.index(gap) > STEPS.index(step):
                nxt = gap
        # The draft and the conversation state move together, in one transaction, before the reply.
        async with transaction(self.profiles.engine):
            await self.profiles.save(profile, draft, nxt.key if nxt else "summary")
            await self.state.set_state(nxt.state if nxt else Apply.summary)
        if nxt is None:
            await self.show_summary(target, draft, prefix)
        else:
            await self.show(target, nxt, draft, prefix)

    async def resume(self, target: Message | CallbackQuery, profile: Profile) -> None:
        await self.state.update_data(profile_id=profile.id, editing=False)
        step = STEP_BY_KEY.get(profile.step or "") or first_unfilled(profile.draft, self.ctx)
        if step is None or not step.rule.applies(profile.draft, self.ctx):
            step = first_unfilled(profile.draft, self.ctx)
        if step is None:
            await self.show_summary(target, profile.draft)
        else:
            await self.show(target, step, profile.draft)


class WizardMiddleware(BaseMiddleware):
    """Builds the per-update `wiz` for this router's handlers from what the dispatcher injects."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if data.get("user") is not None:
            data["wiz"] = Wizard(
                data["tr"], data["state"], data["user"], data["profiles"], data["policy"], data["clock"], data["tz"],
                data["uploads"], data["applications"], data.get("payment_token"),
            )
        return await handler(event, data)


WIZARD_MIDDLEWARE = WizardMiddleware()
router.message.middleware(WIZARD_MIDDLEWARE)
router.callback_query.middleware(WIZARD_MIDDLEWARE)


@router.callback_query(MenuCb.filter(F.item == "apply"))
async def on_apply(query: CallbackQuery, tr: Tr, user: User, profiles: ProfileRepository, state: FSMContext) -> None:
    await query.answer()
    if not user.has_consent:
        await reply_or_edit(query, tr("error-need-consent"))
        return
    await state.set_state(Apply.choose_profile)
    text, kb = views.profiles_view(tr, await profiles.list_for(user.telegram_id))
    await reply_or_edit(query, text, kb)


@router.callback_query(ApplyCb.filter(F.action == "new"))
async def on_new_profile(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    await query.answer()
    if not wiz.user.has_consent:
        return
    relation = Relation.CHILD if callback_data.value == "child" else Relation.SELF
    profile = await wiz.profiles.create(wiz.user.telegram_id, relation)
    await wiz.resume(query, profile)


@router.callback_query(ApplyCb.filter(F.action == "profile"))
async def on_pick_profile(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    await query.answer()
    profile = await wiz.profiles.get(int(callback_data.value), wiz.user.telegram_id)
    if profile is None or not wiz.user.has_consent:
        await reply_or_edit(query, wiz.tr("hint-button-expired"))
        return
    await wiz.resume(query, profile)


async def _current(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> tuple[Profile, Step] | None:
    """The profile and step a button press belongs to; None (and a hint) when the button is stale."""
    profile = await wiz.profile()
    current = await wiz.state.get_state()
    step = STEP_BY_STATE.get(current or "")
    if profile is None or step is None or step.key != callback_data.step:
        await query.answer(wiz.tr("hint-button-expired"))
        return None
    await query.answer()
    return profile, step


@router.message(StateFilter(*TEXT_STATES), F.text)
async def on_text(message: Message, wiz: Wizard) -> None:
    step = STEP_BY_STATE[await wiz.state.get_state() or ""]
    profile = await wiz.profile()
    if profile is None:
        await wiz.state.set_state(None)
        return
    outcome = wizard.answer_text(step.key, message.text or "", profile.draft, wiz.ctx)
    await _after_answer(message, wiz, profile, step, outcome)


@router.message(StateFilter(*CONTACT_STATES), F.contact)
async def on_contact(message: Message, wiz: Wizard) -> None:
    step = STEP_BY_STATE[await wiz.state.get_state() or ""]
    profile = await wiz.profile()
    if profile is None or message.contact is None or message.from_user is None:
        return
    outcome = wizard.answer_contact(
        message.contact.phone_number, message.contact.user_id, message.from_user.id, profile.draft
    )
    if outcome.ok:
        await message.answer(wiz.tr("apply-phone-saved"), reply_markup=ReplyKeyboardRemove())
    await _after_answer(message, wiz, profile, step, outcome)


async def _after_answer(
    target: Message | CallbackQuery, wiz: Wizard, profile: Profile, step: Step, outcome: wizard.Outcome
) -> None:
    notes = views.issues_text(wiz.tr, outcome.issues)
    if outcome.draft is None:
        text, kb = views.prompt(wiz.tr, step, profile.draft, wiz.ctx, wiz.categories)
        await reply_or_edit(target, notes + "\n\n" + text, kb, new=True)
        return
    await wiz.advance(target, profile, step, outcome.draft, notes)


@router.callback_query(ApplyCb.filter(F.action == "pick"))
async def on_pick(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    found = await _current(query, callback_data, wiz)
    if found is None:
        return
    profile, step = found
    outcome = wizard.answer_choice(step.key, callback_data.value, profile.draft, wiz.ctx)
    await _after_answer(query, wiz, profile, step, outcome)


@router.callback_query(ApplyCb.filter(F.action.in_({"skip", "keep"})))
async def on_skip_or_keep(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    found = await _current(query, callback_data, wiz)
    if found is None:
        return
    profile, step = found
    if callback_data.action == "skip" and step.rule.is_optional(profile.draft, wiz.ctx):
        draft = wizard.skip(step.key, profile.draft, wiz.ctx)
    elif callback_data.action == "keep" and step.rule.filled(profile.draft):
        draft = profile.draft
    else:
        return
    await wiz.advance(query, profile, step, draft)


@router.callback_query(ApplyCb.filter(F.action == "back"))
async def on_back(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    found = await _current(query, callback_data, wiz)
    if found is None:
        return
    profile, step = found
    editing = bool((await wiz.state.get_data()).get("editing"))
    prev = prev_step(step.key, profile.draft, wiz.ctx)
    if editing and (prev is None or prev.section != step.section):
        await wiz.show_summary(query, profile.draft)
        return
    if prev is None:
        await wiz.state.set_state(Apply.choose_profile)
        text, kb = views.profiles_view(wiz.tr, await wiz.profiles.list_for(wiz.user.telegram_id))
        await reply_or_edit(query, text, kb, new=step.kind == "contact")
        return
    await wiz.profiles.save(profile, profile.draft, prev.key)
    await wiz.show(query, prev, profile.draft)


@router.callback_query(ApplyCb.filter(F.action == "cancel"))
async def on_cancel(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    found = await _current(query, callback_data, wiz)
    if found is None:
        return
    await wiz.state.set_state(None)
    text, kb = await menu_view(wiz.tr, wiz.user, MenuSource(wiz.profiles, wiz.applications))
    await reply_or_edit(query, wiz.tr("apply-cancelled") + "\n\n" + text, kb)


@router.callback_query(ApplyCb.filter(F.action.in_({"edit", "fill"})))
async def on_edit(query: CallbackQuery, callback_data: ApplyCb, wiz: Wizard) -> None:
    profile = await wiz.profile()
    if profile is None or await wiz.state.get_state() != Apply.summary.state:
        await query.answer(wiz.tr("hint-button-expired"))
        return
    await query.answer()
    step = STEP_BY_KEY.get(callback_data.step)
    if step is None or not step.rule.applies(profile.draft, wiz.ctx):
        return
    await wiz.state.update_data(editing=True)
    await wiz.show(query, step, profile.draft)
