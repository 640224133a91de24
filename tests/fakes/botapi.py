"""A fake Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

The bot under test is a real ``aiogram.Bot`` whose session points here::

    async with FakeBotAPI() as api:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = Bot(api.token, session=session)

so every call travels over real HTTP and aiogram's real request building, response parsing and error
mapping are exercised. Requests may be urlencoded, multipart (aiogram: complex values JSON-encoded, files as
parts referenced by ``attach://<part>``), JSON or a query string. Responses and errors have the shapes
Telegram sends (see /work/shared/telegram_update_samples/api_responses).

What it imitates, beyond returning well-formed results:

* messages are stored per chat: ``message_id`` grows per chat, edits return the edited Message, an edit
  that changes nothing answers 400 "message is not modified", a second delete answers "message to delete
  not found";
* ``parse_mode=HTML`` is parsed like Telegram does (entities in UTF-16 units, surrounding whitespace trimmed);
  unsupported or unbalanced tags answer 400 "can't parse entities: ..." - so unescaped user input is caught;
* a callback query is answered once: a second ``answerCallbackQuery`` for it answers 400 "query is too old";
* text longer than 4096 / caption longer than 1024 characters, empty text, ``callback_data`` over 64 bytes and
  photo uploads that are not images answer 400 as Telegram does;
* long polling: ``getUpdates`` waits (at most :attr:`FakeBotAPI.max_poll_timeout` s) for :meth:`push_update`,
  honours ``offset`` confirmation and ``limit``, answers 409 while a webhook is set or when a newer
  ``getUpdates`` supersedes a waiting one, and applies ``allowed_updates`` like Telegram (updates of other
  types pushed after the setting are dropped; by default chat_member and message_reaction* are dropped);
* pushed updates are also *observed*: chats are remembered (so sent messages carry the user's real chat
  object), incoming messages are stored, and a ``my_chat_member`` "kicked" update blocks the chat (every later
  send answers 403) until a "member" update arrives.

Failure injection: :meth:`fail_next` (any status, optional ``retry_after``, or a raw non-JSON body such as a
502 HTML page), :meth:`block_chat`, :meth:`add_unservable_file`, opt-in :meth:`flood_control` (429 with
``retry_after`` when a sender goes faster than Telegram allows), :attr:`latency`.

Unknown methods are recorded and answered ``{"ok": true, "result": true}``; an unknown ``send*`` method
answers a bare Message.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import hashlib
import json
import math
import mimetypes
import re
import struct
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import BodyPartReader, web

__all__ = [
    "ApiCall",
    "ApiError",
    "FakeBotAPI",
    "StoredFile",
    "parse_html",
]

JSON = dict[str, Any]

TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{35}$")

#: Form fields whose value is JSON-serialised by aiogram / the Bot API.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "commands",
        "scope",
        "menu_button",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "message_ids",
        "prices",
        "suggested_tip_amounts",
        "explanation_entities",
        "question_entities",
        "text_entities",
        "options",
        "results",
        "button",
        "shipping_options",
        "permissions",
        "rights",
        "reaction",
        "sticker_format",
        "mask_position",
        "input_message_content",
        "checklist",
        "default_administrator_rights",
    }
)
#: Fields that are free text: never JSON-decoded, even when they look like JSON.
TEXT_FIELDS = frozenset(
    {
        "text",
        "caption",
        "data",
        "payload",
        "title",
        "description",
        "provider_data",
        "start_parameter",
        "question",
        "explanation",
        "error_message",
        "url",
        "secret_token",
        "name",
        "short_description",
        "switch_pm_parameter",
        "callback_query_id",
        "inline_message_id",
        "pre_checkout_query_id",
        "business_connection_id",
        "emoji",
        "file_id",
    }
)

DEFAULT_SKIPPED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
MAX_BUTTONS_PER_ROW = 8  # inline keyboard limits
MAX_BUTTONS = 100
DOCUMENT_LIMIT = 50 * 1024 * 1024
ALBUM_LIMIT = 10
DEFAULT_MIME = {
    "document": "application/octet-stream",
    "video": "video/mp4",
    "audio": "audio/mpeg",
    "animation": "video/mp4",
}

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
KICKED_FROM_GROUP = "Forbidden: bot was kicked from the supergroup chat"
NOT_A_MEMBER = "Forbidden: bot is not a member of the supergroup chat"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

#: Keys of a Message that carry its content (copied by copyMessage / forwardMessage).
CONTENT_KEYS = (
    "text",
    "entities",
    "link_preview_options",
    "animation",
    "audio",
    "document",
    "photo",
    "sticker",
    "video",
    "video_note",
    "voice",
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "contact",
    "dice",
    "location",
    "venue",
    "poll",
)
MEDIA_KEYS = ("animation", "audio", "document", "photo", "sticker", "video", "video_note", "voice")

# Real Bot API file_id prefixes by kind (what the first bytes of real ids look like).
FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAA",
    "document": "BQACAgIAAxkBAA",
    "video": "BAACAgIAAxkBAA",
    "voice": "AwACAgIAAxkBAA",
    "audio": "CQACAgIAAxkBAA",
    "sticker": "CAACAgIAAxkBAA",
    "animation": "CgACAgIAAxkBAA",
    "video_note": "DQACAgIAAxkBAA",
    "file": "BQACAgIAAxkBAA",
}
FILE_DIRS = {
    "photo": "photos",
    "document": "documents",
    "video": "videos",
    "voice": "voice",
    "audio": "music",
    "sticker": "stickers",
    "animation": "animations",
    "video_note": "video_notes",
    "file": "documents",
}


class ApiError(Exception):
    """Raised inside a method handler: answered as ``{"ok": false, "error_code", "description", ...}``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(text: str) -> ApiError:
    return ApiError(400, f"Bad Request: {text}")


