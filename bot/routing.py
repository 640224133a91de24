"""Routers that walk an update to its handler with less of aiogram's per-router machinery, same outcome.

aiogram 3.31 passes every update through each router in order, and for each router it builds the router's outer
middleware chain (`functools.wraps` + `partial`, even when the chain is empty), copies the keyword arguments
three times, checks the router's own filters and then each handler's filters. A wizard answer walks eight
routers and fourteen handler checks before it reaches handlers/apply.py; measured with bench/updates.py this
routing was about a fifth of the event loop's time in a wizard step. `QuickRouter` cuts what cannot change the
outcome:

* a router whose observer has no outer middleware calls its propagation directly (aiogram's empty chain is
  exactly `handler(event, **kwargs)`);
* a router with nothing for this update type — no handlers, no filters, no outer middleware, no sub-routers
  (the errors router for a message) — is passed over: aiogram would answer UNHANDLED after the same walk;
* a router whose message handlers are all commands (each has a `Command` filter among its filters, and the
  observer has no filters or outer middleware of its own) is passed over for a message whose text (or
  caption) does not start with one of those commands' prefixes: every one of its `Command` filters would
  say no, for the reason `Command.extract_command` gives (the first character after leading whitespace is the
  prefix).

A router passed over is not even called (its parent asks `passes_over`), the keyword arguments are packed once
per router walked rather than twice, and a handler that no inner middleware wraps is called directly.

Once the whole tree is built, `freeze_routes()` (create_dispatcher calls it) writes these facts down: for each
router and update type, which sub-routers are worth calling (and which only for a command), and the inner
middlewares of each observer. A wizard answer then walks a short list instead of asking every router
(measured in a tight loop: routing a wizard answer 62 -> 32 µs). Including a router afterwards forgets the
lists (they are made again on the next freeze); a handler registered after the freeze is not seen, so register
first.

tests/test_routing.py holds aiogram's code these rules rely on to what it was when they were written, so an
aiogram upgrade that changes it fails there rather than routing differently.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from functools import partial
from types import MappingProxyType
from typing import Any

from aiogram import Dispatcher, Router
from aiogram.dispatcher.event.bases import REJECTED, UNHANDLED, SkipHandler
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver
from aiogram.filters import Command
from aiogram.types import Message, TelegramObject


def command_prefixes(observer: TelegramEventObserver) -> str | None:
    """The prefixes of the commands, when every handler of `observer` needs a command; otherwise None."""
    if not observer.handlers or observer._handler.filters or len(observer.outer_middleware):
        return None
    prefixes = ""
    for handler in observer.handlers:
        commands = [f.callback for f in handler.filters or [] if isinstance(f.callback, Command)]
        if not commands:
            return None
        prefixes += "".join(c.prefix for c in commands)
    return prefixes


def cannot_be_command(event: TelegramObject, prefixes: str) -> bool:
    """True when no `Command` filter with one of `prefixes` can match `event` (as Command.__call__ reads it)."""
    if not isinstance(event, Message):
        return True
    text = (event.text or event.caption or "").lstrip()
    return not text or text[0] not in prefixes


class QuickPropagation(Router):
    """Propagation that skips what cannot change the outcome (see the module doc); mixed into a Router or the
    Dispatcher, used as them."""

    _prefixes: Mapping[str, tuple[int, str | None]] = MappingProxyType({})  # set by freeze_commands
    # set by freeze_routes: per update type, the sub-routers to call (with the command prefixes when they are worth
    # calling for a command only), and the observer's inner middlewares
    _routes: dict[str, tuple[tuple[Router, str | None], ...]] | None = None
    _inner: dict[str, list[Any]] | None = None

    def freeze_routes(self) -> None:
        """Write down, for this router and every router under it, what `_walk` would work out on every update."""
        for router in self.chain_tail:
            if isinstance(router, QuickPropagation):
                router.freeze_commands()
        for router in self.chain_tail:
            if isinstance(router, QuickPropagation):
                observers = {n: o for n, o in router.observers.items() if isinstance(o, TelegramEventObserver)}
                router._routes = {n: tuple(router._worth_calling(n)) for n in observers}
                router._inner = {n: o._resolve_middlewares() for n, o in observers.items()}

    def _worth_calling(self, update_type: str) -> Iterator[tuple[Router, str | None]]:
        """The sub-routers `passes_over` would not always pass over, with the prefixes of the command-only ones."""
        for router in self.sub_routers:
            if not isinstance(router, QuickPropagation):
                yield router, None
                continue
            observer = router.observers.get(update_type)
            if observer is None or router.sub_routers or observer._handler.filters or len(observer.outer_middleware):
                yield router, None
            elif observer.handlers:
                count, prefixes = router._prefixes.get(update_type, (-1, None))
                yield router, (prefixes if count == len(observer.handlers) else None)
            # else: nothing there for this update type, ever

    def include_router(self, router: Router) -> Router:
        """aiogram's, and the lists written by `freeze_routes` are forgotten up the chain (made again by the
        next freeze)."""
        included = super().include_router(router)
        for head in self.chain_head:
            if isinstance(head, QuickPropagation):
                head._routes = head._inner = None
        return included

    def freeze_commands(self) -> None:
        """Note which observers hold commands only; call once every handler of this router is registered."""
        self._prefixes = {name: (len(o.handlers), command_prefixes(o)) for name, o in self.observers.items()
                          if isinstance(o, TelegramEventObserver)}

    def passes_over(self, update_type: str, event: TelegramObject) -> bool:
        """True when this router's propagation would answer UNHANDLED without calling anything: its observer
        has no outer middleware, no filters and no sub-routers, and either no handlers or command handlers only
        and the event is not a command of theirs."""
        observer = self.observers.get(update_type)
        if observer is None or self.sub_routers or observer._handler.filters or len(observer.outer_middleware):
            return False
        if not observer.handlers:
            return True  # nothing here for this update: aiogram's walk ends the same way
        count, prefixes = self._prefixes.get(update_type, (-1, None))
        # every handler here needs a command, and this is not one
        return prefixes is not None and count == len(observer.handlers) and cannot_be_command(event, prefixes)

    async def propagate_event(self, update_type: str, event: TelegramObject, **kwargs: Any) -> Any:
        observer = self.observers.get(update_type)
        if observer is not None and len(observer.outer_middleware):
            return await super().propagate_event(update_type, event, **kwargs)
        if self._routes is None and self.passes_over(update_type, event):  # frozen: the parent asked already
            return UNHANDLED
        kwargs["event_router"] = self  # kwargs is this call's own dict: walked without copying it again
        return await self._walk(observer, update_type, event, kwargs)

    async def _propagate_event(
        self, observer: TelegramEventObserver | None, update_type: str, event: TelegramObject, **kwargs: Any
    ) -> Any:
        """aiogram's own (called by aiogram's propagate_event when the router has an outer middleware)."""
        return await self._walk(observer, update_type, event, kwargs)

    async def _walk(
        self, observer: TelegramEventObserver | None, update_type: str, event: TelegramObject, kwargs: dict[str, Any]
    ) -> Any:
        """aiogram's _propagate_event, minus the calls that cannot change the outcome: the router's filters are
        checked only when it has some, its handlers are tried only when it has some, without copying the
        arguments for every filter, and a sub-router that would pass the event over (`passes_over`) is not
        called. `kwargs` is the caller's own dict and is changed as aiogram changes its copy."""
        response = UNHANDLED
        if observer:
            if observer._handler.filters:
                data = await passes(observer._handler.filters, event, kwargs)
                if data is None:
                    return UNHANDLED
                kwargs.update(data)
            if observer.handlers:
                inner = self._inner.get(update_type) if self._inner is not None else None
                response = await trigger(observer, event, dict(kwargs), inner)  # its own copy, as aiogram's
                if response is REJECTED:  # pragma: no cover - only if a handler returns REJECTED
                    return UNHANDLED
                if response is not UNHANDLED:
                    return response
        routes = self._routes.get(update_type) if self._routes is not None else None
        if routes is not None:
            for router, prefixes in routes:
                if prefixes is not None and cannot_be_command(event, prefixes):
                    continue  # command handlers only, and this is not one of their commands
                response = await router.propagate_event(update_type=update_type, event=event, **kwargs)
                if response is not UNHANDLED:
                    break
            return response
        for router in self.sub_routers:
            if isinstance(router, QuickPropagation) and router.passes_over(update_type, event):
                continue  # it would answer UNHANDLED, as `response` is here
            response = await router.propagate_event(update_type=update_type, event=event, **kwargs)
            if response is not UNHANDLED:
                break
        return response


