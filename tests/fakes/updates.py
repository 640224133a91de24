"""Builders of Update dicts shaped exactly as Telegram sends them.

Shapes follow the real payloads in /work/shared/telegram_update_samples (key by key): absent optional
fields are omitted, never null; ``from`` is a User with ``is_bot: false``; a private ``chat`` repeats the
user's names with ``type: "private"``; a command carries its ``bot_command`` entity; a callback carries
the full bot Message the button was on and a ``chat_instance``.

    users = UpdateFactory(message_ids=api.next_message_id)   # ids shared with the fake Bot API
    alice = TgUser(id=1001, first_name="Алиса", username="alice")
    await dp.feed_raw_update(bot, users.text(alice, "/start"))
    await dp.feed_raw_update(bot, users.click(alice, api.last_message_sent_to(alice.id), text="Далее"))
"""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["TgUser", "UpdateFactory", "iter_buttons"]

JSON = dict[str, Any]
PhotoSizeSpec = tuple[str, str, int, int, int]  # file_id, file_unique_id, width, height, file_size

GROUP_TITLE = "ЭМК тестовая группа"


@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "ru"
    is_premium: bool = False

    def as_dict(self) -> JSON:
        """The User object (``from``) as Telegram sends it."""
        user: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            user["last_name"] = self.last_name
        if self.username is not None:
            user["username"] = self.username
        if self.language_code is not None:
            user["language_code"] = self.language_code
        if self.is_premium:
            user["is_premium"] = True
        return user

    def private_chat(self) -> JSON:
        """The private Chat with this user as Telegram sends it."""
        chat: JSON = {"id": self.id, "first_name": self.first_name}
        if self.last_name is not None:
            chat["last_name"] = self.last_name
        if self.username is not None:
            chat["username"] = self.username
        chat["type"] = "private"
        return chat


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def iter_buttons(message: JSON) -> Iterator[JSON]:
    """Every inline button of a Message dict, row by row."""
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        yield from row


_FACTORIES = itertools.count()


