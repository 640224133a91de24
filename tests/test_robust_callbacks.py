"""Forged callback data: a value no button of ours carries matches no handler (the «expired button» hint),
and when a handler fails after answering, the apology still arrives, as a message, with one answer only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Person, World
from tests.test_review import ALICE, STAFF_CHAT

HUGE = "9" * 30
FORGED_CITIZEN = [
    f"rv:open:{HUGE}", "rv:open:-5", "rv:open:abc", f"rv:upload:{HUGE}", "rv:upload:1e3",
    f"ap:profile::{HUGE}", "ap:profile::x1", "ap:profile::-1",
    f"up:remove:doc_passport_main:{HUGE}", "up:remove:doc_passport_main:abc",
    "ap:" + "x" * 60, "pay:" + "y" * 58, "menu:" + "\u202e" * 10,
]
FORGED_STAFF = [
    f"st:take:{HUGE}:0:", "st:take:1:-1:", "st:approve:abc:1:", f"st:docs:1:{HUGE}:", "st:take:1:1:" + "z" * 50,
]


def answers(world: World, query_id: str) -> list[Any]:
    return [c for c in world.api.calls_to("answerCallbackQuery") if c.params.get("callback_query_id") == query_id]


async def consented(world: World) -> Person:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    return anna


@pytest.mark.parametrize("data", FORGED_CITIZEN)
async def test_forged_citizen_buttons_are_expired_buttons(world: World, data: str) -> None:
    anna = await consented(world)
    update = anna.updates.callback(anna.user, data, message=anna.last_message())
    await anna.send_update(update)  # the harness fails the test on any logged error
    answered = answers(world, update["callback_query"]["id"])
    assert len(answered) == 1 and answered[0].ok, data
    assert answered[0].params.get("text") == "Эта кнопка уже неактуальна. Откройте меню: /start"


@pytest.mark.parametrize("data", FORGED_STAFF)
async def test_forged_staff_buttons_are_expired_buttons(world: World, data: str) -> None:
    alice = world.person(user_id=ALICE, first_name="Алиса")
    update = alice.updates.callback(alice.user, data, chat_id=STAFF_CHAT)
    await world.feed(update)
    answered = answers(world, update["callback_query"]["id"])
    assert len(answered) == 1 and answered[0].ok, data


async def test_a_failure_after_the_answer_still_reaches_the_person(world: World, monkeypatch: Any) -> None:
    anna = await consented(world)
    assert world.deps is not None

    async def broken(*args: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(world.deps.services.applications, "timeline", broken)
    update = anna.updates.callback(anna.user, "rv:open:1", message=anna.last_message())
    with world.expect_errors() as logged:
        await anna.send_update(update)
    assert [r.getMessage() for r in logged if "RuntimeError" in r.getMessage()]
    answered = answers(world, update["callback_query"]["id"])
    assert len(answered) == 1 and answered[0].ok  # the handler's own answer; the error path does not repeat it
    assert anna.last.startswith("Извините, что-то пошло не так"), anna.replies
