"""Exams and attestation: the holder's checklist with each item's state, one result at a time (file → date →
institution → result → 'on review'), and staff's confirmation or return of each result.

Each step is one unit of work: what changes, the conversation's next state, the pushes (the staff card of the
applicant's results, the holder's notice of a decision) and the audit row commit together. Which items, how
long each lasts and what is asked come from the policy (domain/policy.py) through domain/exams.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from domain.applicant import Sex
from domain.book import Entry
from domain.clinics import Clinics
from domain.clock import Clock
from domain.exams import (
    RESULT_VALUE_MAX,
    ChecklistItem,
    DateRefusal,
    ExamState,
    Progress,
    Subject,
    check_date,
    checklist,
    open_required,
    progress,
    runs_out_within,
    valid_until,
)
from domain.issues import Issue
from domain.person import parse_date
from domain.policy import ExamCode, ExamResult, Policy
from domain.status import Status
from domain.text import clean_text
from fsm.states import Exams
from services.applications import EXAM_KIND_PREFIX as UPLOAD_KIND_PREFIX
from services.conversation import Conversation
from services.outbox import Pushes
from services.staff import StoredFile
from services.uploads import Received, TelegramFile, UploadService
from storage.applications import Application, ApplicationRepository
from storage.db import transaction
from storage.exams import ExamRecord, ExamRepository
from storage.files import FileStore, UploadRepository
from storage.profiles import Profile, ProfileRepository

INSTITUTION_MIN, INSTITUTION_MAX = 3, 200


@dataclass(frozen=True, slots=True)
class ItemView:
    item: ChecklistItem
    state: ExamState
    record: ExamRecord | None = None  # the result that gives the state (None: nothing sent)
    draft: ExamRecord | None = None  # a result being entered (file in, answers not all given)


@dataclass(frozen=True, slots=True)
class Checklist:
    profile: Profile
    subject: Subject
    items: list[ItemView]
    progress: Progress
    open: list[ExamCode]

    def item(self, code: str) -> ItemView | None:
        return next((view for view in self.items if view.item.code == code), None)


@dataclass(frozen=True, slots=True)
class Step:
    """Where a result's entry stands after an answer: the next question, or 'on review'."""

    state: str | None  # the Exams state now (None: sent for review)
    item: ChecklistItem
    record: ExamRecord
    checklist: Checklist | None = None  # when sent for review: the checklist to show


@dataclass(frozen=True, slots=True)
class Refusal:
    """An answer that cannot be taken, and why (the view explains it)."""

    issues: tuple[Issue, ...] = ()
    date: DateRefusal | None = None
    too_short: bool = False


@dataclass(frozen=True, slots=True)
class StaffCard:
    """What staff see of one applicant's results."""

    profile: Profile
    number: str | None  # the latest application's number, when there is one
    checklist: Checklist
    on_review: list[ItemView] = field(default_factory=list)


def _state_of(records: Sequence[ExamRecord], today: date) -> tuple[ExamState, ExamRecord | None]:
    sent = [r for r in records if r.state is not ExamState.UPLOADED]
    if not sent:
        return ExamState.MISSING, None
    latest = sent[-1]
    if latest.state is ExamState.ON_REVIEW:
        return ExamState.ON_REVIEW, latest
    valid = [r for r in sent if r.state is ExamState.CONFIRMED and (r.valid_until is None or r.valid_until >= today)]
    if valid:
        return ExamState.CONFIRMED, valid[-1]
    if latest.state is ExamState.CONFIRMED:
        return ExamState.EXPIRED, latest
    return latest.state, latest


