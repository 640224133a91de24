"""The fake Bot API server and the update builders, exercised by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import json
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    LabeledPrice,
    Message,
    ReplyKeyboardMarkup,
    Update,
)
from aiogram.utils import markdown

from tests.fakes.botapi import FakeBotAPI, image_size, parse_html
from tests.fakes.updates import TgUser, UpdateFactory

SAMPLES = Path("/work/shared/telegram_update_samples")
CHAT = 1001
USER = TgUser(id=CHAT, first_name="Алиса", last_name="Смирнова", username="alice")

on_server = pytest.mark.asyncio(loop_scope="module")


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x10\x80\xf0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons]
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    bot = Bot(server.token, session=session)
    yield bot
    await session.close()


@pytest.fixture
def api(server: FakeBotAPI) -> FakeBotAPI:
    server.reset()
    return server


# ------------------------------------------------------------------------------------------ Bot API


@on_server
async def test_get_me(bot: Bot, api: FakeBotAPI) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (api.bot_id, True, "emk_test_bot")
    assert [c.method for c in api.calls] == ["getMe"]
    assert api.calls[0].token == api.token and api.calls[0].ok


@on_server
async def test_send_message_decodes_params_and_echoes_inline_markup(bot: Bot, api: FakeBotAPI) -> None:
    first = await bot.send_message(
        CHAT, "<b>Привет</b>, 👋 <i>мир</i>", parse_mode="HTML", reply_markup=keyboard(("Да", "yes"))
    )
    (call,) = api.calls_to("sendMessage")
    assert call.params["reply_markup"] == {"inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]}
    assert call.get_int("chat_id") == CHAT and call.params["text"] == "<b>Привет</b>, 👋 <i>мир</i>"
    assert first.text == "Привет, 👋 мир"
    assert [(e.type, e.offset, e.length) for e in first.entities or []] == [("bold", 0, 6), ("italic", 11, 3)]
    assert first.reply_markup is not None
    assert first.reply_markup.model_dump(exclude_none=True) == keyboard(("Да", "yes")).model_dump(
        exclude_none=True
    )
    assert first.from_user is not None and first.from_user.id == api.bot_id
    assert first.chat.type == "private"

    reply_kb = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Телефон", request_contact=True)]])
    second = await bot.send_message(CHAT, "Поделитесь", reply_markup=reply_kb)
    assert second.message_id == first.message_id + 1
    assert second.reply_markup is None  # Telegram echoes only inline keyboards
    assert api.calls[-1].params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    assert api.last_message_sent_to(CHAT) == api.message(CHAT, second.message_id)

    group = await bot.send_message(-1001234567890, "в группу")
    assert (group.chat.type, group.message_id) == ("supergroup", 1)


@on_server
async def test_edit_delete_and_not_modified(bot: Bot, api: FakeBotAPI) -> None:
    sent = await bot.send_message(CHAT, "Шаг 1", reply_markup=keyboard(("Далее", "next")))
    edited = await bot.edit_message_text(
        text="Шаг 2", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard(("Назад", "back"))
    )
    assert isinstance(edited, Message) and edited.text == "Шаг 2" and edited.edit_date is not None
    stored = api.last_message_sent_to(CHAT)
    assert stored is not None and stored["text"] == "Шаг 2"
    assert stored["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "back"

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            text="Шаг 2", chat_id=CHAT, message_id=sent.message_id, reply_markup=keyboard(("Назад", "back"))
        )
    bare = await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)
    assert isinstance(bare, Message) and bare.reply_markup is None and bare.text == "Шаг 2"
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=sent.message_id)

    unknown = await bot.edit_message_text(text="Новое", chat_id=CHAT, message_id=999)
    assert isinstance(unknown, Message) and unknown.message_id == 999

    assert await bot.delete_message(CHAT, sent.message_id) is True
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(CHAT, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=sent.message_id)
    assert await bot.delete_messages(CHAT, [999, 1000]) is True
    assert api.last_message_sent_to(CHAT) is None


@on_server
async def test_telegram_validation_errors(bot: Bot, api: FakeBotAPI) -> None:
    name = "<script> & Co"
    with pytest.raises(TelegramBadRequest, match=r"can't parse entities: Unsupported start tag \"script\""):
        await bot.send_message(CHAT, f"Здравствуйте, {name}!", parse_mode="HTML")
    ok = await bot.send_message(
        CHAT, f"Здравствуйте, <b>{markdown.html_decoration.quote(name)}</b>!", parse_mode="HTML"
    )
    assert ok.text == "Здравствуйте, <script> & Co!"
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CHAT, "я" * 4097)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CHAT, "x", reply_markup=keyboard(("Да", "d" * 65)))
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(CHAT, BufferedInputFile(b"not an image", "x.jpg"))
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(CHAT, "dancing")
    assert [c.status for c in api.calls] == [400, 200, 400, 400, 400, 400]


def test_parse_html_like_telegram() -> None:
    assert parse_html("  <b>a<i>😀b</i></b>\n") == (
        "a😀b",
        [{"offset": 0, "length": 4, "type": "bold"}, {"offset": 1, "length": 3, "type": "italic"}],
    )
    text, entities = parse_html('<a href="https://x.ru/?a=1&amp;b=2">ссылка</a> &lt;&#33;&gt; & a > b')
    assert text == "ссылка <!> & a > b"
    assert entities == [{"offset": 0, "length": 6, "type": "text_link", "url": "https://x.ru/?a=1&b=2"}]
    for bad, error in [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ]:
        with pytest.raises(Exception, match=error.replace("(", r"\(")):
            parse_html(bad)
    assert parse_html('<pre><code class="language-python">x = 1</code></pre>')[1] == [
        {"offset": 0, "length": 5, "type": "pre", "language": "python"}
    ]


@on_server
async def test_send_photo_bytes_then_download_the_same_bytes(bot: Bot, api: FakeBotAPI) -> None:
    data = png(1600, 1200)
    assert image_size(data) == (1600, 1200)
    sent = await bot.send_photo(
        CHAT, BufferedInputFile(data, "scan.png"), caption="<b>Скан</b>", parse_mode="HTML"
    )
    (call,) = api.calls_to("sendPhoto")
    assert (
        call.file("photo") == data
        and call.filenames[call.params["photo"].removeprefix("attach://")] == "scan.png"
    )
    assert sent.photo is not None and [(p.width, p.height) for p in sent.photo] == [
        (320, 240),
        (800, 600),
        (1280, 960),
    ]
    assert len({p.file_unique_id for p in sent.photo}) == 3
    assert sent.caption == "Скан" and sent.caption_entities is not None
    largest = sent.photo[-1]
    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None and file.file_path.startswith("photos/") and file.file_size == len(data)
    downloaded = await bot.download(largest.file_id)
    assert downloaded is not None and downloaded.read() == data

    again = await bot.send_photo(CHAT + 1, largest.file_id)  # re-send by file_id: same photo
    assert again.photo is not None and again.photo[-1].file_unique_id == largest.file_unique_id


@on_server
async def test_add_file_and_download(bot: Bot, api: FakeBotAPI) -> None:
    stored = api.add_file(b"%PDF-1.7 test", file_id="BQACAgIAAxkBAAIBcmZ", file_unique_id="AgADgwAD")
    assert stored.file_path.endswith(".pdf") and stored.file_size == 13
    file = await bot.get_file("BQACAgIAAxkBAAIBcmZ")
    assert (file.file_unique_id, file.file_path) == ("AgADgwAD", stored.file_path)
    downloaded = await bot.download("BQACAgIAAxkBAAIBcmZ")
    assert downloaded is not None and downloaded.read() == b"%PDF-1.7 test"
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


@on_server
async def test_documents_and_media_groups(bot: Bot, api: FakeBotAPI) -> None:
    doc = await bot.send_document(CHAT, BufferedInputFile(b"%PDF-1.4 x", "Заявление.pdf"), caption="Готово")
    assert doc.document is not None and (doc.document.file_name, doc.document.mime_type) == (
        "Заявление.pdf",
        "application/pdf",
    )
    assert (await bot.download(doc.document)).read() == b"%PDF-1.4 x"  # type: ignore[union-attr]

    album = await bot.send_media_group(
        CHAT,
        [
            InputMediaPhoto(
                media=BufferedInputFile(png(40, 30), "a.png"), caption="<i>Альбом</i>", parse_mode="HTML"
            ),
            InputMediaPhoto(media=BufferedInputFile(png(30, 40), "b.png")),
        ],
    )
    assert [m.message_id for m in album] == [doc.message_id + 1, doc.message_id + 2]
    assert album[0].media_group_id is not None and album[0].media_group_id == album[1].media_group_id
    assert (album[0].caption, album[1].caption) == ("Альбом", None)
    assert album[1].photo is not None and (album[1].photo[-1].width, album[1].photo[-1].height) == (30, 40)
    (call,) = api.calls_to("sendMediaGroup")
    assert [m["type"] for m in call.params["media"]] == ["photo", "photo"]
    assert call.file(call.params["media"][1]["media"]) == png(30, 40)

    docs = await bot.send_media_group(
        CHAT, [InputMediaDocument(media=doc.document.file_id) for _ in range(2)]
    )
    assert all(m.document and m.document.file_unique_id == doc.document.file_unique_id for m in docs)


@on_server
async def test_fail_next_retry_after_and_raw_gateway_page(bot: Bot, api: FakeBotAPI) -> None:
    api.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 5", retry_after=5, times=2
    )
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as info:
            await bot.send_message(CHAT, "x")
        assert info.value.retry_after == 5
    assert (await bot.send_message(CHAT, "x")).text == "x"
    assert api.calls[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 5",
        "parameters": {"retry_after": 5},
    }

    api.fail_next(
        "sendMessage", status=502, description="Bad Gateway", raw_body="<html>502 Bad Gateway</html>"
    )
    with pytest.raises(ClientDecodeError):
        await bot.send_message(CHAT, "x")
    assert (await bot.send_message(CHAT, "x")).message_id == 2


@on_server
async def test_blocked_chat_and_unservable_file_and_bad_token(bot: Bot, api: FakeBotAPI) -> None:
    api.block_chat(CHAT)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "напоминание")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_photo(CHAT, BufferedInputFile(png(2, 2), "p.png"))
    assert (await bot.send_message(CHAT + 1, "другому")).text == "другому"

    api.add_unservable_file("BIG_FILE_ID", 25 * 1024 * 1024)
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await bot.get_file("BIG_FILE_ID")

    impostor = Bot("123456:short", session=bot.session)  # shares the session: closed with it
    with pytest.raises(TelegramUnauthorizedError, match="Unauthorized"):
        await impostor.get_me()
    assert api.calls[-1].status == 401


@on_server
async def test_other_methods(bot: Bot, api: FakeBotAPI) -> None:
    assert await bot.set_my_commands([BotCommand(command="start", description="Начать")]) is True
    assert await bot.set_my_commands([BotCommand(command="help", description="Help")], language_code="en")
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(language_code="en")] == ["help"]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    assert await bot.delete_my_commands() is True and await bot.get_my_commands() == []
    assert await bot.set_chat_menu_button() is True
    assert await bot.send_chat_action(CHAT, "typing") is True

    invoice = await bot.send_invoice(
        CHAT,
        title="ЭМК",
        description="Оформление",
        payload="order-1",
        currency="RUB",
        prices=[LabeledPrice(label="Услуга", amount=150000), LabeledPrice(label="Сбор", amount=5000)],
        provider_token="381764678:TEST:123",
    )
    assert invoice.invoice is not None and invoice.invoice.total_amount == 155000
    assert await bot.answer_pre_checkout_query("262181558630368727", ok=True) is True
    assert await bot.answer_callback_query("4382bfdwdsb323b2d9", text="Готово") is True

    with pytest.raises(TelegramBadRequest, match="message can't be copied"):  # invoices can't be copied
        await bot.copy_message(CHAT + 1, from_chat_id=CHAT, message_id=invoice.message_id)
    text = await bot.send_message(CHAT, "оригинал")
    forwarded = await bot.forward_message(CHAT + 1, from_chat_id=CHAT, message_id=text.message_id)
    assert forwarded.text == "оригинал" and forwarded.forward_origin is not None
    copy_id = await bot.copy_message(CHAT + 1, from_chat_id=CHAT, message_id=text.message_id)
    assert api.message(CHAT + 1, copy_id.message_id)["text"] == "оригинал"  # type: ignore[index]

    chat = await bot.get_chat(CHAT)
    assert (chat.id, chat.type) == (CHAT, "private")
    assert await bot.set_my_description("Бот ЭМК") is True  # not emulated: recorded, answered True
    assert api.calls_to("setMyDescription")[0].params == {"description": "Бот ЭМК"}
    assert await bot.log_out() is True and await bot.close() is True

    assert await bot.set_webhook("https://example.org/webhook") is True
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True) is True
    assert api.errors == []


@on_server
async def test_opt_in_flood_control_and_kicked_from_group(bot: Bot, api: FakeBotAPI) -> None:
    api.flood_control(per_chat_per_second=1.0, chat_burst=2)
    await bot.send_message(CHAT, "1")
    await bot.send_message(CHAT, "2")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(CHAT, "3")
    assert info.value.retry_after == 1 and api.calls[-1].status == 429
    assert (await bot.send_message(CHAT + 1, "другой чат")).text == "другой чат"

    api.reset()
    group = -1001234567890
    kicked = UpdateFactory().my_chat_member(USER, old="member", new="kicked")
    kicked["my_chat_member"]["chat"] = {"id": group, "title": "Группа", "type": "supergroup"}
    api.observe_update(kicked)
    with pytest.raises(TelegramForbiddenError, match="kicked from the supergroup chat"):
        await bot.send_message(group, "x")


@on_server
async def test_media_edits_other_senders_and_plain_http_clients(bot: Bot, api: FakeBotAPI) -> None:
    photo = await bot.send_photo(CHAT, BufferedInputFile(png(10, 10), "p.png"), caption="старая")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text(text="x", chat_id=CHAT, message_id=photo.message_id)
    edited = await bot.edit_message_caption(chat_id=CHAT, message_id=photo.message_id, caption="новая")
    assert isinstance(edited, Message) and edited.caption == "новая" and edited.photo is not None
    swapped = await bot.edit_message_media(
        InputMediaDocument(media=BufferedInputFile(b"%PDF-1.4", "new.pdf")),
        chat_id=CHAT,
        message_id=photo.message_id,
    )
    assert isinstance(swapped, Message) and swapped.photo is None and swapped.caption is None
    assert swapped.document is not None and swapped.document.file_name == "new.pdf"
    assert await bot.edit_message_text(text="x", inline_message_id="AgAAAN") is True

    voice = await bot.send_voice(CHAT, BufferedInputFile(b"OggS....", "v.ogg"), duration=3)
    assert voice.voice is not None and (voice.voice.duration, voice.voice.mime_type) == (3, "audio/ogg")
    video = await bot.send_video(
        CHAT, BufferedInputFile(b"\x00\x00\x00\x18ftypmp42", "v.mp4"), caption="видео"
    )
    assert video.video is not None and video.caption == "видео"
    assert (await bot.send_location(CHAT, 55.75, 37.62)).location is not None
    assert (await bot.send_contact(CHAT, "+79991234567", "Иван")).contact is not None
    assert (await bot.send_dice(CHAT)).chat.id == CHAT  # not emulated send*: a bare Message

    session = bot.session
    assert isinstance(session, AiohttpSession)
    http = await session.create_session()
    url = f"{api.base_url}/bot{api.token}"
    async with http.post(f"{url}/sendMessage", json={"chat_id": CHAT, "text": "json body"}) as resp:
        body = await resp.json()
    assert body["ok"] and body["result"]["text"] == "json body"
    assert api.calls[-1].params["chat_id"] == str(CHAT) and api.calls[-1].get_int("chat_id") == CHAT
    async with http.get(f"{url}/getMe?x=1") as resp:
        assert (await resp.json())["result"]["username"] == api.username
    async with http.get(f"{api.base_url}/file/bot{api.token}/nope") as resp:
        assert resp.status == 404
    assert api.errors == []


# ------------------------------------------------------------------------------------------ polling


@on_server
async def test_polling_offsets_like_telegram(bot: Bot, api: FakeBotAPI) -> None:
    users = UpdateFactory(start_update_id=500, message_ids=api.next_message_id)
    api.push_update(users.text(USER, "раз"))
    api.push_update(users.text(USER, "два"))
    batch = await bot.get_updates(timeout=1)
    assert [u.update_id for u in batch] == [500, 501]
    assert [u.update_id for u in await bot.get_updates(offset=501, timeout=1)] == [501]  # 500 confirmed
    assert await bot.get_updates(offset=502, timeout=0) == []  # 501 confirmed
    assert api.pending_updates == []

    api.push_update(users.text(USER, "три"))
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [502]

    # message ids are shared between the user's messages and the bot's, as in Telegram
    reply = await bot.send_message(CHAT, "ответ")
    assert reply.message_id == 4


@on_server
async def test_long_poll_waits_for_push_and_newer_poll_conflicts(bot: Bot, api: FakeBotAPI) -> None:
    users = UpdateFactory(start_update_id=1)
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(offset=1, timeout=30))
    await asyncio.sleep(0.05)
    api.push_update(users.text(USER, "привет"))
    (update,) = await poll
    assert update.message is not None and update.message.text == "привет"
    assert loop.time() - started < 0.5

    older = asyncio.create_task(bot.get_updates(offset=2, timeout=30))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(offset=2, timeout=0) == []
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await older

    api.max_poll_timeout = 0.1
    started = loop.time()
    assert await bot.get_updates(offset=2, timeout=30) == []
    assert 0.05 < loop.time() - started < 0.5


@on_server
async def test_allowed_updates_and_block_events(bot: Bot, api: FakeBotAPI) -> None:
    users = UpdateFactory(start_update_id=1)
    api.push_update(users.my_chat_member(USER, old="member", new="kicked"))  # default: delivered
    assert api.pending_updates[0]["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    with pytest.raises(TelegramForbiddenError):  # observed: the chat is now blocked
        await bot.send_message(CHAT, "x")
    await bot.get_updates(offset=2, allowed_updates=["message", "callback_query"])
    api.push_update(users.my_chat_member(USER, old="kicked", new="member"))
    assert api.pending_updates == [] and len(api.dropped_updates) == 1  # not asked for: never delivered
    assert (await bot.send_message(CHAT, "снова")).text == "снова"  # but observed: unblocked


# ------------------------------------------------------------------------------------------ dispatcher


@on_server
async def test_dispatcher_round_trip_with_click_on_the_sent_message(bot: Bot, api: FakeBotAPI) -> None:
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(
            f"Здравствуйте, {message.from_user.first_name}!", reply_markup=keyboard(("Начать", "go"))
        )  # type: ignore[union-attr]

    @dp.callback_query(F.data == "go")
    async def go(query: CallbackQuery) -> None:
        await query.answer()
        await query.message.edit_text("Введите СНИЛС")  # type: ignore[union-attr]

    users = UpdateFactory(message_ids=api.next_message_id)
    start_update = users.text(USER, "/start")
    api.observe_update(start_update)
    await dp.feed_raw_update(bot, start_update)
    shown = api.last_message_sent_to(CHAT)
    assert shown is not None and shown["text"] == "Здравствуйте, Алиса!"
    assert shown["chat"] == USER.private_chat() and shown["message_id"] == 2

    await dp.feed_raw_update(bot, users.click(USER, shown, text="Начать"))
    assert [c.method for c in api.calls] == ["sendMessage", "answerCallbackQuery", "editMessageText"]
    assert api.last_message_sent_to(CHAT)["text"] == "Введите СНИЛС"  # type: ignore[index]
    with pytest.raises(LookupError, match="Начать"):
        users.click(USER, shown, text="Нет такой")


# ------------------------------------------------------------------------------------------ updates


PTB_ARTEFACTS = {
    "entities",
    "caption_entities",
    "photo",
    "new_chat_members",
    "new_chat_photo",
    "delete_chat_photo",
    "group_chat_created",
    "supergroup_chat_created",
    "channel_chat_created",
}


def shape(value: Any, *, drop: frozenset[str] = frozenset()) -> Any:
    """Key tree with value types: nulls (absent fields) and the given artefact keys left out."""
    if isinstance(value, dict):
        return {
            k: shape(v, drop=drop)
            for k, v in value.items()
            if v is not None and not (k in drop and v in ([], False))
        }
    if isinstance(value, list):
        return [shape(value[0], drop=drop)] if value else []
    return type(value).__name__


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def four_sizes(f: UpdateFactory) -> list[tuple[str, str, int, int, int]]:
    return f.photo_sizes(1280, 1280)


SHAPE_CASES: dict[str, tuple[Callable[[UpdateFactory], Any], str, frozenset[str]]] = {
    "text": (
        lambda f: f.text(TgUser(86815320, "Ирина", "Киселёва", "Irina_V_Kiseleva", "en"), "just text"),
        "text_message.json",
        frozenset(),
    ),
    "start": (
        lambda f: f.text(TgUser(1111111, "Test Firstname", "Test Lastname", "Testusername", None), "/start"),
        "start_command_derived.json",
        frozenset(),
    ),
    "photo": (
        lambda f: f.photo(
            TgUser(1234567, "Telegram_Bots", username="TelegramBots", language_code=None), four_sizes(f)
        ),
        "photo_message_4_sizes.json",
        frozenset(),
    ),
    "album": (
        lambda f: f.album(
            TgUser(100, "Tester", language_code=None), [None, None], caption="This is a media image."
        ),
        "media_group_album_2_updates.json",
        frozenset(),
    ),
    "document": (
        lambda f: f.document(TgUser(307775861, "Constantine", "Brit", "Brit_K", "en"), file_name="a.pdf"),
        "document_pdf_ptb_serialized.json",
        frozenset(PTB_ARTEFACTS),
    ),
    "my_chat_member": (
        lambda f: f.my_chat_member(
            TgUser(2063236800, "Jaya2nti", None, "Jaya2nti", "id"), old="member", new="kicked"
        ),
        "my_chat_member_kicked_real.json",
        frozenset(),
    ),
    "pre_checkout": (
        lambda f: f.pre_checkout(
            TgUser(12345678, "FirstName", "LastName", "username"),
            payload="HAPPY",
            total_amount=6250,
            currency="USD",
        ),
        "pre_checkout_query_aiogram2_dataset.json",
        frozenset(),
    ),
    "successful_payment": (
        lambda f: f.successful_payment(
            TgUser(12345678, "FirstName", "LastName", "username"), payload="HAPPY", total_amount=6250
        ),
        "successful_payment_aiogram2_dataset.json",
        frozenset(),
    ),
}


@pytest.mark.parametrize("case", list(SHAPE_CASES))
def test_builders_match_real_samples_key_by_key(case: str) -> None:
    build, sample_name, drop = SHAPE_CASES[case]
    built = build(UpdateFactory())
    for update in built if isinstance(built, list) else [built]:
        Update.model_validate(update)
    assert shape(built, drop=drop) == shape(sample(sample_name), drop=drop)


def test_callback_matches_the_real_callback_shape() -> None:
    f = UpdateFactory()
    user = TgUser(1234567, "Telegram_Bots", username="TelegramBots", language_code=None)
    message = f.bot_message(
        user.id, "Выберите", user=user, reply_markup=keyboard(("Да", "yes")).model_dump(exclude_none=True)
    )
    built = f.click(user, message, text="Да")
    real = sample("callback_query_inaccessible_message.json")["callback_query"]
    expected = {k: v for k, v in shape(real).items() if k != "inline_message_id"} | {"data": "str"}
    assert {k: v for k, v in shape(built["callback_query"]).items() if k != "message"} == {
        k: v for k, v in expected.items() if k != "message"
    }
    assert shape(built["callback_query"]["message"]["chat"]) == shape(real["message"]["chat"])
    parsed = Update.model_validate(built)
    assert parsed.callback_query is not None and parsed.callback_query.data == "yes"
    assert isinstance(parsed.callback_query.message, Message)
    assert (
        parsed.callback_query.message.from_user is not None and parsed.callback_query.message.from_user.is_bot
    )


ALL_BUILDERS: dict[str, tuple[Callable[[UpdateFactory], dict[str, Any]], str, str | None]] = {
    "text": (lambda f: f.text(USER, "Привет"), "message", "text"),
    "command_args": (lambda f: f.command(USER, "start", "ref_42"), "message", "text"),
    "group_text": (lambda f: f.text(USER, "/help@emk_test_bot", chat_id=-1001234567890), "message", "text"),
    "contact": (lambda f: f.contact(USER, "79991234567", contact_user_id=USER.id), "message", "contact"),
    "photo": (lambda f: f.photo(USER, caption="паспорт"), "message", "photo"),
    "document": (
        lambda f: f.document(USER, mime_type="image/jpeg", file_name="IMG.jpg"),
        "message",
        "document",
    ),
    "sticker": (lambda f: f.sticker(USER), "message", "sticker"),
    "voice": (lambda f: f.voice(USER), "message", "voice"),
    "video_note": (lambda f: f.video_note(USER), "message", "video_note"),
    "video": (lambda f: f.video(USER), "message", "video"),
    "animation": (lambda f: f.animation(USER), "message", "animation"),
    "location": (lambda f: f.location(USER), "message", "location"),
    "callback": (lambda f: f.callback(USER, "go"), "callback_query", None),
    "my_chat_member": (lambda f: f.my_chat_member(USER, old="kicked", new="member"), "my_chat_member", None),
    "pre_checkout": (
        lambda f: f.pre_checkout(USER, payload="p", total_amount=100),
        "pre_checkout_query",
        None,
    ),
    "stars_payment": (
        lambda f: f.successful_payment(USER, payload="p", total_amount=50, currency="XTR"),
        "message",
        "successful_payment",
    ),
}


@pytest.mark.parametrize("case", list(ALL_BUILDERS))
def test_every_builder_validates_with_aiogram(case: str) -> None:
    build, event_type, content_type = ALL_BUILDERS[case]
    factory = UpdateFactory(start_update_id=7)
    update = Update.model_validate(build(factory))
    assert update.update_id == 7 and update.event_type == event_type
    if content_type is not None:
        assert update.message is not None and update.message.content_type == content_type


def test_command_entity_and_message_ids() -> None:
    f = UpdateFactory()
    first = f.text(USER, "/start ref_42")["message"]
    assert first["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert "entities" not in f.text(USER, "СНИЛС 112-233-445 95")["message"]
    assert f.text(USER, "ещё")["message"]["message_id"] == first["message_id"] + 2
    payment = f.successful_payment(USER, payload="p", total_amount=50, currency="XTR")["message"]
    assert len(payment["successful_payment"]["telegram_payment_charge_id"]) > 128
