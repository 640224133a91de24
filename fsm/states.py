"""Every conversation state of the bot, one StatesGroup per flow.

`HINTS` says, for each state, which Fluent key explains what the bot expects there; the catch-all handler
uses it, and a test checks that every state has one.
"""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ConsentFlow(StatesGroup):
    waiting = State()


HINTS: dict[str, str] = {
    ConsentFlow.waiting.state: "hint-consent",
}

IDLE_HINT = "hint-idle"


def all_states() -> list[State]:
    groups: list[type[StatesGroup]] = [ConsentFlow]
    return [state for group in groups for state in group.__all_states__]


def hint_for(state: str | None) -> str:
    if state is None:
        return IDLE_HINT
    return HINTS.get(state, IDLE_HINT)
