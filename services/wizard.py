"""The application wizard as use cases: which profile, which step, what an answer does to the draft.

Each call moves the draft and the conversation state together (one transaction) and returns a `Screen`:
what to show next. How a screen looks is views/wizard.py's; sending it is the handler's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain import person, wizard
from domain.applicant import Draft, Relation
from domain.clock import Clock
from domain.policy import Exemption, PaymentPolicy, Policy
from fsm.states import Apply, Renewal
from fsm.steps import (
    POSITION,
    STEP_BY_KEY,
    STEP_BY_STATE,
    Step,
    first_unfilled,
    missing,
    next_step,
    prev_step,
)
from services.applications import ApplicationService
from services.conversation import Conversation
from storage.applications import Application
from storage.db import transaction
from storage.files import Upload, UploadRepository
from storage.payments import PaymentRepository, Receipt
from storage.profiles import Profile, ProfileRepository

CHILD_EXEMPTION_AGE = 14
MAX_PROFILES = 10  # one's own and the children's: a family fits, a script filling the database does not

_CONTEXTS: dict[tuple[int, date], tuple[Policy, wizard.Context]] = {}


def context(policy: Policy, clock: Clock, tz: ZoneInfo) -> wizard.Context:
    """The rules' context for today under the policy; both are immutable, so it is built once a day."""
    today = clock.now().astimezone(tz).date()
    cached = _CONTEXTS.get((id(policy), today))
    if cached is not None and cached[0] is policy:
        return cached[1]
    if len(_CONTEXTS) > 16:
        _CONTEXTS.clear()
    docs = policy.documents
    ctx = wizard.Context(
        today=today,
        categories=tuple(policy.enabled_categories()),
        documents_adult=tuple(docs.required_adult),
        documents_child=tuple(docs.required_child),
        documents_optional=tuple(docs.optional),
        payment_required=policy.requires_payment,
    )
    _CONTEXTS[(id(policy), today)] = (policy, ctx)
    return ctx


def offered_exemptions(policy: Policy, draft: Draft, today: date) -> list[Exemption]:
    """The policy's exemptions this applicant may claim (a child's one only for a child under 14)."""
    child = draft.birth_date is not None and person.age_on(draft.birth_date, today) < CHILD_EXEMPTION_AGE
    return [e for e in policy.payment.exemptions if e is not Exemption.CHILD_UNDER_14 or child]


@dataclass(frozen=True)
class PaymentScreen:
    policy: PaymentPolicy
    receipt: Receipt | None
    exemptions: tuple[Exemption, ...]
    in_telegram: bool  # a payment provider is configured: an invoice inside Telegram is offered


@dataclass(frozen=True)
class Changes:
    """«Renew»: the 'What changed?' screen — the renewed book's number, and what the person changed so far."""

    book_id: int
    number: str
    changed: tuple[str, ...] = ()
    again: bool = False  # the renewal was started before: this continues it


@dataclass(frozen=True)
class Screen:
    """What to show: a step (None: the summary) for this draft, with what that step lists."""

    step: Step | None
    draft: Draft
    ctx: wizard.Context
    files: tuple[Upload, ...] = ()
    payment: PaymentScreen | None = None
    submitted: Application | None = None
    again: bool = False  # the same step once more, after a rejected answer: just its prompt
    changes: Changes | None = None  # «Renew»: back on 'What changed?' (step is None then, not the summary)


@dataclass(frozen=True)
class Answer:
    """An answer to a step: its problems (or warnings) and the screen that follows."""

    outcome: wizard.Outcome
    screen: Screen


