"""Cheaper filters for the hot routes: every update is tried against them before it reaches its handler."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, TelegramObject


class InStates(Filter):
    """aiogram's `StateFilter(*states)` for named states only (no "*", no None, no groups): True when the
    conversation is in one of them. StateFilter asks each State for its name, which State builds anew every
    time (the wizard's text route lists some thirty states, tried on every message: ~25 State.state calls an
    update); here the names are taken once and the check is one set lookup. tests/test_wizard_plan.py checks
    that it says what StateFilter says."""

    __slots__ = ("names",)

    def __init__(self, *states: State) -> None:
        names = frozenset(s.state for s in states)
        if not states or None in names or "*" in names:
            raise ValueError("InStates takes named states only")
        self.names: frozenset[str | None] = names

    def __str__(self) -> str:
        return self._signature_to_string(*sorted(str(n) for n in self.names))

    async def __call__(self, obj: TelegramObject, raw_state: str | None = None) -> bool:
        return raw_state in self.names


class PrivateChat(Filter):
    """`F.chat.type == "private"` for a message, `F.message.chat.type == "private"` for a button press: the
    update comes from a private chat. Every update is tried against the citizen's routers and the staff's
    private router; a magic filter resolves its attribute chain step by step (~5 µs an update each), this reads
    two attributes. tests/test_wizard_plan.py checks that it says what the magic filters say."""

    __slots__ = ()

    def __str__(self) -> str:
        return "PrivateChat()"

    async def __call__(self, obj: TelegramObject) -> bool:
        message = obj.message if isinstance(obj, CallbackQuery) else obj
        chat = getattr(message, "chat", None)
        return chat is not None and chat.type == "private"
