"""Run magic filters (`F.text`, `F.data == ...`) inline instead of in a worker thread.

aiogram 3.31 calls every synchronous filter through `asyncio.to_thread` (CallableObject.call), and a magic
filter is one: its `resolve` is a plain function. Measured with `bench/updates.py --profile`: about six thread
hops per wizard step, the largest part of the event loop's time in a step. A magic filter only reads attributes
of the update, so running it inline is safe and costs microseconds.
"""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject
from aiogram.dispatcher.event.telegram import TelegramEventObserver


def _inline(resolve: Any) -> Any:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return resolve(*args, **kwargs)

    return call


def run_magic_filters_inline(root: Router) -> int:
    """Make every magic filter under `root` (its own and its sub-routers', handler and observer filters)
    awaitable; returns how many were changed."""
    changed = 0
    for router in root.chain_tail:
        for observer in router.observers.values():
            if not isinstance(observer, TelegramEventObserver):
                continue
            filters = list(observer._handler.filters or [])
            for handler in observer.handlers:
                filters += handler.filters or []
            for item in filters:
                if isinstance(item, FilterObject) and item.magic is not None and not item.awaitable:
                    item.callback = _inline(item.callback)
                    item.awaitable = True
                    changed += 1
    return changed
