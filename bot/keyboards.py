"""Keyboard builders: functions of the translator. Buttons carry CallbackData, never matched by text.

Callback data comes back from the client, so it is parsed into bounded types: an id is a decimal in
0..2**53-1 (what the database and every JSON reader keep exactly), a text is at most 48 characters. A
forged value fails validation, the filter does not match, and the press falls through to the 'expired
button' hint instead of reaching a handler with a number no column can hold.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Final, Self

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from pydantic import Field, model_validator

from bot.i18n import Tr

MAX_ID: Final = 2**53 - 1
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Text = Annotated[str, Field(max_length=48)]
_ID_TEXT: Final = re.compile(r"0|[1-9][0-9]{0,15}")


def is_id_text(value: str) -> bool:
    """A row id written as a button value: plain decimal digits, within `MAX_ID`."""
    return _ID_TEXT.fullmatch(value) is not None and int(value) <= MAX_ID


def _value_is_id(data: ApplyCb | UploadCb, actions: frozenset[str]) -> None:
    if data.action in actions and not is_id_text(data.value):
        raise ValueError("this button's value must be a row id")


class ConsentCb(CallbackData, prefix="consent"):
    action: Text  # accept | decline | show


class PrivacyCb(CallbackData, prefix="pd"):
    """«My data»: export | export_yes | erase | erase_yes | withdraw | cancel."""

    action: Text


class LangCb(CallbackData, prefix="lang"):
    code: Text


class MenuCb(CallbackData, prefix="menu"):
    item: Text


class MyBookCb(CallbackData, prefix="mb"):
    """A button on a book's (EMK) card: show (another book), pdf, csv, entries (the list, with its filters:
    `recent` the last 12 months, `group` a type, `place` an institution's position from 1, 0 for any)."""

    action: Text
    book: Id = 0
    recent: bool = False
    group: Text = ""
    place: Annotated[int, Field(ge=0, le=999)] = 0


def consent_keyboard(tr: Tr) -> InlineKeyboardMarkup:
    b = InlineKeyboardBuilder()
    b.button(text=tr("btn-consent-accept"), callback_data=ConsentCb(action="accept"))
    b.button(text=tr("btn-consent-decline"), callback_data=ConsentCb(action="decline"))
    b.adjust(2)
    return b.as_markup()


def language_keyboard(tr: Tr) -> InlineKeyboardMarkup:
    # Language names are written in their own language, so they read the same in every locale.
    b = InlineKeyboardBuilder()
    b.button(text=tr("language-name-ru"), callback_data=LangCb(code="ru"))
    b.button(text=tr("language-name-en"), callback_data=LangCb(code="en"))
    b.adjust(2)
    return b.as_markup()


def main_menu(tr: Tr, *, has_consent: bool, extra: list[tuple[str, str]] | None = None) -> InlineKeyboardMarkup:
    """The main menu. `extra` are (fluent key, menu item) pairs that feature routers contribute (the account
    service offers them to people who gave consent, and «My data» to people who withdrew it): a feature that
    does not work has no button."""
    b = InlineKeyboardBuilder()
    if not has_consent:
        b.row(InlineKeyboardButton(text=tr("btn-consent-give"), callback_data=ConsentCb(action="show").pack()))
    for key, item in extra or []:
        b.row(InlineKeyboardButton(text=tr(key), callback_data=MenuCb(item=item).pack()))
    b.row(
        InlineKeyboardButton(text=tr("btn-menu-help"), callback_data=MenuCb(item="help").pack()),
        InlineKeyboardButton(text=tr("btn-menu-language"), callback_data=MenuCb(item="language").pack()),
    )
    return b.as_markup()


_OPEN_MENU = MenuCb(item="open").pack()


_BACK_TO_MENU: dict[str, InlineKeyboardMarkup] = {}  # by the button's text: one per language


def back_to_menu(tr: Tr) -> InlineKeyboardMarkup:
    # Built once per language and shared (aiogram's types are frozen): building it, even directly rather than
    # with InlineKeyboardBuilder, was a tenth of the bot's own CPU on every /help (bench/updates.py).
    text = tr("btn-back-to-menu")
    markup = _BACK_TO_MENU.get(text)
    if markup is None:
        if len(_BACK_TO_MENU) > 64:
            _BACK_TO_MENU.clear()
        markup = _BACK_TO_MENU[text] = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=_OPEN_MENU)]]
        )
    return markup