@dataclass
class ApiCall:
    """One request received by the fake, in arrival order.

    ``params`` holds the form fields: JSON values (reply_markup, media, entities, commands, prices, ...) are
    decoded, everything else is kept as the string that was sent (``chat_id`` arrives as ``"42"``, booleans as
    ``"true"``); use :meth:`get_int` / :meth:`get_bool`. A JSON body reads the same way, as the Bot API reads
    it: a top-level string is the field's text, any other value its JSON text (``42`` → ``"42"``). ``files``
    holds uploaded parts by part name, i.e. the target of ``attach://<name>``; :meth:`file` resolves a field to
    its bytes.
    """

    method: str
    params: dict[str, Any]
    files: dict[str, bytes]
    token: str
    filenames: dict[str, str] = field(default_factory=dict)
    content_type: str = ""  # the request's Content-Type, without its parameters
    status: int | None = None  # HTTP status answered; None while the call is in flight
    response: Any = None  # ``result`` when ok, otherwise the error body

    @property
    def ok(self) -> bool:
        return self.status == 200

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value))
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1", "yes", "on"}

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    @property
    def chat_id(self) -> int | str | None:
        value = self.params.get("chat_id")
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            return str(value)

    def file(self, field_or_ref: str) -> bytes | None:
        """Bytes uploaded for a field (``"photo"``) or an ``attach://name`` reference; None if not a file."""
        ref = field_or_ref
        if not ref.startswith("attach://"):
            value = self.params.get(ref)
            if isinstance(value, str) and value.startswith("attach://"):
                ref = value
            else:
                return self.files.get(ref)
        return self.files.get(ref.removeprefix("attach://"))


@dataclass(frozen=True)
class StoredFile:
    """A file the fake can serve: ``getFile`` returns it, ``GET /file/bot<token>/<file_path>`` its bytes."""

    file_id: str
    file_unique_id: str
    file_size: int
    file_path: str
    data: bytes = field(default=b"", repr=False)

    def as_file(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    raw_body: str | None
    times: int
    chat_id: int | None = None


class _Bucket:
    def __init__(self, rate: float, capacity: int, now: float) -> None:
        self.rate, self.capacity, self.tokens, self.stamp = rate, float(capacity), float(capacity), now

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class _Flood:
    """Token buckets: one overall and one per chat; a call takes a token from both or is refused."""

    def __init__(self, rate: float, burst: int, chat_rate: float, chat_burst: int) -> None:
        self.rate, self.burst, self.chat_rate, self.chat_burst = rate, burst, chat_rate, chat_burst
        self.overall: _Bucket | None = None
        self.chats: dict[int, _Bucket] = {}

    def take(self, chat_id: int | None, now: float) -> int | None:
        """None if allowed (tokens taken), else the whole seconds to wait."""
        if self.overall is None:
            self.overall = _Bucket(self.rate, self.burst, now)
        buckets = [self.overall]
        if chat_id is not None:
            buckets.append(self.chats.setdefault(chat_id, _Bucket(self.chat_rate, self.chat_burst, now)))
        for bucket in buckets:
            bucket.refill(now)
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None


# --------------------------------------------------------------------------------------------------- HTML


class _EntityParseError(Exception):
    pass


_HTML_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,4});")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _decode_html_entity(name: str) -> str | None:
    if name.startswith(("#x", "#X")):
        code = int(name[2:], 16)
    elif name.startswith("#"):
        code = int(name[1:])
    else:
        return _HTML_NAMED.get(name)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        decoded = _decode_html_entity(match.group(1))
        return match.group(0) if decoded is None else decoded

    return _HTML_ENTITY_RE.sub(repl, text)


def _parse_attributes(src: str, k: int, begin_bytes: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while k < n and src[k].isspace():
            k += 1
        if k >= n:
            raise _EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
        if src[k] == ">":
            return attrs, k + 1
        start = k
        while k < n and not src[k].isspace() and src[k] not in "=>":
            k += 1
        name = src[start:k].lower()
        if not name:
            raise _EntityParseError(f"Empty attribute name in the tag at byte offset {begin_bytes}")
        while k < n and src[k].isspace():
            k += 1
        value = ""
        if k < n and src[k] == "=":
            k += 1
            while k < n and src[k].isspace():
                k += 1
            if k < n and src[k] in "\"'":
                quote = src[k]
                end = src.find(quote, k + 1)
                if end == -1:
                    raise _EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
                value = _unescape(src[k + 1 : end])
                k = end + 1
            else:
                start = k
                while k < n and not src[k].isspace() and src[k] != ">":
                    k += 1
                value = _unescape(src[start:k])
        attrs[name] = value


def parse_html(src: str) -> tuple[str, list[JSON]]:
    """Parse Telegram-flavoured HTML into (plain text, entities) the way the Bot API does.

    Offsets and lengths are UTF-16 code units. Raises ApiError 400 "can't parse entities: ..." on bad markup.
    """
    try:
        text, entities = _parse_html(src)
    except _EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    return text, entities


def _parse_html(src: str) -> tuple[str, list[JSON]]:
    out: list[str] = []
    pos = 0  # UTF-16 offset in the output
    stack: list[JSON] = []
    entities: list[JSON] = []
    i, n = 0, len(src)

    def byte_offset(k: int) -> int:
        return len(src[:k].encode())

    while i < n:
        ch = src[i]
        if ch == "&":
            match = _HTML_ENTITY_RE.match(src, i)
            decoded = _decode_html_entity(match.group(1)) if match else None
            if match and decoded is not None:
                out.append(decoded)
                pos += utf16_len(decoded)
                i = match.end()
            else:
                out.append("&")
                pos += 1
                i += 1
            continue
        if ch != "<":
            j = i
            while j < n and src[j] not in "<&":
                j += 1
            chunk = src[i:j]
            out.append(chunk)
            pos += utf16_len(chunk)
            i = j
            continue
        begin = byte_offset(i)
        if i + 1 < n and src[i + 1] == "/":
            end = src.find(">", i)
            if end == -1:
                raise _EntityParseError(f"Unclosed end tag at byte offset {begin}")
            name = src[i + 2 : end].strip().lower()
            if not stack:
                raise _EntityParseError(f"Unexpected end tag at byte offset {begin}")
            top = stack.pop()
            if name and name != top["tag"]:
                raise _EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{top["tag"]}>", found "</{name}>"'
                )
            _close_html_entity(top, pos, stack, entities)
            i = end + 1
            continue
        j = i + 1
        while j < n and not src[j].isspace() and src[j] != ">":
            j += 1
        if j >= n:
            raise _EntityParseError(f"Unclosed start tag at byte offset {begin}")
        tag = src[i + 1 : j].lower()
        if tag not in _HTML_ENTITY_TYPES:
            raise _EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
        attrs, i = _parse_attributes(src, j, begin)
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise _EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
        if tag == "tg-emoji" and not attrs.get("emoji-id"):
            raise _EntityParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin}')
        stack.append({"tag": tag, "offset": pos, "attrs": attrs})
    if stack:
        raise _EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"')
    return _trim("".join(out), entities)


