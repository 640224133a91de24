"""What staff see: the card of an application (summary, status, who acted, the actions the status machine
allows), the document picker, and the submitted files as albums."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import html
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
)

from bot.i18n import Tr, document_label
from bot.keyboards import StaffCb
from domain.status import STAFF_ACTIONS, Actor, allowed_targets
from services.staff import StoredFile
from storage.applications import Application

ALBUM_SIZE = 10  # Telegram takes 2..10 items per album


def card(tr: Tr, app: Application, summary: str, acted: str | None = None) -> tuple[str, InlineKeyboardMarkup]:
    lines = [html.bold(tr("staff-card-title", number=app.number)),
             tr("staff-card-status", status=tr(f"status-{app.status.value}"))]
    if acted:
        lines.append(acted)
    lines.append("")
    lines.append(html.quote(summary))
    rows = []
    for target in allowed_targets(app.status, Actor.STAFF):
        action = STAFF_ACTIONS.get(target)
        if action:
            rows.append(InlineKeyboardButton(
                text=tr(f"btn-staff-{action}"),
                callback_data=StaffCb(action=action, app=app.id, version=app.version).pack(),
            ))
    keyboard = [rows[i:i + 2] for i in range(0, len(rows), 2)]
    keyboard.append([InlineKeyboardButton(text=tr("btn-staff-documents"),
                                          callback_data=StaffCb(action="docs", app=app.id, version=0).pack())])
    return "\n".join(lines), InlineKeyboardMarkup(inline_keyboard=keyboard)


def picker(tr: Tr, app: Application, kinds: Sequence[str], chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(
            text=("✅ " if kind in chosen else "") + document_label(tr, kind),
            callback_data=StaffCb(action="pick", app=app.id, version=app.version, value=kind).pack(),
        )]
        for kind in kinds
    ]
    if chosen:
        done = StaffCb(action="send", app=app.id, version=app.version).pack()
        rows.append([InlineKeyboardButton(text=tr("btn-staff-next"), callback_data=done)])
    rows.append([InlineKeyboardButton(text=tr("btn-cancel"),
                                      callback_data=StaffCb(action="cancel", app=app.id).pack())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def albums(files: list[StoredFile]) -> list[list[InputMediaPhoto | InputMediaDocument]]:
    """The files as albums: photos as photos, the rest as documents, at most ten to an album."""
    photos: list[InputMediaPhoto | InputMediaDocument] = []
    docs: list[InputMediaPhoto | InputMediaDocument] = []
    for f in files:
        u = f.upload
        name = f"{u.kind}.{u.detected_type or 'bin'}"
        if u.detected_type == "jpeg" and u.kind == "photo":
            photos.append(InputMediaPhoto(media=BufferedInputFile(f.data, name)))
        else:
            docs.append(InputMediaDocument(media=BufferedInputFile(f.data, name)))
    return [group[i:i + ALBUM_SIZE] for group in (photos, docs) for i in range(0, len(group), ALBUM_SIZE)]
