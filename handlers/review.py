"""The citizen after the summary: sign and send, "My applications" with each timeline, and sending the
documents staff asked for (which returns the application to «В проверке»)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Tr, Translator, document_label
from bot.keyboards import MenuCb, ReviewCb
from bot.media import MediaWorker
from bot.pushes import Pushes
from domain.clock import Clock
from domain.signature import application_content, sign
from domain.status import Actor, Status
from fsm.states import Apply, Review
from fsm.steps import missing
from handlers import apply_views as views
from handlers.apply import WIZARD_MIDDLEWARE, Wizard
from handlers.ui import fmt_date, reply_or_edit
from handlers.uploads import receive_photo, receive_scan
from storage.applications import Application, ApplicationRepository, Conflict
from storage.db import transaction
from storage.files import FileStore
from storage.users import User

router = Router(name="review")
# The citizen's side lives in private chats; in the staff group only the staff router answers.
router.message.filter(F.chat.type == "private")
router.callback_query.filter(F.message.chat.type == "private")
router.message.middleware(WIZARD_MIDDLEWARE)
router.callback_query.middleware(WIZARD_MIDDLEWARE)


# --- sign and send -----------------------------------------------------------------------------------------


@router.callback_query(StateFilter(Apply.summary), ReviewCb.filter(F.action == "sign"))
async def on_sign(query: CallbackQuery, wiz: Wizard) -> None:
    await query.answer()
    profile = await wiz.profile()
    if profile is None or missing(profile.draft, wiz.ctx) or await wiz.active_application() is not None:
        return
    await wiz.state.set_state(Review.confirm_sign)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=wiz.tr("btn-sign-confirm"), callback_data=ReviewCb(action="sign_confirm").pack())],
        [InlineKeyboardButton(text=wiz.tr("btn-back-to-summary"), callback_data=ReviewCb(action="summary").pack())],
    ])
    await reply_or_edit(query, wiz.tr("review-sign-explain", name=profile.draft.full_name()), keyboard)


@router.callback_query(StateFilter(Review.confirm_sign), ReviewCb.filter(F.action == "summary"))
async def on_back_to_summary(query: CallbackQuery, wiz: Wizard) -> None:
    await query.answer()
    profile = await wiz.profile()
    if profile is not None:
        await wiz.show_summary(query, profile.draft)


@router.callback_query(StateFilter(Review.confirm_sign), ReviewCb.filter(F.action == "sign_confirm"))
async def on_sign_confirm(
    query: CallbackQuery, wiz: Wizard, clock: Clock, pushes: Pushes, translator: Translator
) -> None:
    profile = await wiz.profile()
    if profile is None or missing(profile.draft, wiz.ctx) or await wiz.active_application() is not None:
        await query.answer(wiz.tr("hint-button-expired"))
        return
    await query.answer()
    uploads = [u for u in await wiz.uploads.list_for(profile.id) if u.kind != "payment_receipt"]
    # Exactly what is submitted, and what the signature's hash covers: the data, the files by their hash.
    signed = application_content(profile.draft.model_dump(mode="json"), [(u.id, u.kind, u.sha256) for u in uploads])
    snapshot = {
        **signed,
        "upload_ids": [u.id for u in uploads if u.kind == "photo"] + [u.id for u in uploads if u.kind != "photo"],
        "summary": {
            code: views.summary_text(translator.bind(code), profile.draft, wiz.ctx, wiz.categories)
            for code in translator.bundles
        },
    }
    signature = sign(signed, wiz.user.telegram_id, clock.now())
    async with transaction(wiz.applications.engine):
        app = await wiz.applications.submit(
            owner_id=wiz.user.telegram_id, profile_id=profile.id, snapshot=snapshot, signature=signature
        )
        await pushes.new_application(app)
        await wiz.profiles.save(profile, profile.draft, "summary")
        await wiz.state.set_state(None)
    await wiz.applications.audit(actor_id=wiz.user.telegram_id, action="citizen.submit", application_id=app.id,
                                 sha256=signature.content_sha256)
    await reply_or_edit(query, wiz.tr("review-submitted", number=app.number, status=wiz.tr("status-accepted"),
                                      sha=signature.content_sha256[:16]), _mine_keyboard(wiz.tr))


def _mine_keyboard(tr: Tr) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=tr("btn-my-applications"), callback_data=MenuCb(item="mine").pack())],
        [InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())],
    ])


# --- «Мои заявления» ------------------------------------------------------------------------------------------


@router.callback_query(MenuCb.filter(F.item == "mine"))
async def on_mine(query: CallbackQuery, tr: Tr, user: User, applications: ApplicationRepository) -> None:
    await query.answer()
    apps = await applications.list_for(user.telegram_id)
    rows = [
        [InlineKeyboardButton(text=tr("review-list-item", number=a.number, status=tr(f"status-{a.status.value}")),
                              callback_data=ReviewCb(action="open", app=a.id).pack())]
        for a in apps
    ]
    rows.append([InlineKeyboardButton(text=tr("btn-back-to-menu"), callback_data=MenuCb(item="open").pack())])
    text = tr("review-list-title") if apps else tr("review-list-empty")
    await reply_or_edit(query, text, InlineKeyboardMarkup(inline_keyboard=rows))


@router.callback_query(ReviewCb.filter(F.action == "open"))
async def on_open(
    query: CallbackQuery, callback_data: ReviewCb, tr: Tr, user: User, applications: ApplicationRepository,
    tz: ZoneInfo,
) -> None:
    await query.answer()
    app = await applications.get(callback_data.app)
    if app is None or app.owner_id != user.telegram_id:
        return
    lines = [tr("review-timeline-title", number=app.number, status=tr(f"status-{app.status.value}")), ""]
    for entry in await applications.history(app.id):
        when = f"{fmt_date(entry.at, tr, tz)} {entry.at.astimezone(tz).strftime('%H:%M')}"
        lines.append(tr("review-timeline-entry", when=when, status=tr(f"status-{entry.to_status.value}")))
        if entry.comment:
            lines.append("   " + tr("push-status-comment", comment=entry.comment))
    rows = []
    if app.status is Status.NEEDS_DOCUMENTS:
        rows.append([InlineKeyboardButton(text=tr("btn-upload-requested"),
                                          callback_data=ReviewCb(action="upload", app=app.id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-my-applications"), callback_data=MenuCb(item="mine").pack())])
    await reply_or_edit(query, html.quote("\n".join(lines)), InlineKeyboardMarkup(inline_keyboard=rows))


# --- the documents staff asked for --------------------------------------------------------------------------


def _upload_prompt(tr: Tr, app: Application, index: int, sent: int) -> tuple[str, InlineKeyboardMarkup]:
    kind = app.requested_documents[index]
    text = tr("review-upload-ask", number=app.number, n=index + 1, m=len(app.requested_documents),
              document=document_label(tr, kind))
    rows = []
    if sent:
        last = index + 1 == len(app.requested_documents)
        rows.append([InlineKeyboardButton(text=tr("btn-review-send") if last else tr("btn-upload-done"),
                                          callback_data=ReviewCb(action="next", app=app.id).pack())])
    rows.append([InlineKeyboardButton(text=tr("btn-cancel"), callback_data=MenuCb(item="open").pack())])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


@router.callback_query(ReviewCb.filter(F.action == "upload"))
async def on_upload_requested(
    query: CallbackQuery, callback_data: ReviewCb, tr: Tr, user: User, applications: ApplicationRepository,
    state: FSMContext,
) -> None:
    app = await applications.get(callback_data.app)
    if app is None or app.owner_id != user.telegram_id or app.status is not Status.NEEDS_DOCUMENTS:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    await state.set_state(Review.uploading)
    await state.set_data({"app": app.id, "index": 0, "sent": [], "sent_here": 0})
    text, keyboard = _upload_prompt(tr, app, 0, 0)
    await reply_or_edit(query, text, keyboard, new=True)


@router.message(StateFilter(Review.uploading), F.photo | F.document)
async def on_requested_file(
    message: Message, bot: Bot, tr: Tr, user: User, applications: ApplicationRepository, state: FSMContext,
    media: MediaWorker, files: FileStore, wiz: Wizard,
) -> None:
    data = await state.get_data()
    app = await applications.get(int(data["app"]))
    if app is None or app.status is not Status.NEEDS_DOCUMENTS:
        await state.set_state(None)
        return
    kind = app.requested_documents[int(data["index"])]
    if kind == "photo":
        photo = await receive_photo(message, bot, wiz, media, files, profile_id=app.profile_id)
        if photo is None:
            return
        upload, portrait = photo
        assert portrait.jpeg is not None
        await message.answer_photo(BufferedInputFile(portrait.jpeg, "photo_3x4.jpg"), caption=tr("review-photo-ok"))
    else:
        scan = await receive_scan(message, bot, wiz, media, files, profile_id=app.profile_id, kind=kind)
        if scan is None:
            return
        upload = scan[0]
    await state.update_data(sent=[*data["sent"], upload.id], sent_here=int(data["sent_here"]) + 1)
    text, keyboard = _upload_prompt(tr, app, int(data["index"]), int(data["sent_here"]) + 1)
    await message.answer(tr("apply-scan-accepted") + "\n\n" + text, reply_markup=keyboard)


@router.callback_query(StateFilter(Review.uploading), ReviewCb.filter(F.action == "next"))
async def on_requested_next(
    query: CallbackQuery, callback_data: ReviewCb, tr: Tr, user: User, applications: ApplicationRepository,
    state: FSMContext, pushes: Pushes,
) -> None:
    data = await state.get_data()
    app = await applications.get(int(data["app"]))
    if app is None or app.id != callback_data.app or app.status is not Status.NEEDS_DOCUMENTS:
        await query.answer(tr("hint-button-expired"))
        return
    await query.answer()
    index = int(data["index"]) + 1
    if index < len(app.requested_documents):
        await state.update_data(index=index, sent_here=0)
        text, keyboard = _upload_prompt(tr, app, index, 0)
        await reply_or_edit(query, text, keyboard)
        return
    async with transaction(applications.engine):
        result = await applications.change_status(
            app.id, seen_version=app.version, target=Status.IN_REVIEW, actor=Actor.CITIZEN, actor_id=user.telegram_id
        )
        if isinstance(result, Conflict):
            await reply_or_edit(query, tr("hint-button-expired"))
            return
        await pushes.documents_sent(result, [int(i) for i in data["sent"]])
        await pushes.status_changed(result, None)
        await state.set_state(None)
    await applications.audit(actor_id=user.telegram_id, action="citizen.documents_sent", application_id=app.id,
                             uploads=[int(i) for i in data["sent"]])
    await reply_or_edit(query, tr("review-documents-sent", number=app.number), _mine_keyboard(tr))