def _close_html_entity(top: JSON, pos: int, stack: list[JSON], entities: list[JSON]) -> None:
    tag: str = top["tag"]
    attrs: dict[str, str] = top["attrs"]
    entity: JSON = {"offset": top["offset"], "length": pos - top["offset"], "type": _HTML_ENTITY_TYPES[tag]}
    if tag == "code" and stack and stack[-1]["tag"] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1]["language"] = language.removeprefix("language-")
            return
    if tag == "pre" and top.get("language"):
        entity["language"] = top["language"]
    if tag == "a":
        href = attrs.get("href", "")
        if not href:
            return
        entity["url"] = href
    if tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    if tag == "tg-emoji":
        entity["custom_emoji_id"] = attrs["emoji-id"]
    if entity["length"] > 0:
        entities.append(entity)


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Telegram strips leading/trailing whitespace of a message and shifts the entities accordingly."""
    stripped = text.strip()
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[JSON] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, result


# ----------------------------------------------------------------------------------------------- images


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a JPEG/PNG/GIF/BMP/WebP, (0, 0) for HEIC/AVIF/TIFF; None if not an image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data) or (0, 0)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return (0, 0)
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"avif", b"heif", b"msf1"):
        return (0, 0)
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return (0, 0)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i, n = 2, len(data)
    while i + 9 < n:
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
            i += 1 if marker == 0xFF else 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return int(width), int(height)
        i += 2 + length
    return None


def _scaled(width: int, height: int, limit: int) -> tuple[int, int]:
    longest = max(width, height)
    if longest <= limit:
        return width, height
    k = limit / longest
    return max(1, round(width * k)), max(1, round(height * k))


def _sniff_mime(data: bytes) -> str | None:
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


# ----------------------------------------------------------------------------------------------- server

Handler = Callable[[ApiCall], Awaitable[Any]]


class FakeBotAPI:
    """An in-process Telegram Bot API on 127.0.0.1 (see the module docstring)."""

    def __init__(
        self, *, bot_id: int = 777000111, username: str = "emk_test_bot", first_name: str = "ЭМК-бот"
    ) -> None:
        self.bot_id = bot_id
        self.username = username
        self.first_name = first_name
        self.latency: float = 0.0
        self.check_photo_bytes = True  # sendPhoto with bytes that are not an image -> IMAGE_PROCESS_FAILED
        self.base_url = ""
        self.calls: list[ApiCall] = []
        self.errors: list[
            str
        ] = []  # internal errors of the fake itself (answered 500); tests may assert empty
        self.dropped_updates: list[JSON] = []  # pushed updates Telegram would not deliver (allowed_updates)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._handlers: dict[str, Handler] = self._build_handlers()
        self._seq = 0
        self._wakeup = asyncio.Event()
        self._poll_generation = 0
        self.reset()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> str:
        app = web.Application(client_max_size=DOCUMENT_LIMIT + 10 * 1024 * 1024)
        app.router.add_route("*", r"/bot{token}/{method}", self._handle_method)
        app.router.add_get(r"/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = int(runner.addresses[0][1])
        self._runner = runner
        self._closing = False
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        self._closing = True
        self._wake()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def token(self) -> str:
        """A well-formed token for this bot (``<bot_id>:<35 chars>``); any such token is accepted."""
        return f"{self.bot_id}:AAH{'x' * 32}"

    @property
    def bot_user(self) -> JSON:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    def reset(self) -> None:
        """Forget everything (calls, messages, files, failures, blocks, updates, webhook, commands)."""
        self.calls.clear()
        self.errors.clear()
        self.dropped_updates.clear()
        self.latency = 0.0
        self.max_poll_timeout = 1.0  # a long-polling getUpdates waits at most this long (seconds)
        self._failures: dict[str, deque[_Failure]] = {}
        self._blocked: dict[int, str] = {}
        self._flood: _Flood | None = None
        self._pending: list[JSON] = []
        self._last_update_id = 0
        self._allowed_updates: frozenset[str] | None = None
        self._webhook_url = ""
        self._messages: dict[int, dict[int, JSON]] = {}
        self._last_message_id: dict[int, int] = {}
        self._deleted: dict[int, set[int]] = {}
        self._chats: dict[int, JSON] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._unservable: dict[str, int] = {}
        self._media: dict[str, tuple[str, Any]] = {}  # file_id -> (kind, object) for re-sending by file_id
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._menu_buttons: dict[int | None, JSON] = {}
        self._answered_queries: set[str] = set()

    # ------------------------------------------------------------------ recorded calls

    def clear(self) -> None:
        """Forget the recorded calls only."""
        self.calls.clear()

    def calls_to(self, *methods: str) -> list[ApiCall]:
        wanted = {m.lower() for m in methods}
        return [c for c in self.calls if c.method.lower() in wanted]

    # ------------------------------------------------------------------ failure injection

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
        raw_body: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """The next ``times`` calls to ``method`` (to ``chat_id`` only, when given) answer this error.

        ``raw_body`` replaces the JSON error body (e.g. an HTML 502 page from a gateway; aiogram then raises
        ClientDecodeError).
        """
        self._failures.setdefault(method.lower(), deque()).append(
            _Failure(status, description, retry_after, raw_body, times, chat_id)
        )

    def block_chat(self, chat_id: int, description: str = BLOCKED) -> None:
        """Every send/edit/copy/forward/chat action to this chat answers 403 ``description``."""
        self._blocked[chat_id] = description

    def unblock_chat(self, chat_id: int) -> None:
        self._blocked.pop(chat_id, None)

    def flood_control(
        self,
        *,
        per_second: float = 30.0,
        burst: int = 30,
        per_chat_per_second: float = 1.0,
        chat_burst: int = 3,
    ) -> None:
        """Opt in to Telegram-like flood control for sends, edits, copies and forwards.

        Token buckets: overall ``per_second`` (bursts up to ``burst``) and per chat ``per_chat_per_second``
        (bursts up to ``chat_burst``). A call over the limit answers 429 "Too Many Requests: retry after N"
        with ``parameters.retry_after`` = N (whole seconds, at least 1), as Telegram does. ``reset()`` turns
        it off.
        """
        self._flood = _Flood(per_second, burst, per_chat_per_second, chat_burst)

    # ------------------------------------------------------------------ files

    def add_file(
        self,
        data: bytes,
        *,
        file_id: str | None = None,
        file_unique_id: str | None = None,
        file_path: str | None = None,
    ) -> StoredFile:
        kind = "photo" if data.startswith(b"\xff\xd8") else "file"
        if file_path is None:
            suffix = ".jpg" if kind == "photo" else ".pdf" if data.startswith(b"%PDF") else ""
            file_path = f"{FILE_DIRS[kind]}/file_{self._next_seq()}{suffix}"
        stored = StoredFile(
            file_id=file_id or self._make_file_id(kind),
            file_unique_id=file_unique_id or self._make_unique_id(kind),
            file_size=len(data),
            file_path=file_path,
            data=bytes(data),
        )
        self._register(stored)
        return stored

    def add_unservable_file(self, file_id: str, size: int) -> None:
        """getFile of this file answers 400 "Bad Request: file is too big" (files over 20 MB)."""
        self._unservable[file_id] = size

    def get_stored_file(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def _register(self, stored: StoredFile) -> None:
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored

    # ------------------------------------------------------------------ updates

    def push_update(self, update: JSON) -> None:
        """Queue an update for getUpdates (``update_id`` is assigned when missing) and observe it."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._last_update_id + 1
        self._last_update_id = max(self._last_update_id, int(update["update_id"]))
        self.observe_update(update)
        kind = next((k for k in update if k != "update_id"), "")
        allowed = self._allowed_updates
        if (allowed is None and kind in DEFAULT_SKIPPED_UPDATES) or (
            allowed is not None and kind not in allowed
        ):
            self.dropped_updates.append(update)
            return
        self._pending.append(update)
        self._wake()

    @property
    def pending_updates(self) -> list[JSON]:
        return copy.deepcopy(self._pending)

    def observe_update(self, update: JSON) -> None:
        """Learn from an incoming update as Telegram would know it.

        Remembers chats, stores incoming messages (so ids continue, replies/edits/copies find them) and
        turns my_chat_member kicked/member into block/unblock. Called by push_update; call it yourself when
        feeding updates to the dispatcher directly.
        """
        for key in ("message", "edited_message", "channel_post", "edited_channel_post", "business_message"):
            if isinstance(message := update.get(key), dict):
                self._store_incoming(message)
        callback = update.get("callback_query")
        if isinstance(callback, dict) and isinstance(message := callback.get("message"), dict):
            if message.get("date"):  # an InaccessibleMessage has date 0
                chat_id = int(message["chat"]["id"])
                if int(message["message_id"]) not in self._messages.get(chat_id, {}):
                    self._store_incoming(message)
        member = update.get("my_chat_member")
        if isinstance(member, dict):
            chat = member.get("chat") or {}
            if "id" in chat:
                self.remember_chat(chat)
                chat_id = int(chat["id"])
                status = (member.get("new_chat_member") or {}).get("status")
                if status == "kicked":
                    self.block_chat(chat_id, BLOCKED if chat_id > 0 else KICKED_FROM_GROUP)
                elif status == "left" and chat_id < 0:
                    self.block_chat(chat_id, NOT_A_MEMBER)
                elif status in ("member", "administrator"):
                    self.unblock_chat(chat_id)

    def remember_chat(self, chat: JSON) -> None:
        """Use this Chat object in Messages sent to chat["id"]."""
        self._chats[int(chat["id"])] = copy.deepcopy(chat)

    def _store_incoming(self, message: JSON) -> None:
        chat = message.get("chat") or {}
        if "id" not in chat or "message_id" not in message:
            return
        chat_id = int(chat["id"])
        self.remember_chat(chat)
        message_id = int(message["message_id"])
        self._messages.setdefault(chat_id, {})[message_id] = copy.deepcopy(message)
        self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)

    def _wake(self) -> None:
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    # ------------------------------------------------------------------ messages

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message_id of a chat (shared by incoming and outgoing messages, as in Telegram).

        Pass it to ``UpdateFactory(message_ids=api.next_message_id)`` so ids never collide.
        """
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def message(self, chat_id: int, message_id: int) -> JSON | None:
        stored = self._messages.get(chat_id, {}).get(message_id)
        return copy.deepcopy(stored) if stored is not None else None

    def messages_in(self, chat_id: int) -> list[JSON]:
        """All live (not deleted) messages of a chat, incoming and outgoing, by message_id."""
        chat = self._messages.get(chat_id, {})
        return [copy.deepcopy(chat[k]) for k in sorted(chat)]

    def sent_messages(self, chat_id: int) -> list[JSON]:
        """Live messages the bot sent to a chat (after edits), oldest first."""
        return [m for m in self.messages_in(chat_id) if (m.get("from") or {}).get("id") == self.bot_id]

    def sent_newest_first(self, chat_id: int) -> Iterator[JSON]:
        """The live messages the bot sent to a chat (after edits), newest first, each copied when it is reached:
        a search for the latest message with some button stops there instead of copying the whole chat."""
        chat = self._messages.get(chat_id, {})
        for key in sorted(chat, reverse=True):
            if (chat[key].get("from") or {}).get("id") == self.bot_id:
                yield copy.deepcopy(chat[key])

    def last_message_sent_to(self, chat_id: int) -> JSON | None:
        """The latest live Message the bot sent to the chat, after edits - build a callback on it."""
        return next(self.sent_newest_first(chat_id), None)

    # ------------------------------------------------------------------ HTTP

    async def _handle_method(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = request.match_info["method"]
        call = ApiCall(method=method, params={}, files={}, token=token)
        self.calls.append(call)
        try:
            await self._read_params(request, call)
        except ApiError as exc:
            return self._answer(call, exc.body(), exc.status)
        except Exception as exc:  # malformed body
            return self._answer(call, bad_request(f"can't parse request: {exc}").body(), 400)
        if not TOKEN_RE.match(token):
            return self._answer(call, {"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        if self.latency:
            await asyncio.sleep(self.latency)
        failure = self._take_failure(method, call.chat_id)
        if failure is not None:
            if failure.raw_body is not None:
                call.status, call.response = failure.status, failure.raw_body
                return web.Response(status=failure.status, text=failure.raw_body, content_type="text/html")
            error = ApiError(failure.status, failure.description, retry_after=failure.retry_after)
            return self._answer(call, error.body(), failure.status)
        handler = self._handlers.get(method.lower())
        try:
            self._check_blocked(call)
            if handler is not None:
                result = await handler(call)
            elif method.lower().startswith("send"):
                result = self._new_message(self._chat_id(call), {}, call)
            else:
                result = True
        except ApiError as exc:
            return self._answer(call, exc.body(), exc.status)
        except Exception as exc:
            self.errors.append(f"{method}: {type(exc).__name__}: {exc}")
            body = {"ok": False, "error_code": 500, "description": f"Internal Server Error: {exc}"}
            return self._answer(call, body, 500)
        return self._answer(call, {"ok": True, "result": result}, 200)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if not TOKEN_RE.match(request.match_info["token"]):
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        stored = self._files_by_path.get(request.match_info["path"])
        if stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    def _answer(self, call: ApiCall, body: JSON, status: int) -> web.Response:
        call.status = status
        call.response = body.get("result") if body.get("ok") else body
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _read_params(self, request: web.Request, call: ApiCall) -> None:
        raw: dict[str, Any] = dict(request.query)
        ctype = call.content_type = request.content_type
        if ctype == "multipart/form-data":
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):  # nested multipart: not used by Bot API clients
                    continue
                name = part.name or ""
                if part.filename is not None:
                    call.files[name] = bytes(await part.read(decode=False))
                    call.filenames[name] = part.filename
                else:
                    raw[name] = await part.text()
        elif ctype == "application/json":
            body = await request.text()
            if body.strip():
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise ValueError("JSON body must be an object")
                for key, value in data.items():  # as the Bot API does: a top-level value is its JSON text
                    if isinstance(value, (dict, list)) and key not in TEXT_FIELDS:
                        call.params[key] = value  # what decoding its JSON text gives
                    else:
                        raw[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        elif request.can_read_body:
            raw.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        for key, value in raw.items():
            call.params[key] = self._decode_value(key, value)

    @staticmethod
    def _decode_value(key: str, value: str) -> Any:
        if key in TEXT_FIELDS:
            return value
        if key in JSON_FIELDS or (value[:1] in ("{", "[") and value[-1:] in ("}", "]")):
            try:
                return json.loads(value)
            except ValueError:
                if key in JSON_FIELDS:
                    raise bad_request(f"can't parse {key} JSON object") from None
        return value

    def _take_failure(self, method: str, chat_id: int | str | None) -> _Failure | None:
        queue = self._failures.get(method.lower())
        if not queue:
            return None
        failure = queue[0]
        if failure.chat_id is not None and failure.chat_id != chat_id:
            return None
        failure.times -= 1
        if failure.times <= 0:
            queue.popleft()
        return failure

    def _check_blocked(self, call: ApiCall) -> None:
        name = call.method.lower()
        if not name.startswith(("send", "copymessage", "forwardmessage", "editmessage")):
            return
        chat_id = call.chat_id
        if isinstance(chat_id, int) and chat_id in self._blocked:
            raise ApiError(403, self._blocked[chat_id])
        if self._flood is not None and name != "sendchataction":
            wait = self._flood.take(chat_id if isinstance(chat_id, int) else None, time.monotonic())
            if wait is not None:
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    # ------------------------------------------------------------------ helpers

    def _now(self) -> int:
        return int(time.time())

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _random_part(self, salt: str, length: int) -> str:
        digest = hashlib.shake_256(f"{self.bot_id}:{salt}:{self._next_seq()}".encode()).digest(length)
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]

    def _make_file_id(self, kind: str) -> str:
        prefix = FILE_ID_PREFIX.get(kind, FILE_ID_PREFIX["file"])
        return prefix + self._random_part(kind, 82 - len(prefix) if kind == "photo" else 71 - len(prefix))

    def _make_unique_id(self, kind: str) -> str:
        return ("AQAD" if kind == "photo" else "AgAD") + self._random_part("u" + kind, 12)

    def _chat_id(self, call: ApiCall, key: str = "chat_id") -> int:
        value = call.params.get(key)
        if value is None or value == "":
            raise bad_request(f"{key} is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            pass
        username = str(value).removeprefix("@").lower()
        for chat_id, chat in self._chats.items():
            if str(chat.get("username", "")).lower() == username:
                return chat_id
        raise bad_request("chat not found")

    def _chat_obj(self, chat_id: int) -> JSON:
        if chat_id in self._chats:
            return copy.deepcopy(self._chats[chat_id])
        if chat_id < 0:
            return {"id": chat_id, "title": "Test supergroup", "type": "supergroup"}
        return {"id": chat_id, "first_name": "Test user", "type": "private"}

    def _formatted(
        self, call: ApiCall, text_key: str, entities_key: str, *, source: JSON | None = None
    ) -> tuple[str | None, list[JSON] | None]:
        """Text (or caption) after parse_mode, with entities, validated like Telegram does."""
        params = call.params if source is None else source
        raw = params.get(text_key)
        if raw is None:
            return None, None
        text = str(raw)
        explicit = params.get(entities_key)
        parse_mode = str(params.get("parse_mode") or "")
        if isinstance(explicit, list):
            entities: list[JSON] = explicit
        elif parse_mode.upper() == "HTML":
            text, entities = parse_html(text)
        else:  # Markdown is not interpreted: the text is kept as sent
            text, entities = _trim(text, [])
        limit = TEXT_LIMIT if text_key == "text" else CAPTION_LIMIT
        if utf16_len(text) > limit:
            raise bad_request("message is too long" if text_key == "text" else "message caption is too long")
        if not text and text_key == "text":
            raise bad_request("message text is empty")
        return (text or None), (entities or None)

    def _inline_markup(self, call: ApiCall) -> JSON | None:
        markup = call.params.get("reply_markup")
        if isinstance(markup, str):
            markup = self._decode_value("reply_markup", markup)
        if not isinstance(markup, dict) or "inline_keyboard" not in markup:
            return None  # reply keyboards, ReplyKeyboardRemove and ForceReply are not echoed
        # Telegram's limits for an inline keyboard: at most 8 buttons in a row and 100 in all. Over 100 it
        # answers «reply markup is too long»; a wider row is not shown properly by the apps, so the fake refuses
        # it with the same answer rather than let a bot that builds one pass its tests.
        rows = markup["inline_keyboard"]
        if any(len(row) > MAX_BUTTONS_PER_ROW for row in rows) or sum(map(len, rows)) > MAX_BUTTONS:
            raise bad_request("reply markup is too long")
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise bad_request("text buttons are unallowed in the inline keyboard")
        return markup

    def _reply_to(self, call: ApiCall, chat_id: int) -> JSON | None:
        params = call.params.get("reply_parameters")
        reply_id: int | None
        if isinstance(params, dict):
            reply_id = int(params["message_id"]) if "message_id" in params else None
            chat_id = int(params.get("chat_id", chat_id))
        else:
            reply_id = call.get_int("reply_to_message_id")
        if reply_id is None:
            return None
        original = self.message(chat_id, reply_id)
        if original is not None:
            original.pop("reply_to_message", None)
        return original

    def _new_message(self, chat_id: int, content: JSON, call: ApiCall | None = None) -> JSON:
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "from": self.bot_user,
            "chat": self._chat_obj(chat_id),
            "date": self._now(),
        }
        if call is not None and (reply := self._reply_to(call, chat_id)) is not None:
            message["reply_to_message"] = reply
        message.update({k: v for k, v in content.items() if v is not None})
        if call is not None:
            if call.get_bool("protect_content"):
                message["has_protected_content"] = True
            if (markup := self._inline_markup(call)) is not None:
                message["reply_markup"] = markup
        self._messages.setdefault(chat_id, {})[message["message_id"]] = message
        return copy.deepcopy(message)

    def _target(self, call: ApiCall) -> tuple[int, int, JSON] | None:
        """(chat_id, message_id, stored message) of an edit; None for inline messages."""
        if call.params.get("inline_message_id"):
            return None
        chat_id = self._chat_id(call)
        message_id = call.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if message_id in self._deleted.get(chat_id, set()):
            raise bad_request("message to edit not found")
        chat = self._messages.setdefault(chat_id, {})
        if message_id not in chat:  # unknown: accept the edit, as if the message existed
            chat[message_id] = {
                "message_id": message_id,
                "from": self.bot_user,
                "chat": self._chat_obj(chat_id),
                "date": self._now(),
            }
            self._last_message_id[chat_id] = max(self._last_message_id.get(chat_id, 0), message_id)
        stored = chat[message_id]
        if (stored.get("from") or {}).get("id") != self.bot_id:
            raise bad_request("message can't be edited")
        return chat_id, message_id, stored

    def _commit_edit(self, stored: JSON, changes: JSON, markup: JSON | None) -> JSON:
        new = {k: v for k, v in stored.items() if k not in changes and k != "reply_markup"}
        new.update({k: v for k, v in changes.items() if v is not None})
        if markup is not None:
            new["reply_markup"] = markup
        if {k: v for k, v in new.items() if k != "edit_date"} == {
            k: v for k, v in stored.items() if k != "edit_date"
        }:
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        new["edit_date"] = self._now()
        stored.clear()
        stored.update(new)
        return copy.deepcopy(stored)

    # ------------------------------------------------------------------ media

    def _input_media(
        self, call: ApiCall, value: Any, field_name: str
    ) -> tuple[bytes | None, str | None, str]:
        """(uploaded bytes, filename, file_id or URL) of a media field."""
        if isinstance(value, str) and value.startswith("attach://"):
            key = value.removeprefix("attach://")
            if key not in call.files:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return call.files[key], call.filenames.get(key), ""
        if value is None and field_name in call.files:
            return call.files[field_name], call.filenames.get(field_name), ""
        if isinstance(value, str) and value:
            return None, None, value
        raise bad_request(f"there is no {field_name} in the request")

    def _photo_sizes(self, data: bytes | None, ref: str) -> list[JSON]:
        if data is None:
            known = self._media.get(ref)
            if known is not None and known[0] == "photo":
                return copy.deepcopy(known[1])
            width, height, total = 1280, 960, 150_000
        else:
            size = image_size(data)
            if size is None and self.check_photo_bytes:
                raise bad_request("IMAGE_PROCESS_FAILED")
            width, height = size if size and all(size) else (1280, 960)
            total = len(data)
        # Telegram keeps thumbnails of 90/320/800 px (long side) below the original, and the original capped
        # at 1280 px; we keep the largest three of them (fewer for tiny images).
        longest = max(width, height)
        dims = [_scaled(width, height, limit) for limit in (90, 320, 800) if limit < longest]
        dims.append(_scaled(width, height, 1280))
        dims = dims[-3:]
        largest_area = dims[-1][0] * dims[-1][1]
        sizes: list[JSON] = []
        for index, (w, h) in enumerate(dims):
            is_largest = index == len(dims) - 1
            file_size = total if is_largest else max(1, total * w * h // max(1, largest_area))
            file_id, unique_id = self._make_file_id("photo"), self._make_unique_id("photo")
            size_entry: JSON = {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "file_size": file_size,
                "width": w,
                "height": h,
            }
            sizes.append(size_entry)
            if data is not None:  # every size serves the uploaded bytes (Telegram would re-encode them)
                path = f"photos/file_{self._next_seq()}.jpg"
                self._register(StoredFile(file_id, unique_id, file_size, path, data))
        for entry in sizes:
            self._media[entry["file_id"]] = ("photo", sizes)
        return copy.deepcopy(sizes)

    def _file_object(
        self, kind: str, call: ApiCall, data: bytes | None, filename: str | None, ref: str
    ) -> JSON:
        if data is None:
            known = self._media.get(ref)
            if known is not None and known[0] == kind:
                return copy.deepcopy(known[1])
        if data is not None and kind == "document" and len(data) > DOCUMENT_LIMIT:
            raise ApiError(413, "Request Entity Too Large")
        obj: JSON = {}
        if kind in DEFAULT_MIME:
            if filename:
                obj["file_name"] = filename
            mime = (mimetypes.guess_type(filename)[0] if filename else None) or (
                _sniff_mime(data) if data else None
            )
            obj["mime_type"] = mime or DEFAULT_MIME[kind]
        if kind == "voice":
            obj["mime_type"] = "audio/ogg"
        if kind in ("video", "audio", "voice", "animation", "video_note"):
            obj["duration"] = call.get_int("duration", 0)
        if kind in ("video", "animation"):
            obj["width"] = call.get_int("width", 640)
            obj["height"] = call.get_int("height", 360)
        if kind == "video_note":
            obj["length"] = call.get_int("length", 384)
        if kind == "sticker":
            obj.update(
                {"width": 512, "height": 512, "is_animated": False, "is_video": False, "type": "regular"}
            )
        file_id, unique = self._make_file_id(kind), self._make_unique_id(kind)
        obj.update({"file_id": file_id, "file_unique_id": unique, "file_size": len(data) if data else 0})
        if data is not None:
            suffix = ""
            if filename and "." in filename:
                suffix = "." + filename.rsplit(".", 1)[1]
            path = f"{FILE_DIRS.get(kind, 'documents')}/file_{self._next_seq()}{suffix}"
            self._register(StoredFile(file_id, unique, len(data), path, data))
        self._media[file_id] = (kind, obj)
        return copy.deepcopy(obj)

    def _media_content(self, call: ApiCall, kind: str, value: Any, field_name: str) -> JSON:
        data, filename, ref = self._input_media(call, value, field_name)
        if kind == "photo":
            return {"photo": self._photo_sizes(data, ref)}
        obj = self._file_object(kind, call, data, filename, ref)
        if kind == "animation":  # Telegram sends an animation also as a document
            return {"animation": obj, "document": copy.deepcopy(obj)}
        return {kind: obj}

    def _captioned(self, call: ApiCall, content: JSON, source: JSON | None = None) -> JSON:
        caption, entities = self._formatted(call, "caption", "caption_entities", source=source)
        content["caption"] = caption
        content["caption_entities"] = entities
        params = call.params if source is None else source
        if str(params.get("show_caption_above_media", "")).lower() == "true":
            content["show_caption_above_media"] = True
        return content

    # ------------------------------------------------------------------ method handlers

    def _build_handlers(self) -> dict[str, Handler]:
        handlers: dict[str, Handler] = {}
        for name in dir(self):
            if name.startswith("_m_"):
                handlers[name.removeprefix("_m_")] = getattr(self, name)
        for kind in ("document", "video", "audio", "voice", "animation", "sticker", "video_note"):
            handlers["send" + kind.replace("_", "")] = self._make_media_sender(kind)
        return handlers

    def _make_media_sender(self, kind: str) -> Handler:
        async def send(call: ApiCall) -> JSON:
            chat_id = self._chat_id(call)
            content = self._media_content(call, kind, call.params.get(kind), kind)
            if kind not in ("sticker", "video_note"):
                self._captioned(call, content)
            return self._new_message(chat_id, content, call)

        return send

    async def _m_getme(self, call: ApiCall) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_logout(self, call: ApiCall) -> bool:
        return True

    async def _m_close(self, call: ApiCall) -> bool:
        return True

    async def _m_getupdates(self, call: ApiCall) -> list[JSON]:
        if self._webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = call.get_int("offset")
        limit = min(max(call.get_int("limit", 100) or 100, 1), 100)
        timeout = min(max(float(call.get_int("timeout", 0) or 0), 0.0), self.max_poll_timeout)
        allowed = call.params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else None
        self._poll_generation += 1
        generation = self._poll_generation
        self._wake()  # a waiting older getUpdates is terminated with 409
        if offset is not None and offset < 0:
            self._pending = self._pending[offset:]
        elif offset:
            self._pending = [u for u in self._pending if int(u["update_id"]) >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._pending or self._closing:
                return copy.deepcopy(self._pending[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            event = self._wakeup
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if self._poll_generation != generation:
                raise ApiError(409, POLL_CONFLICT)

    async def _m_setwebhook(self, call: ApiCall) -> bool:
        url = call.get_str("url") or ""
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self._webhook_url = url
        if isinstance(allowed := call.params.get("allowed_updates"), list):
            self._allowed_updates = frozenset(allowed) if allowed else None
        if call.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _m_deletewebhook(self, call: ApiCall) -> bool:
        self._webhook_url = ""
        if call.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _m_getwebhookinfo(self, call: ApiCall) -> JSON:
        info: JSON = {"url": self._webhook_url, "has_custom_certificate": False}
        info["pending_update_count"] = len(self._pending)
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    @staticmethod
    def _commands_key(call: ApiCall) -> tuple[str, str]:
        scope = call.params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), call.get_str("language_code") or ""

    async def _m_setmycommands(self, call: ApiCall) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request('parameter "commands" is required')
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(call)] = commands
        return True

    async def _m_getmycommands(self, call: ApiCall) -> list[JSON]:
        return copy.deepcopy(self._commands.get(self._commands_key(call), []))

    async def _m_deletemycommands(self, call: ApiCall) -> bool:
        self._commands.pop(self._commands_key(call), None)
        return True

    async def _m_setchatmenubutton(self, call: ApiCall) -> bool:
        chat_id = call.get_int("chat_id")
        button = call.params.get("menu_button") or {"type": "default"}
        self._menu_buttons[chat_id] = button
        return True

    async def _m_getchatmenubutton(self, call: ApiCall) -> JSON:
        chat_id = call.get_int("chat_id")
        return copy.deepcopy(
            self._menu_buttons.get(chat_id) or self._menu_buttons.get(None) or {"type": "default"}
        )

    async def _m_sendmessage(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        if call.params.get("text") is None:
            raise bad_request("message text is empty")
        text, entities = self._formatted(call, "text", "entities")
        content: JSON = {"text": text, "entities": entities}
        preview = call.params.get("link_preview_options")
        if isinstance(preview, dict) and preview:
            content["link_preview_options"] = preview
        return self._new_message(chat_id, content, call)

    async def _m_sendphoto(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        content = self._captioned(call, self._media_content(call, "photo", call.params.get("photo"), "photo"))
        return self._new_message(chat_id, content, call)

    async def _m_sendmediagroup(self, call: ApiCall) -> list[JSON]:
        chat_id = self._chat_id(call)
        media = call.params.get("media")
        if not isinstance(media, list) or not media:
            raise bad_request("there are no messages to send")
        if len(media) > ALBUM_LIMIT:
            raise bad_request("too many messages to send as an album")
        group_id = str(13443011608618786 + self._next_seq())
        contents = []
        for item in media:
            kind = str(item.get("type", ""))
            if kind not in ("photo", "video", "document", "audio"):
                raise bad_request(f'unsupported media type "{kind}" in the album')
            content = {
                "media_group_id": group_id,
                **self._media_content(call, kind, item.get("media"), "media"),
            }
            contents.append(self._captioned(call, content, source=item))
        return [self._new_message(chat_id, content, call) for content in contents]

    async def _m_sendlocation(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        latitude, longitude = call.params.get("latitude"), call.params.get("longitude")
        if latitude is None or longitude is None:
            raise bad_request("wrong coordinates")
        location = {"latitude": float(latitude), "longitude": float(longitude)}
        return self._new_message(chat_id, {"location": location}, call)

    async def _m_sendcontact(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        contact: JSON = {
            "phone_number": call.get_str("phone_number"),
            "first_name": call.get_str("first_name"),
        }
        if last_name := call.get_str("last_name"):
            contact["last_name"] = last_name
        return self._new_message(chat_id, {"contact": contact}, call)

    async def _m_sendchataction(self, call: ApiCall) -> bool:
        self._chat_id(call)
        if call.get_str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _m_sendinvoice(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        prices = call.params.get("prices")
        if not isinstance(prices, list) or not prices:
            raise bad_request("prices must be non-empty")
        invoice = {
            "title": call.get_str("title") or "",
            "description": call.get_str("description") or "",
            "start_parameter": call.get_str("start_parameter") or "",
            "currency": call.get_str("currency") or "",
            "total_amount": sum(int(p.get("amount", 0)) for p in prices),
        }
        return self._new_message(chat_id, {"invoice": invoice}, call)

    async def _m_createinvoicelink(self, call: ApiCall) -> str:
        return "https://t.me/$" + self._random_part("invoice", 22)

    async def _m_answercallbackquery(self, call: ApiCall) -> bool:
        query_id = call.get_str("callback_query_id")
        if not query_id or query_id in self._answered_queries:  # Telegram takes one answer per query
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._answered_queries.add(query_id)
        return True

    async def _m_answerprecheckoutquery(self, call: ApiCall) -> bool:
        if not call.get_str("pre_checkout_query_id"):
            raise bad_request("QUERY_ID_INVALID")
        if not call.get_bool("ok") and not call.get_str("error_message"):
            raise bad_request("ERROR_MESSAGE_EMPTY")
        return True

    async def _m_getfile(self, call: ApiCall) -> JSON:
        file_id = call.get_str("file_id") or ""
        if file_id in self._unservable:
            raise bad_request("file is too big")
        stored = self._files.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.as_file()

    async def _m_getchat(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        info = self._chat_obj(chat_id)
        info.update(
            {
                "accent_color_id": chat_id % 7 if chat_id > 0 else 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": True,
                    "limited_gifts": True,
                    "unique_gifts": True,
                    "premium_subscription": True,
                    "gifts_from_channels": True,
                },
            }
        )
        return info

    async def _m_editmessagetext(self, call: ApiCall) -> JSON | bool:
        if call.params.get("text") is None:
            raise bad_request("message text is empty")
        text, entities = self._formatted(call, "text", "entities")
        target = self._target(call)
        if target is None:
            return True
        _, _, stored = target
        if "text" not in stored and any(k in stored for k in (*MEDIA_KEYS, "invoice", "location")):
            raise bad_request("there is no text in the message to edit")
        changes: JSON = {"text": text, "entities": entities}
        preview = call.params.get("link_preview_options")
        if isinstance(preview, dict) and preview:
            changes["link_preview_options"] = preview
        return self._commit_edit(stored, changes, self._inline_markup(call))

    async def _m_editmessagecaption(self, call: ApiCall) -> JSON | bool:
        target = self._target(call)
        if target is None:
            return True
        _, _, stored = target
        if "text" in stored:
            raise bad_request("there is no caption in the message to edit")
        changes = self._captioned(call, {})
        return self._commit_edit(stored, changes, self._inline_markup(call))

    async def _m_editmessagereplymarkup(self, call: ApiCall) -> JSON | bool:
        markup = self._inline_markup(call)
        target = self._target(call)
        if target is None:
            return True
        return self._commit_edit(target[2], {}, markup)

    async def _m_editmessagemedia(self, call: ApiCall) -> JSON | bool:
        media = call.params.get("media")
        if not isinstance(media, dict):
            raise bad_request("there is no media in the request")
        kind = str(media.get("type", ""))
        if kind not in ("photo", "video", "document", "audio", "animation"):
            raise bad_request(f'unsupported media type "{kind}"')
        content = self._captioned(call, self._media_content(call, kind, media.get("media"), "media"), media)
        target = self._target(call)
        if target is None:
            return True
        _, _, stored = target
        for key in (*MEDIA_KEYS, "caption", "caption_entities", "show_caption_above_media"):
            content.setdefault(key, None)
        return self._commit_edit(stored, content, self._inline_markup(call))

    def _delete(self, chat_id: int, message_id: int) -> bool:
        deleted = self._deleted.setdefault(chat_id, set())
        if message_id in deleted:
            return False
        self._messages.get(chat_id, {}).pop(message_id, None)
        deleted.add(message_id)
        return True

    async def _m_deletemessage(self, call: ApiCall) -> bool:
        chat_id = self._chat_id(call)
        message_id = call.get_int("message_id")
        if message_id is None or not self._delete(chat_id, message_id):
            raise bad_request("message to delete not found")
        return True

    async def _m_deletemessages(self, call: ApiCall) -> bool:
        chat_id = self._chat_id(call)
        ids = call.params.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            self._delete(chat_id, int(message_id))
        return True

    def _source_content(self, call: ApiCall) -> tuple[JSON | None, JSON]:
        from_chat = self._chat_id(call, "from_chat_id")
        message_id = call.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        if message_id in self._deleted.get(from_chat, set()):
            raise bad_request("message to copy not found")
        source = self.message(from_chat, message_id)
        if source is None:
            return None, {}
        return source, {k: source[k] for k in CONTENT_KEYS if k in source}

    async def _m_copymessage(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        source, content = self._source_content(call)
        if source is not None and not content:
            raise bad_request("message can't be copied")
        if call.params.get("caption") is not None and "text" not in content:
            content.pop("caption_entities", None)
            self._captioned(call, content)
        return {"message_id": self._new_message(chat_id, content, call)["message_id"]}

    async def _m_forwardmessage(self, call: ApiCall) -> JSON:
        chat_id = self._chat_id(call)
        source, content = self._source_content(call)
        message = self._new_message(chat_id, {}, call)
        if source is not None:
            sender = source.get("from") or self.bot_user
            content = {
                "forward_origin": {"type": "user", "sender_user": sender, "date": source["date"]},
                **content,
            }
        stored = self._messages[chat_id][message["message_id"]]
        stored.update(content)
        return copy.deepcopy(stored)
