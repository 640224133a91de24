"""The bot's requests go as JSON bodies, and the Bot API reads the same fields and values from them as from
aiogram's own form: each request is sent twice to the fake Bot API, once by the production bot (bot/factory.py,
BotSession) and once by a bot on aiogram's default session with the same defaults, and the fake must read the
two alike. A request that uploads a file still goes as aiogram's multipart form."""

from __future__ import annotations

import hashlib
import inspect
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot
from aiogram.client.default import Default, DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatAction, ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.methods import AnswerCallbackQuery, EditMessageText, SendMessage, SendPhoto
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import Settings
from bot.factory import create_bot
from bot.session import _PINNED, BotSession, for_effect
from tests.fakes.botapi import ApiCall, FakeBotAPI

CHAT = 1001
on_server = pytest.mark.asyncio(loop_scope="module")

# What BotSession.build_form_data mirrors, as in aiogram 3.31: which fields the form leaves out and how each
# value is prepared, and that make_request posts what build_form_data returns. A new aiogram that changes any
# of it must be read against bot/session.py before this digest is updated.
MIRRORED = [AiohttpSession.build_form_data, AiohttpSession.make_request, BaseSession.prepare_value]
PINNED = "05a7d87d0b77812d"


def test_the_aiogram_code_the_json_body_mirrors_is_unchanged() -> None:
    source = "\n".join(inspect.getsource(f) for f in MIRRORED)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == PINNED, f"aiogram's request building changed (digest {digest}): re-read bot/session.py"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4)
    | st.sampled_from([Default("parse_mode"), Default("protect_content"), ParseMode.HTML, ChatAction.TYPING,
                       datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300)
@given(json_values)
def test_the_values_prepared_here_are_prepared_as_aiograms_prepare_value_does(value: Any) -> None:
    bot = Bot("42:TEST", default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
              session=BotSession())
    ours: dict[str, Any] = {}
    aiograms: dict[str, Any] = {}
    session = bot.session
    assert isinstance(session, BotSession)
    expected = session.prepare_value(value, bot=bot, files=aiograms, _dumps_json=False)
    assert session._prepared(value, bot, ours) == expected
    assert ours == aiograms


def test_a_request_is_prepared_without_dumping_it_as_it_is_with() -> None:
    """The fields of the requests the bot sends most (a reply, an edit, a button's answer) are read off the method
    and its objects; they must be what dumping the whole method gives, a kept keyboard included."""
    bot = Bot("42:TEST", default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
              session=BotSession())
    session = bot.session
    assert isinstance(session, BotSession)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Назад", callback_data="a:b"),
                                                      InlineKeyboardButton(text="Сайт", url="https://example.org")]])
    methods: list[Any] = [
        SendMessage(chat_id=CHAT, text="Привет", reply_markup=keyboard),
        SendMessage(chat_id=CHAT, text="Привет", reply_markup=keyboard, parse_mode=None, protect_content=True),
        SendMessage(chat_id="@channel", text="x", reply_parameters=ReplyParameters(message_id=5),
                    link_preview_options=LinkPreviewOptions(is_disabled=False, url="https://example.org")),
        SendMessage(chat_id=CHAT, text="", disable_notification=False),
        EditMessageText(chat_id=CHAT, message_id=7, text="Шаг 2", reply_markup=keyboard),
        AnswerCallbackQuery(callback_query_id="q1", text="Готово", show_alert=False, cache_time=0),
        SendPhoto(chat_id=CHAT, photo="AgACAgIAAxkBAAI", caption="фото", reply_markup=ReplyKeyboardRemove()),
        SendMessage(chat_id=CHAT, text="x", reply_markup=ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text="Поделиться", request_contact=True)]], resize_keyboard=True)),
    ]
    for method in methods * 2:  # the second time, the kept keyboards
        files: dict[str, Any] = {}
        fast = session._fields(bot, method, files)
        dumped = {k: p for k, v in method.model_dump(warnings=False).items()
                  if (p := session.prepare_value(v, bot=bot, files=files, _dumps_json=False)) is not None and p != ""}
        assert fast == dumped, method
    # what is not made of those goes the long way
    assert session._fields(bot, SendMessage(chat_id=CHAT, text="x", entities=[]), {}) is None
    assert session._fields(bot, SendPhoto(chat_id=CHAT, photo=BufferedInputFile(b"x", "x.jpg")), {}) is None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bots(server: FakeBotAPI, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[Bot, Bot]]:
    """(the production bot, a bot on aiogram's form session with the same defaults)."""
    data = tmp_path_factory.mktemp("session")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, BOT_TOKEN=server.token, BOT_API_URL=server.base_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{data / 'emk.db'}", DATA_DIR=Path(data),
        OPERATOR_NAME="Test clinic", OPERATOR_ADDRESS="Test street 1", OPERATOR_CONTACT="test@example.org",
    )
    ours = create_bot(settings)
    assert isinstance(ours.session, BotSession)
    form = Bot(
        server.token,
        session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url)),
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    yield ours, form
    await ours.session.close()
    await form.session.close()