class ExamService:
    def __init__(
        self, engine: Any, exams: ExamRepository, profiles: ProfileRepository, applications: ApplicationRepository,
        uploads: UploadService, upload_rows: UploadRepository, files: FileStore, pushes: Pushes, policy: Policy,
        clock: Clock, tz: ZoneInfo, clinics: Clinics | None = None,
    ) -> None:
        self.engine, self.exams, self.profiles, self.applications = engine, exams, profiles, applications
        self.uploads, self.upload_rows, self.files, self.pushes = uploads, upload_rows, files, pushes
        self.policy, self.clock, self.tz, self.clinics = policy, clock, tz, clinics
        self.replan: Callable[[int], Awaitable[Any]] | None = None  # services/reminders.py, set at composition

    def today(self) -> date:
        return self.clock.now().astimezone(self.tz).date()

    @property
    def horizon_days(self) -> int:
        """How far ahead an entry counts as running out: the policy's earliest validity reminder."""
        return max(self.policy.reminders.validity_days_before, default=0)

    def running_out(self, view: ItemView) -> bool:
        """A confirmed result that still holds but runs out within the horizon: its renewal may be sent."""
        return (view.state is ExamState.CONFIRMED and view.record is not None
                and runs_out_within(view.record.valid_until, self.today(), self.horizon_days))

    # --- the checklist -------------------------------------------------------------------------------------

    async def profiles_with_category(self, owner_id: int) -> list[Profile]:
        """The holder's profiles that have a work category: those have a checklist."""
        return [p for p in await self.profiles.list_for(owner_id) if p.draft.category is not None]

    async def _subject(self, profile: Profile) -> Subject:
        """Hiring (the preliminary exam) until a book was issued on one of this profile's applications; then
        periodic exams."""
        draft = profile.draft
        assert draft.category is not None
        issued = any(a.profile_id == profile.id and a.status is Status.ISSUED
                     for a in await self.applications.list_for(profile.owner_id))
        return Subject(draft.category, draft.sex is Sex.FEMALE, draft.birth_date, hiring=not issued)

    async def _checklist(self, profile: Profile) -> Checklist:
        today = self.today()
        subject = await self._subject(profile)
        items = checklist(self.policy, subject, today)
        records = await self.exams.list_for(profile.id)
        views, states = [], {}
        for item in items:
            mine = [r for r in records if r.item == item.code]
            state, record = _state_of(mine, today)
            drafts = [r for r in mine if r.state is ExamState.UPLOADED]
            views.append(ItemView(item, state, record, drafts[-1] if drafts else None))
            states[item.code] = state
        return Checklist(profile, subject, views, progress(items, states), open_required(items, states))

    async def checklist(self, owner_id: int, profile_id: int) -> Checklist | None:
        profile = await self.profiles.get(profile_id, owner_id)
        if profile is None or profile.draft.category is None:
            return None
        return await self._checklist(profile)

    async def open_for(self, app: Application) -> list[ExamCode]:
        """The required items an application's approval still waits for."""
        if app.profile_id is None:
            return []
        profile = await self.profiles.get(app.profile_id, app.owner_id)
        if profile is None or profile.draft.category is None:
            return []
        return (await self._checklist(profile)).open

    async def book_entries(self, app: Application) -> tuple[list[Entry], list[str]]:
        """The book's entries for an application: every confirmed result of its profile's checklist items
        (each as staff confirmed it, named by the exam's own locale key), and the codes the policy requires."""
        if app.profile_id is None:
            return [], []
        found = await self._confirmed(app.owner_id, app.profile_id)
        if found is None:
            return [], []
        entries, checklist_ = found
        return entries, [view.item.code for view in checklist_.items if view.item.required]

    async def confirmed_entries(self, owner_id: int, profile_id: int) -> list[Entry]:
        """Every confirmed result of a profile's checklist as book entries (reminders read the newest)."""
        found = await self._confirmed(owner_id, profile_id)
        return found[0] if found is not None else []

    async def _confirmed(self, owner_id: int, profile_id: int) -> tuple[list[Entry], Checklist] | None:
        profile = await self.profiles.get(profile_id, owner_id)
        if profile is None or profile.draft.category is None:
            return None
        found = await self._checklist(profile)
        items = {view.item.code: view.item for view in found.items}
        entries = [self._entry(r, items[ExamCode(r.item)]) for r in await self.exams.list_for(profile.id)
                   if r.state is ExamState.CONFIRMED and r.done_on is not None and r.item in items]
        entries.sort(key=lambda e: (e.done_on, e.code))
        return entries, found

    def _entry(self, record: ExamRecord, item: ChecklistItem) -> Entry:
        assert record.done_on is not None
        clinic = self.clinics.get(record.clinic) if self.clinics is not None and record.clinic else None
        return Entry(
            code=item.code, kind=item.kind, done_on=record.done_on, result=record.result or "",
            institution=record.institution or (clinic.name if clinic is not None else record.clinic or ""),
            valid_until=record.valid_until, title_key="exam-" + item.code.replace("_", "-"),
            confirmed_by=record.decided_by_name, confirmed_at=record.decided_at,
        )

    async def ready_to_submit(self, profile: Profile) -> list[ExamCode]:
        """With `exams.before_submit`, the required items not yet sent for review (empty: may be sent)."""
        if not self.policy.exams.before_submit or profile.draft.category is None:
            return []
        found = await self._checklist(profile)
        waiting = {ExamState.ON_REVIEW, ExamState.CONFIRMED}
        return [v.item.code for v in found.items if v.item.required and v.state not in waiting]

    # --- one result: file → date → institution → result --------------------------------------------------------

    async def begin(self, owner_id: int, profile_id: int, code: str, conversation: Conversation) -> Step | str | None:
        """Start (or resume) the entry of one item's result: the state asked now; None for an item that is not
        on the checklist, on review, or confirmed and not running out within the horizon."""
        found = await self.checklist(owner_id, profile_id)
        view = found.item(code) if found is not None else None
        if view is None or view.state is ExamState.ON_REVIEW:
            return None
        if view.state is ExamState.CONFIRMED and not self.running_out(view):
            return None
        state = self._next_state(view.draft, view.item) if view.draft is not None else str(Exams.upload.state)
        async with transaction(self.engine):
            await conversation.set_state(state)
            await conversation.set_data({"profile_id": profile_id, "item": code,
                                         "record": view.draft.id if view.draft else None})
        if view.draft is not None:
            return Step(state, view.item, view.draft)
        return state

    @staticmethod
    def _next_state(record: ExamRecord, item: ChecklistItem) -> str:
        if record.done_on is None:
            return str(Exams.date.state)
        if record.institution is None:
            return str(Exams.institution.state)
        return str(Exams.result.state if item.result is not ExamResult.NONE else Exams.date.state)

    async def _current(self, owner_id: int, conversation: Conversation) -> tuple[ExamRecord, ChecklistItem] | None:
        data = await conversation.get_data()
        if data.get("record") is None:
            return None
        record = await self.exams.get(int(data["record"]), owner_id)
        found = await self.checklist(owner_id, int(data.get("profile_id", 0)))
        view = found.item(str(data.get("item"))) if found is not None else None
        if record is None or view is None or record.state is not ExamState.UPLOADED:
            return None
        return record, view.item

    async def current_item(self, owner_id: int, conversation: Conversation) -> ChecklistItem | None:
        data = await conversation.get_data()
        found = await self.checklist(owner_id, int(data.get("profile_id", 0)))
        view = found.item(str(data.get("item"))) if found is not None else None
        return view.item if view is not None else None

    async def current(self, owner_id: int, conversation: Conversation) -> Step | None:
        """The result being entered and the state asked now (to show the question again, e.g. after 'Back')."""
        found = await self._current(owner_id, conversation)
        if found is None:
            return None
        state = await conversation.get_state()
        return Step(state, found[1], found[0])

    async def receive(
        self, owner_id: int, conversation: Conversation, data: bytes, sent: TelegramFile
    ) -> tuple[Received, Step | None]:
        """The result's file, checked and stored through the one upload path; the date is asked next."""
        state = await conversation.get_data()
        item = await self.current_item(owner_id, conversation)
        if item is None:
            return Received(None), None
        profile_id = int(state["profile_id"])
        received = await self.uploads.scan(owner_id, profile_id, UPLOAD_KIND_PREFIX + item.code, data, sent)
        if received.upload is None:
            return received, None
        draft = await self._current(owner_id, conversation)
        async with transaction(self.engine):
            if draft is not None:  # another file for the same result (after 'Back')
                await self.exams.fill(draft[0].id, owner_id, upload_id=received.upload.id)
                record_id = draft[0].id
            else:
                record_id = (await self.exams.add(owner_id=owner_id, profile_id=profile_id, item=item.code,
                                                  upload_id=received.upload.id)).id
            await conversation.set_state(Exams.date)
            await conversation.update_data(record=record_id)
        record = await self.exams.get(record_id, owner_id)
        assert record is not None
        return received, Step(str(Exams.date.state), item, record)

    async def answer_date(self, owner_id: int, conversation: Conversation, text: str) -> Step | Refusal | None:
        found = await self._current(owner_id, conversation)
        if found is None:
            return None
        record, item = found
        parsed = parse_date(text)
        if parsed.value is None:
            return Refusal(issues=parsed.errors)
        refused = check_date(item, parsed.value, self.today())
        if refused is not None:
            return Refusal(date=refused)
        async with transaction(self.engine):
            await self.exams.fill(record.id, owner_id, done_on=parsed.value)
            await conversation.set_state(Exams.institution)
        return await self._step(owner_id, record.id, item, str(Exams.institution.state))

    async def answer_institution(
        self, owner_id: int, conversation: Conversation, *, clinic: str | None = None, typed: str | None = None
    ) -> Step | Refusal | None:
        found = await self._current(owner_id, conversation)
        if found is None:
            return None
        record, item = found
        if clinic is not None:
            chosen = self.clinics.get(clinic) if self.clinics is not None else None
            if chosen is None:
                return None
            name: str = chosen.name
        else:
            name = clean_text(typed or "")
            if not INSTITUTION_MIN <= len(name) <= INSTITUTION_MAX:
                return Refusal(too_short=True)
        asks_result = item.result is not ExamResult.NONE
        async with transaction(self.engine):
            await self.exams.fill(record.id, owner_id, clinic=clinic, institution=name)
            if asks_result:
                await conversation.set_state(Exams.result)
            else:
                return await self._send(owner_id, conversation, record, item)
        return await self._step(owner_id, record.id, item, str(Exams.result.state))

    async def answer_result(self, owner_id: int, conversation: Conversation, value: str) -> Step | Refusal | None:
        found = await self._current(owner_id, conversation)
        if found is None:
            return None
        record, item = found
        if item.result is ExamResult.CERTIFICATE:
            value = clean_text(value)
            if not 1 <= len(value) <= RESULT_VALUE_MAX:
                return Refusal(too_short=True)
        elif value not in item.result.choices:
            return None
        async with transaction(self.engine):
            await self.exams.fill(record.id, owner_id, result=value)
            return await self._send(owner_id, conversation, record, item)

    async def _send(self, owner_id: int, conversation: Conversation, record: ExamRecord, item: ChecklistItem) -> Step:
        """The last answer is in: 'on review', staff's card of this applicant is (re)drawn, audited."""
        sent = await self.exams.send_for_review(record.id, owner_id)
        assert sent is not None
        await self.pushes.exam_card(sent.profile_id, f"{sent.id}:{sent.version}")
        await self.applications.audit(actor_id=owner_id, action="exams.sent", application_id=None,
                                      result=sent.id, item=sent.item)
        await conversation.set_state(None)
        await conversation.set_data({"profile_id": sent.profile_id})
        profile = await self.profiles.get(sent.profile_id, owner_id)
        assert profile is not None
        return Step(None, item, sent, await self._checklist(profile))

    async def _step(self, owner_id: int, record_id: int, item: ChecklistItem, state: str) -> Step:
        record = await self.exams.get(record_id, owner_id)
        assert record is not None
        return Step(state, item, record)

    async def back(self, owner_id: int, conversation: Conversation) -> Step | str | None:
        """One question back; from the file, back to the checklist (None)."""
        state = await conversation.get_state()
        found = await self._current(owner_id, conversation)
        previous = {
            Exams.date.state: Exams.upload, Exams.institution.state: Exams.date, Exams.result.state: Exams.institution,
        }.get(state)
        if previous is None or found is None:
            await conversation.set_state(None)
            return None
        await conversation.set_state(previous)
        return Step(str(previous.state), found[1], found[0])

    async def leave(self, conversation: Conversation) -> int | None:
        """'Cancel': back to the checklist; what was entered stays as a draft to resume."""
        data = await conversation.get_data()
        await conversation.set_state(None)
        return int(data["profile_id"]) if data.get("profile_id") is not None else None

    # --- staff -------------------------------------------------------------------------------------------------

    async def staff_card(self, profile_id: int) -> StaffCard | None:
        records = await self.exams.list_for(profile_id)
        if not records:
            return None
        profile = await self.profiles.get(profile_id, records[0].owner_id)
        if profile is None or profile.draft.category is None:
            return None
        found = await self._checklist(profile)
        apps = [a for a in await self.applications.list_for(profile.owner_id) if a.profile_id == profile_id]
        return StaffCard(profile, apps[0].number if apps else None, found,
                         [v for v in found.items if v.state is ExamState.ON_REVIEW])

    async def card_posted(self, profile_id: int, chat_id: int, message_id: int) -> None:
        """The applicant's exam card was posted to a staff chat: remembered (later changes edit it), audited."""
        async with transaction(self.engine):
            await self.exams.set_card(profile_id, chat_id, message_id)
            await self.applications.audit(actor_id=None, action="staff.exam_card_posted", application_id=None,
                                          profile=profile_id, chat_id=chat_id)

    async def cards(self, profile_id: int) -> dict[int, int]:
        return await self.exams.cards(profile_id)

    async def record(self, record_id: int) -> ExamRecord | None:
        return await self.exams.get(record_id)

    async def view_file(self, who_id: int, who_name: str, record_id: int) -> StoredFile | None:
        """'File': the result's file for a staff member, audited as a view."""
        record = await self.exams.get(record_id)
        if record is None or record.upload_id is None:
            return None
        upload = await self.upload_rows.get(record.upload_id)
        if upload is None:
            return None
        await self.applications.audit(actor_id=who_id, action="staff.exam_file", application_id=None, by=who_name,
                                      result=record.id)
        return StoredFile(upload, await self.files.get(upload.storage_name))

    async def confirm(self, who_id: int, who_name: str, record_id: int, version: int) -> ExamRecord | None:
        """'Confirm': the result becomes an entry, valid until the date the policy gives; None when it is
        no longer on review at that version (someone decided first)."""
        record = await self.exams.get(record_id)
        if record is None or record.done_on is None:
            return None
        profile = await self.profiles.get(record.profile_id, record.owner_id)
        if profile is None or profile.draft.category is None:
            return None
        view = (await self._checklist(profile)).item(record.item)
        until = valid_until(view.item, record.done_on) if view is not None else None
        return await self._decide(record, version, ExamState.CONFIRMED, who_id, who_name, valid=until)

    async def give_back(
        self, who_id: int, who_name: str, record_id: int, version: int, reason: str
    ) -> ExamRecord | None:
        """'Return': the holder is told why and asked for exactly that item again."""
        record = await self.exams.get(record_id)
        if record is None:
            return None
        return await self._decide(record, version, ExamState.RETURNED, who_id, who_name, reason=reason)

    async def _decide(
        self, record: ExamRecord, version: int, state: ExamState, who_id: int, who_name: str, *,
        valid: date | None = None, reason: str | None = None,
    ) -> ExamRecord | None:
        async with transaction(self.engine):
            decided = await self.exams.decide(record.id, seen_version=version, state=state, by_id=who_id,
                                              by_name=who_name, reason=reason, valid_until=valid)
            if decided is None:
                return None
            await self.pushes.exam_decided(decided.owner_id, decided.id, decided.version)
            await self.pushes.exam_card(decided.profile_id, f"{decided.id}:{decided.version}")
            action = "staff.exam_confirm" if state is ExamState.CONFIRMED else "staff.exam_return"
            await self.applications.audit(actor_id=who_id, action=action, application_id=None, by=who_name,
                                          result=decided.id, item=decided.item)
            if self.replan is not None and state is ExamState.CONFIRMED:  # a newer term moves the reminders
                await self.replan(decided.owner_id)
        return decided

    async def refuse(self, user_id: int, record_id: int) -> None:
        await self.applications.audit(actor_id=user_id, action="staff.refused", application_id=None,
                                      result=record_id)