class WizardService:
    def __init__(
        self, engine: Any, profiles: ProfileRepository, uploads: UploadRepository, payments: PaymentRepository,
        applications: ApplicationService, policy: Policy, clock: Clock, tz: ZoneInfo, *, telegram_payments: bool,
    ) -> None:
        self.engine, self.profiles, self.uploads, self.payments = engine, profiles, uploads, payments
        self.applications, self.policy, self.clock, self.tz = applications, policy, clock, tz
        self.telegram_payments = telegram_payments
        self._ctx: tuple[datetime, datetime, Policy, wizard.Context] | None = None  # that day's context

    @property
    def ctx(self) -> wizard.Context:
        """The rules' context; read several times a step, and it changes only with the local date (or policy)."""
        now = self.clock.now()
        cached = self._ctx
        if cached is not None and cached[0] <= now < cached[1] and cached[2] is self.policy:
            return cached[3]
        ctx = context(self.policy, self.clock, self.tz)
        # The day's bounds in UTC, as clocks tell the time: comparing datetimes of one tzinfo skips utcoffset().
        start = datetime.combine(ctx.today, time(), self.tz).astimezone(UTC)
        end = datetime.combine(ctx.today + timedelta(days=1), time(), self.tz).astimezone(UTC)
        self._ctx = (start, end, self.policy, ctx)
        return ctx

    # --- where the person is ------------------------------------------------------------------------------

    async def profile(self, owner_id: int, conversation: Conversation) -> Profile | None:
        pid = (await conversation.get_data()).get("profile_id")
        return await self.profiles.get(int(pid), owner_id) if pid is not None else None

    async def step(self, conversation: Conversation) -> Step | None:
        return STEP_BY_STATE.get(await conversation.get_state() or "")

    async def at(self, owner_id: int, conversation: Conversation, step_key: str) -> tuple[Profile, Step] | None:
        """The profile and step a button press belongs to; None when the button is stale."""
        profile = await self.profile(owner_id, conversation)
        step = await self.step(conversation)
        if profile is None or step is None or step.key != step_key:
            return None
        return profile, step

    async def editing(self, conversation: Conversation) -> bool:
        return _editing_of(await conversation.get_data())

    # --- choosing whom the application is for -------------------------------------------------------------

    async def profiles_of(self, owner_id: int) -> list[Profile]:
        return await self.profiles.list_for(owner_id)

    async def choose_profile(self, owner_id: int, conversation: Conversation) -> list[Profile]:
        await conversation.set_state(Apply.choose_profile)
        return await self.profiles.list_for(owner_id)

    async def new_profile(self, owner_id: int, relation: Relation, conversation: Conversation) -> Screen | None:
        """A new draft and its first step; None when the account already has `MAX_PROFILES`."""
        if len(await self.profiles.list_for(owner_id)) >= MAX_PROFILES:
            return None
        profile = await self.profiles.create(owner_id, relation)
        return await self.resume(owner_id, conversation, profile)

    async def open_profile(self, owner_id: int, profile_id: int, conversation: Conversation) -> Screen | None:
        profile = await self.profiles.get(profile_id, owner_id)
        return await self.resume(owner_id, conversation, profile) if profile is not None else None

    async def resume(self, owner_id: int, conversation: Conversation, profile: Profile) -> Screen:
        await conversation.update_data(profile_id=profile.id, editing=False, walk=None)
        ctx = self.ctx
        step = STEP_BY_KEY.get(profile.step or "") or first_unfilled(profile.draft, ctx)
        if step is None or not step.rule.applies(profile.draft, ctx):
            step = first_unfilled(profile.draft, ctx)
        if step is None:
            return await self.summary(owner_id, conversation, profile.draft)
        return await self.show(owner_id, conversation, step, profile.draft)

    # --- screens --------------------------------------------------------------------------------------------

    async def screen(self, owner_id: int, conversation: Conversation, step: Step, draft: Draft) -> Screen:
        """What the step shows, without moving anywhere."""
        ctx = self.ctx
        if step.kind == "upload":
            profile = await self.profile(owner_id, conversation)
            files = await self.uploads.list_for(profile.id, step.key.removeprefix("doc_")) if profile else []
            return Screen(step, draft, ctx, files=tuple(files))
        if step.kind == "payment":
            receipt = None
            if draft.payment_receipt_id is not None:
                receipt = await self.payments.get(draft.payment_receipt_id, owner_id)
            offer = PaymentScreen(self.policy.payment, receipt,
                                  tuple(offered_exemptions(self.policy, draft, ctx.today)), self.telegram_payments)
            return Screen(step, draft, ctx, payment=offer)
        return Screen(step, draft, ctx)

    async def show(self, owner_id: int, conversation: Conversation, step: Step, draft: Draft) -> Screen:
        await conversation.set_state(step.state)
        return await self.screen(owner_id, conversation, step, draft)

    async def summary(self, owner_id: int, conversation: Conversation, draft: Draft) -> Screen:
        await conversation.set_state(Apply.summary)
        await conversation.update_data(editing=False, walk=None)
        return Screen(None, draft, self.ctx, submitted=await self.active_application(owner_id, conversation))

    async def ready_to_sign(self, owner_id: int, conversation: Conversation) -> Profile | None:
        """The profile on the summary, when nothing is missing and nothing from it is still being decided."""
        profile = await self.profile(owner_id, conversation)
        if profile is None or missing(profile.draft, self.ctx):
            return None
        if await self.applications.active_for(owner_id, profile.id) is not None:
            return None
        return profile

    async def active_application(self, owner_id: int, conversation: Conversation) -> Application | None:
        """The application submitted from this profile that is still being decided, if any."""
        profile = await self.profile(owner_id, conversation)
        return await self.applications.active_for(owner_id, profile.id) if profile is not None else None

    # --- moving -----------------------------------------------------------------------------------------------

    # --- a walk: only some steps, then back to where it began («Renew»: 'What changed?') -----------------

    async def walk(
        self, owner_id: int, conversation: Conversation, keys: tuple[str, ...], change: str
    ) -> Screen | None:
        """Open the first of `keys` that applies to this applicant, in editing mode; answering it goes on to the
        next of `keys` only, and after the last comes back to 'What changed?'. None: none of them applies."""
        profile = await self.profile(owner_id, conversation)
        first = _walk_step(keys, None, profile.draft, self.ctx, forward=True) if profile is not None else None
        if profile is None or first is None:
            return None
        await conversation.update_data(editing=True, walk=list(keys), walking=change)
        return await self.show(owner_id, conversation, first, profile.draft)

    async def walked(self, owner_id: int, conversation: Conversation, draft: Draft, *, done: bool) -> Screen:
        """The walk is over (`done`: its last step was answered, so its item counts as changed): 'What changed?'
        again. Without the renewal in the conversation (an old conversation), the summary."""
        data = await conversation.get_data()
        renewal = data.get("renewal")
        if not isinstance(renewal, dict):
            return await self.summary(owner_id, conversation, draft)
        changed = list(renewal.get("changed", []))
        if done and data.get("walking") and data["walking"] not in changed:
            changed.append(str(data["walking"]))
        await conversation.update_data(editing=False, walk=None, walking=None, renewal={**renewal, "changed": changed})
        await conversation.set_state(Renewal.changes)
        return Screen(None, draft, self.ctx,
                      changes=Changes(int(renewal["book"]), str(renewal["number"]), tuple(changed)))

    async def _walk(self, conversation: Conversation) -> tuple[str, ...] | None:
        return _walk_of(await conversation.get_data())

    async def advance(
        self, owner_id: int, conversation: Conversation, profile: Profile, step: Step, draft: Draft
    ) -> Screen:
        """Save the draft and show what comes after `step`: the next step, or the summary (in a walk: the
        walk's next step, or where the walk began). The next step's state is set in the transaction that saves
        the draft, so its screen follows without setting it again."""
        ctx = self.ctx
        data = await conversation.get_data()  # read once: the walk and the editing flag
        walk = _walk_of(data)
        if walk is not None:
            after = _walk_step(walk, step.key, draft, ctx, forward=True)
            async with transaction(self.engine):
                await self.profiles.save(profile, draft, after.key if after else "summary")
                if after is not None:
                    await conversation.set_state(after.state)
            if after is None:
                return await self.walked(owner_id, conversation, draft, done=True)
            return await self.screen(owner_id, conversation, after, draft)
        editing = _editing_of(data)
        nxt = next_step(step.key, draft, ctx)
        if nxt is not None and editing and nxt.section != step.section:
            nxt = None
        if nxt is None and not editing:
            gap = first_unfilled(draft, ctx)
            if gap is not None and POSITION[gap.key] > POSITION[step.key]:
                nxt = gap
        # The draft and the conversation state move together, in one transaction, before the reply.
        async with transaction(self.engine):
            await self.profiles.save(profile, draft, nxt.key if nxt else "summary")
            await conversation.set_state(nxt.state if nxt else Apply.summary)
        if nxt is None:
            return await self.summary(owner_id, conversation, draft)
        return await self.screen(owner_id, conversation, nxt, draft)

    async def answer(
        self, owner_id: int, conversation: Conversation, profile: Profile, step: Step, outcome: wizard.Outcome
    ) -> Answer:
        if outcome.draft is None:
            return Answer(outcome, Screen(step, profile.draft, self.ctx, again=True))
        return Answer(outcome, await self.advance(owner_id, conversation, profile, step, outcome.draft))

    async def answer_text(self, owner_id: int, conversation: Conversation, text: str) -> Answer | None:
        step = await self.step(conversation)
        profile = await self.profile(owner_id, conversation)
        if profile is None or step is None:
            await conversation.set_state(None)
            return None
        outcome = wizard.answer_text(step.key, text, profile.draft, self.ctx)
        return await self.answer(owner_id, conversation, profile, step, outcome)

    async def answer_contact(
        self, owner_id: int, conversation: Conversation, phone: str, contact_user_id: int | None
    ) -> Answer | None:
        step = await self.step(conversation)
        profile = await self.profile(owner_id, conversation)
        if profile is None or step is None:
            return None
        outcome = wizard.answer_contact(phone, contact_user_id, owner_id, profile.draft)
        return await self.answer(owner_id, conversation, profile, step, outcome)

    async def answer_typed_phone(self, owner_id: int, conversation: Conversation, text: str) -> Answer | None:
        """A mobile number typed on the contact step (for people who cannot use the button)."""
        step = await self.step(conversation)
        profile = await self.profile(owner_id, conversation)
        if profile is None or step is None or step.kind != "contact":
            return None
        outcome = wizard.answer_typed_phone(text, profile.draft)
        return await self.answer(owner_id, conversation, profile, step, outcome)

    async def answer_choice(
        self, owner_id: int, conversation: Conversation, step_key: str, value: str
    ) -> Answer | None:
        found = await self.at(owner_id, conversation, step_key)
        if found is None:
            return None
        profile, step = found
        outcome = wizard.answer_choice(step.key, value, profile.draft, self.ctx)
        return await self.answer(owner_id, conversation, profile, step, outcome)

    async def skip_or_keep(self, owner_id: int, conversation: Conversation, profile: Profile, step: Step,
                           skip: bool) -> Screen | None:
        ctx = self.ctx
        if skip and step.rule.is_optional(profile.draft, ctx):
            draft = wizard.skip(step.key, profile.draft, ctx)
        elif not skip and step.rule.filled(profile.draft):
            draft = profile.draft
        else:
            return None
        return await self.advance(owner_id, conversation, profile, step, draft)

    async def back(self, owner_id: int, conversation: Conversation, profile: Profile, step: Step) -> Screen | None:
        """The step before (or the summary, when editing a section); None: back to choosing the profile."""
        walk = await self._walk(conversation)
        if walk is not None:
            before = _walk_step(walk, step.key, profile.draft, self.ctx, forward=False)
            if before is None:
                return await self.walked(owner_id, conversation, profile.draft, done=False)
            await self.profiles.save(profile, profile.draft, before.key)
            return await self.show(owner_id, conversation, before, profile.draft)
        prev = prev_step(step.key, profile.draft, self.ctx)
        if await self.editing(conversation) and (prev is None or prev.section != step.section):
            return await self.summary(owner_id, conversation, profile.draft)
        if prev is None:
            await conversation.set_state(Apply.choose_profile)
            return None
        await self.profiles.save(profile, profile.draft, prev.key)
        return await self.show(owner_id, conversation, prev, profile.draft)

    async def cancel(self, conversation: Conversation) -> None:
        await conversation.set_state(None)

    async def edit(self, owner_id: int, conversation: Conversation, step_key: str) -> Screen | bool | None:
        """From the summary, go to a section or a missing item. False: the button is stale."""
        profile = await self.profile(owner_id, conversation)
        if profile is None or await conversation.get_state() != Apply.summary.state:
            return False
        step = STEP_BY_KEY.get(step_key)
        if step is None or not step.rule.applies(profile.draft, self.ctx):
            return None
        await conversation.update_data(editing=True)
        return await self.show(owner_id, conversation, step, profile.draft)

    async def save(self, profile: Profile, draft: Draft, step_key: str | None) -> Profile:
        return await self.profiles.save(profile, draft, step_key)


def _walk_step(keys: tuple[str, ...], current: str | None, draft: Draft, ctx: wizard.Context, *,
               forward: bool) -> Step | None:
    """The walk's step after (or before) `current` that applies to this applicant; from the start when None."""
    keys = tuple(k for k in keys if k in STEP_BY_KEY)
    order = [STEP_BY_KEY[k] for k in keys]
    if current in keys:
        at = keys.index(current)
        order = order[at + 1:] if forward else list(reversed(order[:at]))
    elif not forward:
        return None
    return next((s for s in order if s.rule.applies(draft, ctx)), None)


def _walk_of(data: dict[str, Any]) -> tuple[str, ...] | None:
    """The steps a walk from the summary goes through (a renewal's changes), from the conversation's data."""
    walk = data.get("walk")
    return tuple(walk) if walk else None


def _editing_of(data: dict[str, Any]) -> bool:
    """Editing one section from the summary (the step after it leads back to the summary)."""
    return bool(data.get("editing"))