@pytest.fixture
def api(server: FakeBotAPI) -> FakeBotAPI:
    server.reset()
    return server


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text="Далее ▶", callback_data="apply:next"),
         InlineKeyboardButton(text="Сайт", url="https://example.org/?q=1&x=«2»")],
    ])


def last_two(api: FakeBotAPI) -> tuple[ApiCall, ApiCall]:
    ours, form = api.calls[-2:]
    assert ours.content_type == "application/json"
    assert form.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
    return ours, form


@on_server
async def test_a_reply_goes_as_json_with_the_fields_and_values_of_the_form(
    bots: tuple[Bot, Bot], api: FakeBotAPI
) -> None:
    text = "<b>Шаг 3 из 12.</b> Введите серию и номер паспорта: «4508 123456» — & ещё 👋"
    for bot in bots:
        sent = await bot.send_message(CHAT, text, reply_markup=keyboard())
        assert sent.text == "Шаг 3 из 12. Введите серию и номер паспорта: «4508 123456» — & ещё 👋"
    ours, form = last_two(api)
    assert ours.ok and form.ok
    assert ours.params == form.params
    assert ours.params == {
        "chat_id": str(CHAT),
        "text": text,
        "parse_mode": "HTML",  # the bot's default
        "link_preview_options": {"is_disabled": True},  # the bot's default, a JSON object as before
        "disable_web_page_preview": "true",  # aiogram sends the default twice, the old way too
        "reply_markup": {"inline_keyboard": [[
            {"text": "Далее ▶", "callback_data": "apply:next"},
            {"text": "Сайт", "url": "https://example.org/?q=1&x=«2»"},
        ]]},
    }
    assert api.sent_messages(CHAT)[-1]["reply_markup"] == api.sent_messages(CHAT)[-2]["reply_markup"]


@on_server
async def test_the_body_is_utf8_json_with_nested_values_as_objects(bots: tuple[Bot, Bot]) -> None:
    ours, _ = bots
    method = SendMessage(chat_id=CHAT, text="Привет", reply_markup=keyboard())
    payload = ours.session.build_form_data(ours, method)  # type: ignore[attr-defined]
    assert payload.content_type == "application/json"
    raw = payload._value
    assert "Привет".encode() in raw and b"\\u" not in raw  # the text as UTF-8, not escaped
    body = json.loads(raw)
    assert body["chat_id"] == CHAT and body["parse_mode"] == "HTML"
    assert isinstance(body["reply_markup"], dict) and isinstance(body["link_preview_options"], dict)


