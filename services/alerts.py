"""Unexpected errors reach the staff: the error's code (the reference the person was shown) and its kind (the
exception's class name), never what the person sent; at most one message per kind per hour.

The hour is counted in memory, per process, with the injected clock: a restart may let one more message of a
kind through within the hour, which is what a restart after a crash should do anyway. The message goes through
the outbox in its own transaction (the failed handler's transaction is over by then) and is sent by the
sweeper like every other push; if even that fails, the log still has the error.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.clock import Clock
from services.outbox import Pushes
from storage.db import transaction

WINDOW = timedelta(hours=1)


class ErrorAlerts:
    def __init__(self, engine: Any, pushes: Pushes, clock: Clock, window: timedelta = WINDOW) -> None:
        self.engine, self.pushes, self.clock, self.window = engine, pushes, clock, window
        self._sent: dict[str, datetime] = {}  # kind -> when the last message of that kind was enqueued
        self._held: dict[str, int] = {}  # kind -> errors of that kind not reported since

    async def report(self, kind: str, ref: str) -> bool:
        """Tell the staff about an error of `kind` with reference `ref`, unless a message of that kind went out
        less than an hour ago (then it is counted and mentioned in the next one). True if one was enqueued."""
        now = self.clock.now()
        last = self._sent.get(kind)
        if last is not None and now - last < self.window:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        self._sent[kind] = now
        held = self._held.pop(kind, 0)
        async with transaction(self.engine):
            await self.pushes.error_alert(kind, ref, held)
        return True
