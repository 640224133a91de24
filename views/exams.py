"""What a person and staff see of the exams: the checklist with states and the progress line, the questions
of one result, the staff card of an applicant's results, the reason prompt. No I/O; people's text (reasons,
institutions, certificate numbers, names) is escaped here, where it enters HTML."""

from __future__ import annotations

from datetime import date

from aiogram import html
from aiogram.types import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Tr
from bot.keyboards import ExamCb, ExamStaffCb, MenuCb
from domain.clinics import Clinics
from domain.exams import ChecklistItem, ExamState, Progress
from domain.policy import ExamKind, ExamResult
from fsm.states import Exams
from services.exams import Checklist, ItemView, StaffCard
from storage.exams import ExamRecord
from storage.profiles import Profile
from views.ui import fmt_date

_MARK = {
    ExamState.MISSING: "⬜", ExamState.UPLOADED: "✏️", ExamState.ON_REVIEW: "⏳", ExamState.CONFIRMED: "✅",
    ExamState.RETURNED: "↩️", ExamState.EXPIRED: "⚠️",
}


def label(tr: Tr, code: str) -> str:
    return tr("exam-" + code.replace("_", "-"))


def result_label(tr: Tr, value: str | None, kind: ExamResult) -> str:
    if value is None:
        return "—"
    if kind is ExamResult.CERTIFICATE or value not in kind.choices:
        return html.quote(value)
    return tr("exam-result-" + value.replace("_", "-"))


def progress_line(tr: Tr, found: Progress) -> str:
    return tr("exams-progress", done=found.done, total=found.total)


def _drafting(view: ItemView) -> bool:
    """A result is being entered for an item that still needs one."""
    return view.draft is not None and view.state in (ExamState.MISSING, ExamState.RETURNED, ExamState.EXPIRED)


def _mark(view: ItemView) -> str:
    return _MARK[ExamState.UPLOADED if _drafting(view) else view.state]


def _state(tr: Tr, view: ItemView) -> str:
    record = view.record
    if _drafting(view):
        return tr("exam-state-uploaded")
    if view.state is ExamState.CONFIRMED and record is not None:
        if record.valid_until is None:
            return tr("exam-state-confirmed-forever")
        return tr("exam-state-confirmed", until=fmt_date(record.valid_until, tr))
    if view.state is ExamState.RETURNED and record is not None:
        return tr("exam-state-returned", reason=html.quote(record.reason or ""))
    if view.state is ExamState.EXPIRED and record is not None:
        return tr("exam-state-expired", until=fmt_date(record.valid_until, tr))
    return tr("exam-state-" + view.state.value.replace("_", "-"))


def _line(tr: Tr, view: ItemView) -> str:
    notes = []
    if view.item.at_hiring_only:
        notes.append(tr("exams-at-hiring"))
    if not view.item.required:
        notes.append(tr("exams-optional"))
    extra = f" ({', '.join(notes)})" if notes else ""
    return f"{_mark(view)} {label(tr, view.item.code)}{extra} — {_state(tr, view)}"


def name_of(profile: Profile) -> str:
    draft = profile.draft
    return html.quote(" ".join(p for p in (draft.surname, draft.name) if p) or "—")


def checklist_view(tr: Tr, found: Checklist) -> tuple[str, InlineKeyboardMarkup]:
    lines = [html.bold(tr("exams-title", name=name_of(found.profile))),
             tr("exams-kind-hiring" if found.subject.hiring else "exams-kind-periodic"),
             progress_line(tr, found.progress), ""]
    lines += [_line(tr, view) for view in found.items]
    if any(v.item.kind is ExamKind.ATTESTATION for v in found.items):
        lines += ["", tr("exams-attestation-rule")]
    lines += ["", tr("exams-how")]
    rows = [[InlineKeyboardButton(
        text=f"{_mark(view)} {label(tr, view.item.code)}",
        callback_data=ExamCb(action="item", profile=found.profile.id, item=view.item.code).pack())]
        for view in found.items]
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def profiles_view(tr: Tr, profiles: list[Profile]) -> tuple[str, InlineKeyboardMarkup]:
    rows = [[InlineKeyboardButton(text=name_of(p), callback_data=ExamCb(action="list", profile=p.id).pack())]
            for p in profiles]
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    return tr("exams-pick-profile"), InlineKeyboardMarkup(inline_keyboard=rows)


def _nav(tr: Tr, profile_id: int, back: bool = True) -> list[InlineKeyboardButton]:
    buttons = [InlineKeyboardButton(text=tr("btn-cancel"), callback_data=ExamCb(action="cancel",
                                                                              profile=profile_id).pack())]
    if back:
        buttons.insert(0, InlineKeyboardButton(text=tr("btn-back"), callback_data=ExamCb(action="back",
                                                                                        profile=profile_id).pack()))
    return buttons