@on_server
async def test_false_zero_and_empty_values_are_kept_or_left_out_as_the_form_does(
    bots: tuple[Bot, Bot], api: FakeBotAPI
) -> None:
    for bot in bots:  # False and 0 are sent ("false", "0"); an empty markup too
        await bot.send_message(CHAT, "текст", disable_notification=False, protect_content=False,
                               reply_to_message_id=0, reply_markup=InlineKeyboardMarkup(inline_keyboard=[]))
    ours, form = last_two(api)
    assert ours.params == form.params
    assert ours.params["disable_notification"] == "false" and ours.params["protect_content"] == "false"
    assert ours.params["reply_markup"] == {"inline_keyboard": []}

    for bot in bots:  # an empty string is left out, so Telegram sees no text at all
        with pytest.raises(TelegramBadRequest, match="message text is empty"):
            await bot.send_message(CHAT, "", parse_mode=None, link_preview_options=None,
                                   disable_web_page_preview=None)
    ours, form = last_two(api)
    assert ours.params == form.params == {"chat_id": str(CHAT)}

    for bot in bots:  # enums, datetimes and timedeltas prepared as aiogram prepares them
        await bot.send_chat_action(CHAT, ChatAction.UPLOAD_DOCUMENT)
    ours, form = last_two(api)
    assert ours.params == form.params == {"chat_id": str(CHAT), "action": "upload_document"}
    until = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    for bot in bots:
        await bot.ban_chat_member(-1001234567890, 42, until_date=until, revoke_messages=True)
    ours, form = last_two(api)
    assert ours.params == form.params
    assert ours.params["until_date"] == str(round(until.timestamp())) and ours.params["revoke_messages"] == "true"
    for bot in bots:
        await bot.restrict_chat_member(-1001234567890, 42, permissions={"can_send_messages": False},  # type: ignore[arg-type]
                                       until_date=timedelta(days=1))
    ours, form = last_two(api)
    assert abs(int(ours.params.pop("until_date")) - int(form.params.pop("until_date"))) <= 1
    assert ours.params == form.params
    assert ours.params["permissions"] == {"can_send_messages": False}


@on_server
async def test_a_file_still_goes_as_aiograms_multipart_form(bots: tuple[Bot, Bot], api: FakeBotAPI) -> None:
    pdf = b"%PDF-1.4 \xd0\x9a\xd0\xbd\xd0\xb8\xd0\xb6\xd0\xba\xd0\xb0"
    for bot in bots:
        sent = await bot.send_document(CHAT, BufferedInputFile(pdf, "книжка.pdf"), caption="<i>Ваша ЭМК</i>",
                                       reply_markup=keyboard())
        assert sent.document is not None and sent.caption == "Ваша ЭМК"
    ours, form = api.calls[-2:]
    assert ours.content_type == form.content_type == "multipart/form-data"
    assert ours.file("document") == form.file("document") == pdf
    assert ours.filenames == {ours.params["document"].removeprefix("attach://"): "книжка.pdf"}
    ours.params.pop("document"), form.params.pop("document")  # a random part name each time
    assert ours.params == form.params
    assert ours.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "apply:next"


@on_server
async def test_a_request_for_its_effect_is_checked_but_its_result_is_not_made_into_objects(
    bots: tuple[Bot, Bot], api: FakeBotAPI
) -> None:
    """A reply or an edit nobody reads the result of (views/ui.py) comes back as Telegram sent it; every error is
    still aiogram's exception, a server error still retried."""
    ours, _ = bots
    read = await ours.send_message(CHAT, "<b>Шаг 1</b>", reply_markup=keyboard())
    assert isinstance(read, Message)
    _PINNED.pop(Message)
    with for_effect():
        sent = await ours.send_message(CHAT, "<b>Шаг 2</b>", reply_markup=keyboard())
        assert isinstance(sent, dict) and sent["text"] == "Шаг 2" and sent["message_id"] == read.message_id + 1
        assert sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "apply:next"
        edited = await ours.edit_message_text("Шаг 2, исправлено", chat_id=CHAT, message_id=sent["message_id"])
        assert isinstance(edited, dict) and edited["text"] == "Шаг 2, исправлено"
        with pytest.raises(TelegramBadRequest, match="message is not modified"):
            await ours.edit_message_text("Шаг 2, исправлено", chat_id=CHAT, message_id=sent["message_id"])
        assert Message in _PINNED  # kept alive for the other sessions of the process (the bench's bare bot)
        api.fail_next("sendMessage", status=502, description="Bad Gateway")  # retried by ReliableRequests
        again = await ours.send_message(CHAT, "после сбоя")
        assert isinstance(again, dict) and again["text"] == "после сбоя"
        api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
        with pytest.raises(TelegramForbiddenError):
            await ours.send_message(CHAT, "никому")
    assert isinstance(await ours.send_message(CHAT, "снова объект"), Message)  # outside, as always