class ApplyCb(CallbackData, prefix="ap"):
    """A wizard button. `step` is the step the button belongs to, so a press on an old message is
    recognised as stale instead of acting on the wrong step."""

    action: Text  # back | skip | keep | cancel | pick | edit | profile | new | summary | fill
    step: Text = ""
    value: Text = ""

    @model_validator(mode="after")
    def _ids(self) -> Self:
        _value_is_id(self, frozenset({"profile"}))
        return self


class UploadCb(CallbackData, prefix="up"):
    """A button of the photo and document steps."""

    action: Text  # use_photo | retake | remove | done | legible | reupload
    step: Text = ""
    value: Text = ""

    @model_validator(mode="after")
    def _ids(self) -> Self:
        _value_is_id(self, frozenset({"remove"}))
        return self


class StaffCb(CallbackData, prefix="st"):
    """A staff action on an application; `version` is the status version the button was drawn for."""

    action: Text  # take | approve | reject | request | docs | pick | send | cancel
    app: Id
    version: Id = 0
    value: Text = ""


class ReviewCb(CallbackData, prefix="rv"):
    """The citizen's side of a submitted application."""

    action: Text  # sign | sign_confirm | open | upload | send
    app: Id = 0


class PayCb(CallbackData, prefix="pay"):
    """A button of the payment step."""

    action: Text  # telegram | manual | exempt | back | cancel
    value: Text = ""


class BookAction(StrEnum):
    """What a booking button does (a closed set: anything else in the data does not parse)."""

    REGION = "rg"  # code: a region ("" = choose again)
    PAGE = "pg"  # value: the page of the clinic list
    CLINIC = "cl"  # code: a clinic, its card
    DAYS = "dy"  # the calendar of the chosen clinic
    DAY = "d"  # value: a date as YYYYMMDD
    TIME = "t"  # value: the slot start, minutes since the epoch (UTC)
    CONFIRM = "ok"
    MOVE = "mv"  # value: the booking to move
    CANCEL = "x"  # value: the booking to cancel (asks first)
    CANCEL_YES = "xy"  # value: the booking, confirmed
    SHOW = "sh"  # value: a booking's appointment slip
    MINE = "my"
    QUIT = "q"  # leave the flow
    NOOP = "n"  # a calendar cell that is not a day to press


class BookCb(CallbackData, prefix="bk"):
    """A button of the booking flow; ints and a short code keep it well under Telegram's 64 bytes."""

    action: BookAction
    value: Id = 0
    code: Text = ""


class StaffBookAction(StrEnum):
    CLINICS = "cs"
    CLINIC = "c"  # code: the clinic, its days
    DAY = "d"  # code, value: YYYYMMDD
    NO_SHOW = "ns"  # code, value: the booking


class StaffBookCb(CallbackData, prefix="sb"):
    """A staff button of 'Bookings on a date': a clinic, a day of it, a no-show of a booking."""

    action: StaffBookAction
    code: Text = ""
    value: Id = 0


class ExamCb(CallbackData, prefix="ex"):
    """A button of the exam checklist and of entering one result."""

    action: Text  # list | item | clinic | typed | result | back | cancel
    profile: Id = 0
    item: Text = ""
    value: Text = ""


class ExamStaffCb(CallbackData, prefix="xs"):
    """Staff's button on an applicant's exam card; `version` is the result's version the button was drawn for."""

    action: Text  # file | confirm | return | cancel
    result: Id
    version: Id = 0


class ElmkCb(CallbackData, prefix="el"):
    """A button of 'Add my ELMK'."""

    action: Text  # back | cancel


class ElmkStaffCb(CallbackData, prefix="es"):
    """Staff's button on an added ELMK's message; `version` is the row's version the button was drawn for."""

    action: Text  # file | confirm
    elmk: Id
    version: Id = 0


class RenewCb(CallbackData, prefix="rn"):
    """The Renew button on a book, from My EMK or from a reminder: starts the renewal of `book`
    (handlers/renewal.py). Other actions belong to the renewal flow's own steps."""

    action: Text  # start | ...
    book: Id = 0


class NotifyCb(CallbackData, prefix="nt"):
    """'Notification settings' (handlers/notify.py) and a reminder's settings button."""

    action: Text  # open | toggle | always | quiet | quiet_set | quiet_type | zone | zone_set | zone_type
    value: Text = ""


class ShareCb(CallbackData, prefix="shr"):
    """A button of sharing a book with an employer: share (book), skip (the name), level (value), days (value),
    cancel, list ('My links'), revoke (share: asks first), revoke_yes (share: confirmed)."""

    action: Text
    book: Id = 0
    share: Id = 0
    value: Text = ""
