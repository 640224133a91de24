"""«Renew» a book: a renewal application pre-filled from the book's profile, asking only what changed.

The press on «Renew» (on the book's card, or on a reminder) marks the profile's draft as renewing that book
(`Draft.renews_book_id`) and opens 'What changed?': the passport, the address, the employer — each reopens
exactly its wizard steps (services/wizard.py's walk, the wizard's own validation) and comes back. Then the
entries that run out within the reminders' horizon, each leading into the exam-result flow (now or later,
as in a first application), then what is still unsettled (the payment, where the policy sets a price), the
summary, the signature and the submission as usual. The submitted application keeps the book it renews
(applications.renews_book_id); issuing it supersedes that book (services/book.py), in one transaction.

One renewal at a time: a second press continues the one under way; a renewal sent and not decided yet, a
revoked or superseded book, or someone else's book gets a clear refusal, never a second application.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.applicant import Draft
from domain.book import BookStatus
from domain.exams import ExamState
from fsm.states import Renewal
from fsm.steps import STEPS, first_unfilled
from services.applications import ApplicationService
from services.book import BookService
from services.conversation import Conversation
from services.exams import ExamService, ItemView
from services.wizard import Changes, Screen, WizardService
from storage.applications import Application
from storage.db import transaction
from storage.profiles import Profile

_IDENTITY_SCANS = ("doc_passport_main", "doc_passport_registration", "doc_birth_certificate")

# What 'What changed?' offers, and the wizard steps each reopens (those that apply to the applicant).
CHANGES: dict[str, tuple[str, ...]] = {
    "passport": (*(s.key for s in STEPS if s.section == "document"), *_IDENTITY_SCANS),
    "address": ("address", "doc_passport_registration"),  # the registration page shows the address
    "employer": tuple(s.key for s in STEPS if s.section == "employer"),
}


@dataclass(frozen=True, slots=True)
class Refused:
    """Why this press does not (re)start a renewal: not_found (no such book of this person), revoked,
    superseded (`number` is the new book's), no_profile (the book's applicant data is gone), under_review
    (this book's renewal `app` is being decided), other_application (another application of this person's
    profile is being decided)."""

    reason: str
    number: str | None = None
    app: Application | None = None


@dataclass(frozen=True, slots=True)
class Entries:
    """The renewal's entries: the required items whose result has run out, is missing, was returned, or runs
    out by `until`, and those whose new result is with staff."""

    number: str
    profile_id: int
    until: date
    running_out: list[ItemView] = field(default_factory=list)
    on_review: list[ItemView] = field(default_factory=list)


class RenewalService:
    def __init__(self, engine: Any, book: BookService, wizard: WizardService, exams: ExamService,
                 applications: ApplicationService) -> None:
        self.engine, self.book, self.wizard, self.exams, self.applications = engine, book, wizard, exams, applications

    async def start(self, owner_id: int, book_id: int, conversation: Conversation) -> Screen | Refused:
        """«Renew» pressed for `book_id`: 'What changed?' (a second press continues the renewal under way)."""
        found = await self.book.own(owner_id, book_id)
        if found is None:
            return Refused("not_found")
        profile_id, book = found
        if book.status is BookStatus.SUPERSEDED:
            return Refused("superseded", number=book.superseded_by)
        if book.status is not BookStatus.VALID:
            return Refused("revoked", number=book.number)
        profile = await self.wizard.profiles.get(profile_id, owner_id) if profile_id is not None else None
        if profile is None or profile.draft.category is None:
            return Refused("no_profile", number=book.number)
        active = await self.applications.active_for(owner_id, profile.id)
        if active is not None:
            reason = "under_review" if active.renews_book_id == book_id else "other_application"
            return Refused(reason, number=book.number, app=active)
        again = profile.draft.renews_book_id == book_id
        previous = (await conversation.get_data()).get("renewal")
        changed = list(previous.get("changed", [])) if again and isinstance(previous, dict) \
            and previous.get("book") == book_id else []
        draft = profile.draft if again else _renewal_draft(profile, book_id)
        async with transaction(self.engine):
            if not again:
                await self.wizard.save(profile, draft, profile.step)
                await self.applications.applications.audit(
                    actor_id=owner_id, action="citizen.renewal_started", application_id=None, book=book_id)
            await conversation.set_state(Renewal.changes)
            await conversation.set_data({"profile_id": profile.id,
                                         "renewal": {"book": book_id, "number": book.number, "changed": changed}})
        return Screen(None, draft, self.wizard.ctx, changes=Changes(book_id, book.number, tuple(changed), again))

    async def change(self, owner_id: int, conversation: Conversation, change: str) -> Screen | None:
        """One item of 'What changed?': its wizard steps, then back. None: a stale button."""
        keys = CHANGES.get(change)
        if keys is None or await conversation.get_state() != Renewal.changes.state:
            return None
        return await self.wizard.walk(owner_id, conversation, keys, change)

    async def back_to_changes(self, owner_id: int, conversation: Conversation) -> Screen | None:
        profile = await self._renewing(owner_id, conversation, Renewal.entries.state)
        if profile is None:
            return None
        return await self.wizard.walked(owner_id, conversation, profile.draft, done=False)

    async def entries(self, owner_id: int, conversation: Conversation) -> Entries | None:
        """After 'What changed?': the entries that run out (None: a stale button)."""
        profile = await self._renewing(owner_id, conversation, Renewal.changes.state)
        if profile is None:
            return None
        data = await conversation.get_data()
        checklist = await self.exams.checklist(owner_id, profile.id)
        until = self.exams.today() + timedelta(days=self.exams.horizon_days)
        found = Entries(str(data["renewal"]["number"]), profile.id, until)
        for view in checklist.items if checklist is not None else []:
            if not view.item.required:
                continue
            if view.state is ExamState.ON_REVIEW:
                found.on_review.append(view)
            elif view.state is not ExamState.CONFIRMED or self.exams.running_out(view):
                found.running_out.append(view)
        await conversation.set_state(Renewal.entries)
        return found

    async def to_summary(self, owner_id: int, conversation: Conversation) -> Screen | None:
        """After the entries: what is still unsettled (the payment, where there is a price), else the summary."""
        profile = await self._renewing(owner_id, conversation, Renewal.entries.state)
        if profile is None:
            return None
        gap = first_unfilled(profile.draft, self.wizard.ctx)
        if gap is None:
            return await self.wizard.summary(owner_id, conversation, profile.draft)
        await conversation.update_data(editing=True)  # the gap's section, then the summary
        return await self.wizard.show(owner_id, conversation, gap, profile.draft)

    async def leave(self, conversation: Conversation) -> None:
        """'Cancel': the renewal stays on the draft; «Renew» again continues it."""
        await conversation.set_state(None)

    async def _renewing(self, owner_id: int, conversation: Conversation, in_state: str | None) -> Profile | None:
        """The profile being renewed, when the conversation is at `in_state` of a renewal (else None: stale)."""
        if await conversation.get_state() != in_state:
            return None
        data = await conversation.get_data()
        profile = await self.wizard.profile(owner_id, conversation)
        renewal = data.get("renewal")
        if profile is None or not isinstance(renewal, dict) or profile.draft.renews_book_id != renewal.get("book"):
            return None
        return profile


def _renewal_draft(profile: Profile, book_id: int) -> Draft:
    """The profile's draft as the renewal starts: everything kept, marked as renewing the book; a payment made
    for an earlier application does not pay for this one."""
    return profile.draft.model_copy(update={
        "renews_book_id": book_id, "payment_receipt_id": None, "payment_exemption": None,
        "payment_proof_upload_id": None,
    })


__all__ = ["CHANGES", "Entries", "Refused", "RenewalService"]
