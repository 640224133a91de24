"""bot/routing.py routes exactly as aiogram does: the same handler wins with the same arguments, for commands,
text, captions, filters that add data, a handler that skips itself and routers with nothing to offer. And the
aiogram code those shortcuts copy is still the code they were written against."""

from __future__ import annotations

import hashlib
import inspect
from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.dispatcher.event.handler import CallableObject, HandlerObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.dispatcher.middlewares.manager import MiddlewareManager
from aiogram.filters import Command, CommandStart, Filter
from aiogram.types import Chat, Message, Update, User

from bot.inline_filters import run_magic_filters_inline
from bot.routing import QuickDispatcher, QuickRouter

# What bot/routing.py re-implements or relies on, as in aiogram 3.31. A new aiogram that changes any of it must
# be read against bot/routing.py before this digest is updated.
COPIED = [Router.propagate_event, Router._propagate_event, TelegramEventObserver.trigger,
          TelegramEventObserver.check_root_filters, TelegramEventObserver._resolve_middlewares,
          HandlerObject.check, CallableObject.call, CallableObject._prepare_kwargs, Command.__call__,
          Command.extract_command, Command.validate_prefix, MiddlewareManager.wrap_middlewares]
PINNED = "2dbc1367ebf4e61f"


def test_the_aiogram_code_routing_copies_is_unchanged() -> None:
    source = "\n".join(inspect.getsource(f) for f in COPIED)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == PINNED, f"aiogram's routing changed (digest {digest}): re-read bot/routing.py against it"


class AddsData(Filter):
    async def __call__(self, message: Message) -> dict[str, Any]:
        return {"extra": "yes"}


class Never(Filter):
    async def __call__(self, message: Message) -> bool:
        return False


def build(router_class: type[Router], dispatcher_class: type[Dispatcher], seen: list[Any]) -> Dispatcher:
    def record(name: str) -> Any:
        async def handler(message: Message, **data: Any) -> None:
            seen.append((name, sorted(k for k in data if k not in ("bot", "dispatcher", "fsm_storage", "state",
                                                                     "event_context", "event_update", "handler",
                                                                     "event_router")),
                         data.get("extra"), str(data.get("command").command) if data.get("command") else None,
                         data["event_router"].name))
        return handler

    async def skipper(message: Message) -> None:
        raise SkipHandler

    empty = router_class(name="empty")  # no message handlers at all
    commands = router_class(name="commands")
    commands.message(Command("cancel"))(record("cancel"))
    commands.message(Command("help", prefix="/!"))(record("help"))
    commands.message(AddsData(), Command("data"))(record("data"))
    start = router_class(name="start")
    start.message(CommandStart())(record("start"))
    parent = router_class(name="parent")
    parent.message.filter(F.chat.type == "private")
    texts = router_class(name="texts")
    texts.message(F.text == "skip")(skipper)
    texts.message(AddsData(), Never())(record("never"))
    texts.message(AddsData(), F.text == "data please")(record("text-data"))
    texts.message(F.text | F.caption)(record("text"))
    parent.include_routers(commands, start, texts)
    last = router_class(name="last")
    last.message()(record("anything"))
    for r in (empty, commands, start, texts, last):
        freeze = getattr(r, "freeze_commands", None)
        if freeze is not None:
            freeze()
    dp = dispatcher_class(name="dp")
    dp.include_routers(empty, parent, last)
    run_magic_filters_inline(dp)
    return dp


def update(n: int, *, text: str | None = None, caption: str | None = None, chat: str = "private") -> Update:
    user = User(id=42, is_bot=False, first_name="A")
    message = Message(message_id=n, date=datetime.now(UTC), chat=Chat(id=42 if chat == "private" else -5, type=chat),
                      from_user=user, text=text, caption=caption)
    return Update(update_id=n, message=message)


CASES = [
    {"text": "/help"}, {"text": "  /help please"}, {"text": "!help"}, {"text": "/cancel"}, {"text": "/start x"},
    {"text": "/data"}, {"text": "hello"}, {"text": " hello /help"}, {"text": "skip"}, {"text": "data please"},
    {"text": "/unknown"}, {"caption": "/help"}, {"caption": "photo"}, {"text": "/help", "chat": "group"},
    {"text": "hello", "chat": "group"}, {"text": "   "}, {"text": "/"},
]


@pytest.mark.parametrize("case", CASES, ids=[repr(c) for c in CASES])
async def test_the_same_handler_wins_with_the_same_arguments(case: dict[str, Any]) -> None:
    bot = Bot("42:TEST")
    plain: list[Any] = []
    quick: list[Any] = []
    frozen: list[Any] = []
    try:
        await build(Router, Dispatcher, plain).feed_update(bot, update(1, **case))
        await build(QuickRouter, QuickDispatcher, quick).feed_update(bot, update(1, **case))
        dp = build(QuickRouter, QuickDispatcher, frozen)
        dp.freeze_routes()  # type: ignore[attr-defined]
        await dp.feed_update(bot, update(1, **case))
    finally:
        await bot.session.close()
    assert quick == plain and frozen == plain
    assert plain, "every case reaches some handler"


async def test_frozen_routes_list_only_the_routers_worth_calling_and_are_forgotten_when_a_router_joins() -> None:
    dp = build(QuickRouter, QuickDispatcher, [])
    assert isinstance(dp, QuickDispatcher)
    dp.freeze_routes()
    routes = dp._routes
    assert routes is not None
    assert [(r.name, p) for r, p in routes["message"]] == [("parent", None), ("last", None)]  # "empty" is left out
    parent = dp.sub_routers[1]
    assert isinstance(parent, QuickRouter) and parent._routes is not None
    assert [(r.name, p and set(p)) for r, p in parent._routes["message"]] == [
        ("commands", {"/", "!"}), ("start", {"/"}), ("texts", None)]
    late = QuickRouter(name="late")
    parent.include_router(late)
    assert parent._routes is None and dp._routes is None  # walked as before the freeze until frozen again
    dp.freeze_routes()
    assert dp._routes is not None and parent._routes is not None
