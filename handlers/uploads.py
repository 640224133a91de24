"""The photo 3×4 step and the document-scan steps (steps 6 and 8).

A photo or file is sized up before download (Telegram serves at most 20 MB), downloaded, checked in the
media worker process (domain/portrait.py, domain/scans.py), and either explained (every problem, in the
person's language) or stored encrypted. The corrected photo is shown for "use it" / "take another";
scans are listed, each removable, until «Готово» and the legibility confirmation.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.keyboards import UploadCb
from bot.media import MediaWorker, download
from domain import wizard
from domain.applicant import Draft
from domain.issues import Issue, Severity, error
from domain.media import sha256_hex
from domain.portrait import PortraitResult
from domain.scans import ScanResult
from fsm.states import Apply
from fsm.steps import STEP_BY_KEY, STEP_BY_STATE, STEPS, Step
from handlers import apply_views as views
from handlers.apply import WIZARD_MIDDLEWARE, Wizard
from handlers.ui import reply_or_edit
from storage.files import FileStore, Upload
from storage.profiles import Profile

router = Router(name="uploads")
# The citizen's side lives in private chats; in the staff group only the staff router answers.
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")
router.message.middleware(WIZARD_MIDDLEWARE)
router.callback_query.middleware(WIZARD_MIDDLEWARE)

DOC_STATES = [s.state for s in STEPS if s.kind == "upload"]
MAX_SCAN_BYTES = 5 * 1024 * 1024
MAX_SCAN_PAGES = 10


def _file_of(message: Message) -> tuple[str, str | None, int | None] | None:
    """(file_id, file_unique_id, declared size) of what was sent: the largest photo size, or the document."""
    if message.photo:
        best = message.photo[-1]
        return best.file_id, best.file_unique_id, best.file_size
    if message.document:
        return message.document.file_id, message.document.file_unique_id, message.document.file_size
    return None


async def _fetch(message: Message, bot: Bot) -> bytes | Issue | None:
    found = _file_of(message)
    if found is None:
        return None
    await bot.send_chat_action(message.chat.id, ChatAction.TYPING)
    return await download(bot, found[0], found[2])


def _rejection(wiz: Wizard, issues: tuple[Issue, ...], retry_key: str) -> str:
    return views.issues_text(wiz.tr, issues) + "\n\n" + wiz.tr(retry_key)


async def _download_or_explain(message: Message, bot: Bot, wiz: Wizard, retry_key: str) -> bytes | None:
    data = await _fetch(message, bot)
    if isinstance(data, Issue) or data is None:
        await message.answer(_rejection(wiz, (data or error("file-format-unsupported"),), retry_key))
        return None
    return data


def _telegram_ids(message: Message) -> dict[str, str | None]:
    found = _file_of(message)
    return {"telegram_file_id": found[0] if found else None, "telegram_file_unique_id": found[1] if found else None}


async def receive_photo(
    message: Message, bot: Bot, wiz: Wizard, media: MediaWorker, files: FileStore, *,
    profile_id: int | None, kind: str = "photo", status: str = "active",
) -> tuple[Upload, PortraitResult] | None:
    """Download a portrait, check it in the media worker and store the corrected 3×4 JPEG; on any problem,
    explain it to the person and return None. The one path for every step that takes a photo."""
    data = await _download_or_explain(message, bot, wiz, "apply-photo-retry")
    if data is None:
        return None
    result = await media.portrait(data)
    if not result.ok or result.jpeg is None:
        await message.answer(_rejection(wiz, result.issues, "apply-photo-retry"))
        return None
    upload = await wiz.uploads.add(
        owner_id=wiz.user.telegram_id, profile_id=profile_id, kind=kind, sha256=sha256_hex(data),
        detected_type="jpeg", size=len(result.jpeg), width=result.width, height=result.height, dpi=result.dpi,
        checks=tuple(i.code for i in result.issues), storage_name=await files.put(result.jpeg), status=status,
        **_telegram_ids(message),
    )
    return upload, result


async def receive_scan(
    message: Message, bot: Bot, wiz: Wizard, media: MediaWorker, files: FileStore, *,
    profile_id: int | None, kind: str, retry_key: str = "apply-scan-retry",
    refuse_duplicate: Callable[[Upload], bool] | None = None, duplicate_key: str = "apply-scan-duplicate",
) -> tuple[Upload, ScanResult] | None:
    """Download a scan, check it in the media worker and store it encrypted; on any problem (or a file the
    person already sent, where `refuse_duplicate` says so) explain it and return None. The one path for
    every step that takes a document."""
    data = await _download_or_explain(message, bot, wiz, retry_key)
    if data is None:
        return None
    result = await media.scan(data, max_bytes=MAX_SCAN_BYTES, max_pages=MAX_SCAN_PAGES)
    if any(i.severity is Severity.ERROR for i in result.issues) or result.kind is None:
        await message.answer(_rejection(wiz, result.issues, retry_key))
        return None
    if refuse_duplicate is not None and profile_id is not None:
        earlier = await wiz.uploads.find_duplicate(profile_id, result.sha256)
        if earlier is not None and refuse_duplicate(earlier):
            await message.answer(wiz.tr(duplicate_key))
            return None
    upload = await wiz.uploads.add(
        owner_id=wiz.user.telegram_id, profile_id=profile_id, kind=kind, sha256=result.sha256,
        detected_type=result.kind.value, size=result.size, pages=result.pages, width=result.width,
        height=result.height, dpi=result.dpi, checks=tuple(i.code for i in result.issues),
        storage_name=await files.put(data), **_telegram_ids(message),
    )
    return upload, result


# --- photo 3×4 --------------------------------------------------------------------------------------------


@router.message(StateFilter(Apply.photo), F.photo | F.document)
async def on_photo(message: Message, bot: Bot, wiz: Wizard, media: MediaWorker, files: FileStore) -> None:
    profile = await wiz.profile()
    if profile is None:
        return
    received = await receive_photo(message, bot, wiz, media, files, profile_id=profile.id, status="pending")
    if received is None:
        return
    upload, result = received
    assert result.jpeg is not None
    await wiz.state.set_state(Apply.photo_confirm)
    await wiz.state.update_data(pending_photo=upload.id)
    # Pixel figures as plain digits: "1200×1600", not Fluent's grouped "1 200×1 600".
    caption = wiz.tr("apply-photo-result", width=str(result.width), height=str(result.height), dpi=str(result.dpi))
    if result.issues:
        caption = views.issues_text(wiz.tr, result.issues) + "\n\n" + caption
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=wiz.tr("btn-photo-use"), callback_data=UploadCb(action="use_photo").pack()),
        InlineKeyboardButton(text=wiz.tr("btn-photo-retake"), callback_data=UploadCb(action="retake").pack()),
    ]])
    await message.answer_photo(BufferedInputFile(result.jpeg, "photo_3x4.jpg"), caption=caption,
                               reply_markup=keyboard)


@router.callback_query(StateFilter(Apply.photo_confirm), UploadCb.filter(F.action.in_({"use_photo", "retake"})))
async def on_photo_decision(query: CallbackQuery, callback_data: UploadCb, wiz: Wizard) -> None:
    await query.answer()
    profile = await wiz.profile()
    pending = (await wiz.state.get_data()).get("pending_photo")
    if profile is None or pending is None:
        return
    if isinstance(query.message, Message):
        try:
            await query.message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass
    step = STEP_BY_KEY["photo"]
    if callback_data.action == "retake":
        await wiz.uploads.set_status(int(pending), wiz.user.telegram_id, "removed")
        await wiz.state.update_data(pending_photo=None)
        await wiz.show(query, step, profile.draft, prefix=wiz.tr("apply-photo-send-another"))
        return
    if profile.draft.photo_upload_id is not None:
        await wiz.uploads.set_status(profile.draft.photo_upload_id, wiz.user.telegram_id, "removed")
    await wiz.uploads.set_status(int(pending), wiz.user.telegram_id, "active")
    await wiz.state.update_data(pending_photo=None)
    draft = step.rule.set(profile.draft, int(pending))
    await wiz.advance(query, profile, step, draft, wiz.tr("apply-photo-saved"))


# --- document scans -----------------------------------------------------------------------------------------


@router.message(StateFilter(*DOC_STATES), F.photo | F.document)
async def on_scan(message: Message, bot: Bot, wiz: Wizard, media: MediaWorker, files: FileStore) -> None:
    profile = await wiz.profile()
    step = STEP_BY_STATE[await wiz.state.get_state() or ""]
    if profile is None:
        return
    received = await receive_scan(
        message, bot, wiz, media, files, profile_id=profile.id, kind=step.key.removeprefix("doc_"),
        refuse_duplicate=lambda _earlier: True,
    )
    if received is None:
        return
    _, result = received
    note = wiz.tr("apply-scan-accepted")
    if result.issues:
        note += "\n" + views.issues_text(wiz.tr, result.issues)
    await wiz.show(message, step, await _files_changed(wiz, profile, step), prefix=note)


async def _files_changed(wiz: Wizard, profile: Profile, step: Step) -> Draft:
    """A document step that was confirmed legible needs a new confirmation once its files change."""
    draft = wizard.files_changed(step.key, profile.draft)
    if draft is not profile.draft:
        await wiz.profiles.save(profile, draft, step.key)
    return draft


async def _doc_step(query: CallbackQuery, callback_data: UploadCb, wiz: Wizard) -> tuple[Profile, Step] | None:
    profile = await wiz.profile()
    step = STEP_BY_STATE.get(await wiz.state.get_state() or "")
    if profile is None or step is None or step.key != callback_data.step:
        await query.answer(wiz.tr("hint-button-expired"))
        return None
    return profile, step


@router.callback_query(StateFilter(*DOC_STATES), UploadCb.filter(F.action == "remove"))
async def on_remove(query: CallbackQuery, callback_data: UploadCb, wiz: Wizard) -> None:
    if (found := await _doc_step(query, callback_data, wiz)) is None:
        return
    profile, step = found
    await wiz.uploads.set_status(int(callback_data.value), wiz.user.telegram_id, "removed")
    await query.answer(wiz.tr("apply-scan-removed"))
    await wiz.show(query, step, await _files_changed(wiz, profile, step))


@router.callback_query(StateFilter(*DOC_STATES), UploadCb.filter(F.action == "done"))
async def on_done(query: CallbackQuery, callback_data: UploadCb, wiz: Wizard) -> None:
    if (found := await _doc_step(query, callback_data, wiz)) is None:
        return
    profile, step = found
    if not await wiz.uploads.list_for(profile.id, step.key.removeprefix("doc_")):
        await query.answer(wiz.tr("apply-scan-none-yet"), show_alert=True)
        return
    await query.answer()
    await wiz.state.set_state(Apply.doc_confirm)
    await wiz.state.update_data(confirm_step=step.key)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=wiz.tr("btn-scan-legible"), callback_data=UploadCb(action="legible").pack())],
        [InlineKeyboardButton(text=wiz.tr("btn-scan-reupload"), callback_data=UploadCb(action="reupload").pack())],
    ])
    await reply_or_edit(query, wiz.tr("apply-scan-confirm-legible"), keyboard)


@router.callback_query(StateFilter(Apply.doc_confirm), UploadCb.filter(F.action.in_({"legible", "reupload"})))
async def on_legible(query: CallbackQuery, callback_data: UploadCb, wiz: Wizard) -> None:
    await query.answer()
    profile = await wiz.profile()
    step = STEP_BY_KEY.get(str((await wiz.state.get_data()).get("confirm_step")))
    if profile is None or step is None:
        return
    if callback_data.action == "reupload":
        await wiz.show(query, step, profile.draft)
        return
    await wiz.advance(query, profile, step, step.rule.set(profile.draft, True))