async def passes(filters: list[FilterObject], event: TelegramObject, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """aiogram's HandlerObject.check: None when a filter says no, else what the filters added (a dict filter
    result is merged for the filters after it, as aiogram does). `kwargs` is not changed."""
    added: dict[str, Any] = {}
    data = kwargs
    for item in filters:
        args = data if item.varkw else {k: data[k] for k in item.params if k in data}
        check = (await item.callback(event, **args) if item.awaitable
                 else await asyncio.to_thread(partial(item.callback, event, **args)))
        if not check:
            return None
        if isinstance(check, dict):
            if data is kwargs:
                data = dict(kwargs)
            data.update(check)
            added.update(check)
    return added


async def trigger(
    observer: TelegramEventObserver, event: TelegramObject, kwargs: dict[str, Any], inner: list[Any] | None = None
) -> Any:
    """aiogram's TelegramEventObserver.trigger, with `passes` for the handlers' filters, and the handler called
    directly when no inner middleware wraps it (no functools.wraps and partial built for every update).
    `inner`: the observer's inner middlewares when known (`freeze_routes`)."""
    for handler in observer.handlers:
        kwargs["handler"] = handler
        data = await passes(handler.filters, event, kwargs) if handler.filters else {}
        if data is not None:
            kwargs.update(data)
            try:
                middlewares = inner if inner is not None else observer._resolve_middlewares()
                if not middlewares:  # aiogram's empty chain is exactly handler.call(event, **kwargs)
                    return await handler.call(event, **kwargs)
                wrapped_inner = observer.outer_middleware.wrap_middlewares(middlewares, handler.call)
                return await wrapped_inner(event, kwargs)
            except SkipHandler:
                continue
    return UNHANDLED


class QuickRouter(QuickPropagation, Router):
    """A Router whose propagation skips what cannot change the outcome."""


class QuickDispatcher(QuickPropagation, Dispatcher):
    """The Dispatcher, propagating like QuickRouter (its own message observer has no middleware either)."""