class UpdateFactory:
    """Makes Update dicts with increasing ``update_id`` and per-chat ``message_id``.

    ``message_ids(chat_id) -> int`` allocates message ids; pass ``FakeBotAPI.next_message_id`` so that the
    user's messages and the bot's share one sequence per chat, as in Telegram. ``clock`` gives unix time.
    """

    def __init__(
        self,
        start_update_id: int = 100000,
        *,
        bot_id: int = 777000111,
        bot_username: str = "emk_test_bot",
        bot_first_name: str = "ЭМК-бот",
        message_ids: Callable[[int], int] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._next_update_id = start_update_id
        self._message_ids = message_ids
        self._last_message_id: dict[int, int] = {}
        self._clock = clock
        self._seq = 0
        # Telegram's ids (callback queries, files) are unique across chats and bots: two factories (two
        # worlds on one fake API) must not repeat them, or the fake rightly refuses a second answer.
        self._factory = next(_FACTORIES)
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }

    # ------------------------------------------------------------------ plumbing

    def _update(self, kind: str, payload: JSON) -> JSON:
        update_id = self._next_update_id
        self._next_update_id += 1
        return {"update_id": update_id, kind: payload}

    def _now(self) -> int:
        return int(self._clock())

    def next_message_id(self, chat_id: int) -> int:
        if self._message_ids is not None:
            return self._message_ids(chat_id)
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _token(self, salt: str, length: int) -> str:
        self._seq += 1
        digest = hashlib.shake_256(f"upd:{salt}:{self._seq}".encode()).digest(length)
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]

    def _digits(self, salt: str, length: int) -> str:
        self._seq += 1
        digest = hashlib.sha256(f"dig:{salt}:{self._factory}:{self._seq}".encode()).hexdigest()
        return str(int(digest, 16))[:length]

    def file_ids(self, kind: str = "document") -> tuple[str, str]:
        """A fresh (file_id, file_unique_id) pair shaped like the real ones of that kind."""
        prefixes = {
            "photo": "AgACAgIAAxkBAA",
            "document": "BQACAgIAAxkBAA",
            "video": "BAACAgIAAxkBAA",
            "voice": "AwACAgIAAxkBAA",
            "sticker": "CAACAgIAAxkBAA",
            "video_note": "DQACAgIAAxkBAA",
            "animation": "CgACAgIAAxkBAA",
            "audio": "CQACAgIAAxkBAA",
        }
        prefix = prefixes.get(kind, prefixes["document"])
        size = 82 if kind == "photo" else 71
        return prefix + self._token(kind, size - len(prefix)), (
            "AQAD" if kind == "photo" else "AgAD"
        ) + self._token("u" + kind, 12)

    def _chat(self, user: TgUser, chat_id: int | None) -> JSON:
        if chat_id is None or chat_id == user.id:
            return user.private_chat()
        if chat_id < 0:
            return {"id": chat_id, "title": GROUP_TITLE, "type": "supergroup"}
        return {"id": chat_id, "first_name": "Test user", "type": "private"}

    def _message(
        self,
        user: TgUser,
        content: JSON,
        *,
        chat_id: int | None = None,
        message_id: int | None = None,
        media_group_id: str | None = None,
    ) -> JSON:
        chat = self._chat(user, chat_id)
        message: JSON = {
            "message_id": message_id if message_id is not None else self.next_message_id(chat["id"]),
            "from": user.as_dict(),
            "chat": chat,
            "date": self._now(),
        }
        if media_group_id is not None:
            message["media_group_id"] = media_group_id
        message.update({k: v for k, v in content.items() if v is not None})
        return message

    # ------------------------------------------------------------------ messages

    def text(
        self, user: TgUser, text: str, *, chat_id: int | None = None, message_id: int | None = None
    ) -> JSON:
        """A text message; a text starting with "/" carries the bot_command entity clients send."""
        content: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"offset": 0, "length": utf16_len(command), "type": "bot_command"}]
        return self._update("message", self._message(user, content, chat_id=chat_id, message_id=message_id))

    def command(
        self, user: TgUser, command: str, args: str | None = None, *, chat_id: int | None = None
    ) -> JSON:
        """``/command [args]`` (``/start <payload>`` for deep links)."""
        text = f"/{command.lstrip('/')}" + (f" {args}" if args else "")
        return self.text(user, text, chat_id=chat_id)

    def contact(
        self,
        user: TgUser,
        phone_number: str,
        *,
        contact_user_id: int | None,
        first_name: str | None = None,
        last_name: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A shared contact. Own contact via a request_contact button: ``contact_user_id=user.id``.

        Telegram sends the phone as the client has it, usually digits without "+" (``"79991234567"``).
        """
        contact: JSON = {"phone_number": phone_number, "first_name": first_name or user.first_name}
        last = last_name if first_name is not None else user.last_name
        if last is not None:
            contact["last_name"] = last
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        return self._update("message", self._message(user, {"contact": contact}, chat_id=chat_id))

    def photo_sizes(
        self, width: int = 1280, height: int = 960, *, largest_size: int = 180_000
    ) -> list[PhotoSizeSpec]:
        """Realistic sizes of one photo: 90/320/800 px thumbnails below the original, capped at 1280 px."""
        longest = max(width, height)
        dims = []
        for limit in (90, 320, 800, 1280):
            if limit < longest or limit == 1280:
                k = min(1.0, limit / longest)
                dims.append((max(1, round(width * k)), max(1, round(height * k))))
        area = dims[-1][0] * dims[-1][1]
        specs: list[PhotoSizeSpec] = []
        for w, h in dims:
            file_id, unique = self.file_ids("photo")
            specs.append((file_id, unique, w, h, max(1, largest_size * w * h // area)))
        return specs

    def photo(
        self,
        user: TgUser,
        sizes: list[PhotoSizeSpec] | None = None,
        *,
        caption: str | None = None,
        media_group_id: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A photo message; ``sizes`` smallest first: (file_id, file_unique_id, width, height, file_size)."""
        if sizes is None:
            sizes = self.photo_sizes()
        photo = [
            {"file_id": fid, "file_unique_id": uid, "file_size": size, "width": w, "height": h}
            for fid, uid, w, h, size in sizes
        ]
        content: JSON = {"photo": photo, "caption": caption}
        return self._update(
            "message", self._message(user, content, chat_id=chat_id, media_group_id=media_group_id)
        )

    def album(
        self, user: TgUser, items: list[list[PhotoSizeSpec] | None], *, caption: str | None = None
    ) -> list[JSON]:
        """The updates of one photo album: same media_group_id, caption on the first item only."""
        group_id = self.media_group_id()
        return [
            self.photo(user, sizes, caption=caption if i == 0 else None, media_group_id=group_id)
            for i, sizes in enumerate(items)
        ]

    def media_group_id(self) -> str:
        return self._digits("mg", 17)

    def document(
        self,
        user: TgUser,
        *,
        file_id: str | None = None,
        file_unique_id: str | None = None,
        file_name: str = "scan.pdf",
        mime_type: str = "application/pdf",
        file_size: int = 250_000,
        media_group_id: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSON:
        """A file sent as a document (a PDF, or an image sent "as file")."""
        if file_id is None or file_unique_id is None:
            new_id, new_unique = self.file_ids("document")
            file_id, file_unique_id = file_id or new_id, file_unique_id or new_unique
        document = {
            "file_name": file_name,
            "mime_type": mime_type,
            "file_id": file_id,
            "file_unique_id": file_unique_id,
            "file_size": file_size,
        }
        content: JSON = {"document": document, "caption": caption}
        return self._update(
            "message", self._message(user, content, chat_id=chat_id, media_group_id=media_group_id)
        )

    def _thumbnail(self, width: int, height: int, file_size: int) -> JSON:
        file_id, unique = self.file_ids("photo")
        return {
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": file_size,
            "width": width,
            "height": height,
        }

    def sticker(self, user: TgUser, *, emoji: str = "👍", set_name: str = "HotCherry") -> JSON:
        file_id, unique = self.file_ids("sticker")
        sticker = {
            "width": 512,
            "height": 512,
            "emoji": emoji,
            "set_name": set_name,
            "is_animated": True,
            "is_video": False,
            "type": "regular",
            "thumbnail": self._thumbnail(128, 128, 5_416),
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": 29_712,
        }
        return self._update("message", self._message(user, {"sticker": sticker}))

    def voice(self, user: TgUser, *, duration: int = 3) -> JSON:
        file_id, unique = self.file_ids("voice")
        voice = {
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": 4_000 * max(1, duration),
        }
        return self._update("message", self._message(user, {"voice": voice}))

    def video_note(self, user: TgUser, *, duration: int = 4) -> JSON:
        file_id, unique = self.file_ids("video_note")
        video_note = {
            "duration": duration,
            "length": 384,
            "thumbnail": self._thumbnail(384, 384, 17_420),
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": 180_000 * max(1, duration),
        }
        return self._update("message", self._message(user, {"video_note": video_note}))

    def video(self, user: TgUser, *, duration: int = 5, caption: str | None = None) -> JSON:
        file_id, unique = self.file_ids("video")
        video = {
            "duration": duration,
            "width": 720,
            "height": 1280,
            "file_name": "IMG_1234.MP4",
            "mime_type": "video/mp4",
            "thumbnail": self._thumbnail(180, 320, 9_120),
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": 900_000 * max(1, duration),
        }
        return self._update("message", self._message(user, {"video": video, "caption": caption}))

    def animation(self, user: TgUser) -> JSON:
        """A GIF: Telegram sends it as both ``animation`` and ``document``."""
        file_id, unique = self.file_ids("animation")
        animation = {
            "file_name": "giphy.mp4",
            "mime_type": "video/mp4",
            "duration": 2,
            "width": 480,
            "height": 270,
            "thumbnail": self._thumbnail(320, 180, 11_307),
            "file_id": file_id,
            "file_unique_id": unique,
            "file_size": 152_310,
        }
        content = {"animation": animation, "document": copy.deepcopy(animation)}
        return self._update("message", self._message(user, content))

    def location(self, user: TgUser, *, latitude: float = 55.751244, longitude: float = 37.618423) -> JSON:
        location = {"latitude": latitude, "longitude": longitude}
        return self._update("message", self._message(user, {"location": location}))

    # ------------------------------------------------------------------ callbacks and other updates

    def bot_message(
        self, chat_id: int, text: str, *, reply_markup: JSON | None = None, user: TgUser | None = None
    ) -> JSON:
        """A Message the bot sent (for callbacks when no fake Bot API recorded one)."""
        chat = user.private_chat() if user is not None and user.id == chat_id else None
        if chat is None:
            chat = (
                {"id": chat_id, "title": GROUP_TITLE, "type": "supergroup"}
                if chat_id < 0
                else {"id": chat_id, "first_name": "Test user", "type": "private"}
            )
        message: JSON = {
            "message_id": self.next_message_id(chat_id),
            "from": copy.deepcopy(self.bot_user),
            "chat": chat,
            "date": self._now(),
            "text": text,
        }
        if reply_markup is not None:
            message["reply_markup"] = reply_markup
        return message

    def chat_instance(self, chat_id: int) -> str:
        """A stable chat_instance for a chat (a signed 64-bit number as a string, like Telegram's)."""
        digest = hashlib.sha256(f"chat_instance:{chat_id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    def callback(
        self, user: TgUser, data: str, *, message: JSON | None = None, chat_id: int | None = None
    ) -> JSON:
        """A callback_query from a button; ``message`` is the full bot Message the button was on."""
        if message is None:
            message = self.bot_message(chat_id if chat_id is not None else user.id, "…", user=user)
        else:
            message = copy.deepcopy(message)
        query = {
            "id": self._digits("cq", 19),
            "from": user.as_dict(),
            "message": message,
            "chat_instance": self.chat_instance(int(message["chat"]["id"])),
            "data": data,
        }
        return self._update("callback_query", query)

    def click(
        self, user: TgUser, message: JSON | None, *, text: str | None = None, data: str | None = None
    ) -> JSON:
        """Press the inline button of ``message`` whose text (or callback_data) is given.

        Raises LookupError naming the buttons that are there, so a failing test says what it saw.
        """
        if message is None:
            raise LookupError("no message to click on (the bot sent nothing to this chat?)")
        buttons = list(iter_buttons(message))
        for button in buttons:
            if (text is not None and button.get("text") == text) or (
                data is not None and button.get("callback_data") == data
            ):
                if "callback_data" not in button:
                    raise LookupError(f"button {button.get('text')!r} has no callback_data: {button}")
                return self.callback(user, button["callback_data"], message=message)
        seen = [(b.get("text"), b.get("callback_data")) for b in buttons]
        raise LookupError(f"no button with text={text!r} data={data!r}; buttons: {seen}")

    def my_chat_member(self, user: TgUser, *, old: str, new: str) -> JSON:
        """The bot's status in the private chat changed: member -> kicked when the user blocks the bot."""
        allowed = {"member", "kicked", "left"}
        if old not in allowed or new not in allowed:
            raise ValueError(f"only {sorted(allowed)} are supported in a private chat")

        def member(status: str) -> JSON:
            state: JSON = {"user": copy.deepcopy(self.bot_user), "status": status}
            if status == "kicked":
                state["until_date"] = 0
            return state

        payload = {
            "chat": user.private_chat(),
            "from": user.as_dict(),
            "date": self._now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self._update("my_chat_member", payload)

    def pre_checkout(self, user: TgUser, *, payload: str, total_amount: int, currency: str = "RUB") -> JSON:
        query = {
            "id": self._digits("pcq", 18),
            "from": user.as_dict(),
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
        return self._update("pre_checkout_query", query)

    def successful_payment(
        self,
        user: TgUser,
        *,
        payload: str,
        total_amount: int,
        currency: str = "RUB",
        telegram_payment_charge_id: str | None = None,
        provider_payment_charge_id: str | None = None,
    ) -> JSON:
        """The service message after a payment. Stars (XTR) charge ids are long (> 128 characters)."""
        if telegram_payment_charge_id is None:
            telegram_payment_charge_id = (
                "stx" + self._token("stars", 150)
                if currency == "XTR"
                else f"{user.id}_{self._digits('tg', 6)}_{self._digits('tg', 7)}"
            )
        if provider_payment_charge_id is None:
            provider_payment_charge_id = "" if currency == "XTR" else f"{self._digits('pr', 14)}_test"
        payment = {
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": telegram_payment_charge_id,
            "provider_payment_charge_id": provider_payment_charge_id,
        }
        return self._update("message", self._message(user, {"successful_payment": payment}))