def question(
    tr: Tr, state: str | None, item: ChecklistItem, profile_id: int, clinics: Clinics | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The question asked in `state` about one item's result."""
    name = label(tr, item.code)
    rows: list[list[InlineKeyboardButton]] = []
    if state == Exams.date.state:
        text = tr("exams-ask-date", item=name)
    elif state == Exams.institution.state:
        text = tr("exams-ask-institution", item=name)
        for code, clinic in (clinics.clinics.items() if clinics is not None else ()):
            if item.code in clinic.exams:
                rows.append([InlineKeyboardButton(text=clinic.name, callback_data=ExamCb(
                    action="clinic", profile=profile_id, item=item.code, value=code).pack())])
    elif state == Exams.result.state:
        if item.result is ExamResult.CERTIFICATE:
            text = tr("exams-ask-certificate", item=name)
        else:
            text = tr("exams-ask-result", item=name)
            rows.append([InlineKeyboardButton(text=tr("exam-result-" + value.replace("_", "-")), callback_data=ExamCb(
                action="result", profile=profile_id, item=item.code, value=value).pack())
                for value in item.result.choices])
    else:
        text = tr("exams-ask-upload", item=name)
    rows.append(_nav(tr, profile_id))
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def date_refused(tr: Tr, problem: str, ran_out: date | None) -> str:
    if problem == "future":
        return tr("exams-date-future")
    return tr("exams-date-too-old", date=fmt_date(ran_out, tr))


# --- the holder's push ----------------------------------------------------------------------------------------


def decided(tr: Tr, record: ExamRecord) -> tuple[str, InlineKeyboardMarkup]:
    name = label(tr, record.item)
    if record.state is ExamState.CONFIRMED:
        text = (tr("push-exam-confirmed-forever", item=name) if record.valid_until is None
                else tr("push-exam-confirmed", item=name, until=fmt_date(record.valid_until, tr)))
        button = InlineKeyboardButton(text=tr("btn-exams-list"),
                                      callback_data=ExamCb(action="list", profile=record.profile_id).pack())
    else:
        text = tr("push-exam-returned", item=name, reason=html.quote(record.reason or ""))
        button = InlineKeyboardButton(text=tr("btn-exams-upload-again"), callback_data=ExamCb(
            action="item", profile=record.profile_id, item=record.item).pack())
    return text, InlineKeyboardMarkup(inline_keyboard=[[button]])


# --- staff ----------------------------------------------------------------------------------------------------


def _staff_button(text: str, action: str, record: ExamRecord) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ExamStaffCb(action=action, result=record.id,
                                                                     version=record.version).pack())


def staff_card(tr: Tr, card: StaffCard) -> tuple[str, InlineKeyboardMarkup]:
    """ONE card per applicant's results, redrawn as results arrive and are decided."""
    found = card.checklist
    lines = [html.bold(tr("staff-exams-title", name=name_of(card.profile))),
             tr("staff-exams-application", number=card.number) if card.number else tr("staff-exams-no-application"),
             progress_line(tr, found.progress), ""]
    for view in found.items:
        lines.append(_line(tr, view))
        record = view.record
        if view.state is ExamState.ON_REVIEW and record is not None:
            lines.append("    " + tr("staff-exams-entry", date=fmt_date(record.done_on, tr),
                                     institution=html.quote(record.institution or "—"),
                                     result=result_label(tr, record.result, view.item.result)))
    if found.open:
        lines += ["", tr("staff-exams-open", count=len(found.open),
                         items=", ".join(label(tr, code) for code in found.open))]
    rows = []
    for view in card.on_review:
        assert view.record is not None
        name = label(tr, view.item.code)
        rows.append([_staff_button(tr("btn-staff-exam-file", item=name), "file", view.record)])
        rows.append([_staff_button(tr("btn-staff-exam-confirm", item=name), "confirm", view.record),
                     _staff_button(tr("btn-staff-exam-return", item=name), "return", view.record)])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=rows)


def reason_prompt(tr: Tr, record: ExamRecord, who_id: int, who: str) -> tuple[str, ForceReply]:
    mention = html.link(html.quote(who), f"tg://user?id={who_id}")
    return (tr("staff-exam-ask-reason", item=label(tr, record.item), name=mention),
            ForceReply(selective=True, input_field_placeholder=tr("staff-reason-placeholder")))


def reason_controls(tr: Tr, record: ExamRecord) -> tuple[str, InlineKeyboardMarkup]:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[_staff_button(tr("btn-cancel"), "cancel", record)]])
    return tr("staff-exam-reason-controls", item=label(tr, record.item)), keyboard
