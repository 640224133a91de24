"""Every state answers anything it does not expect with a translated hint, and loses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from domain.applicant import Relation
from fsm.states import EXPECTS, all_states, hint_for
from fsm.steps import STEP_BY_STATE
from tests.harness import Person, World

STATES = [s.state for s in all_states() if s.state]


def unexpected_updates(person: Person, state: str) -> dict[str, dict[str, Any]]:
    u, user = person.updates, person.user
    sizes = [("AgACfile1", "AQADuniq1", 90, 120, 1500), ("AgACfile2", "AQADuniq2", 600, 800, 41000)]
    candidates = {
        "sticker": u.sticker(user),
        "voice": u.voice(user),
        "location": u.location(user),
        "video_note": u.video_note(user),
        "photo": u.photo(user, sizes),
        "document": u.document(
            user, file_id="BQACdoc", file_unique_id="AgADdoc", file_name="scan.pdf",
            mime_type="application/pdf", file_size=12345,
        ),
        "text": u.text(user, "просто текст"),
        "contact": u.contact(user, "79161234567", contact_user_id=user.id),
    }
    step = STEP_BY_STATE.get(state)
    if state in EXPECTS:
        return {k: v for k, v in candidates.items() if k not in EXPECTS[state]}
    expected = {
        "text": {"text"}, "contact": {"contact", "text"},  # a phone number may be typed
        "photo": {"photo", "document"}, "upload": {"photo", "document"},
    }.get(step.kind if step else "", set())
    return {k: v for k, v in candidates.items() if k not in expected}


async def put_in_state(world: World, person: Person, state: str) -> None:
    assert world.dp is not None and world.bot is not None and world.deps is not None
    await person.command("start")
    await person.press("Согласен")
    profile = await world.deps.profiles.create(person.user.id, Relation.SELF)
    ctx = world.dp.fsm.get_context(world.bot, chat_id=person.chat_id, user_id=person.user.id)
    await ctx.set_state(state)
    await ctx.set_data({"profile_id": profile.id})


@pytest.mark.parametrize("state", STATES)
async def test_every_state_hints_on_unexpected_content(world: World, state: str) -> None:
    anna = world.person()
    await put_in_state(world, anna, state)
    assert world.dp is not None and world.bot is not None
    ctx = world.dp.fsm.get_context(world.bot, chat_id=anna.chat_id, user_id=anna.user.id)
    data_before = await ctx.get_data()
    hint_ru = world.deps.translator.get("ru", hint_for(state)) if world.deps else ""
    for kind, update in unexpected_updates(anna, state).items():
        await anna.send_update(update)
        assert anna.replies == [hint_ru], (state, kind, anna.replies)
        assert await ctx.get_state() == state, (state, kind)
        assert await ctx.get_data() == data_before, (state, kind)


async def test_idle_person_gets_the_menu_with_a_hint(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    await anna.send_update(anna.updates.sticker(anna.user))
    assert len(anna.replies) == 1  # one hint per message, the menu in it
    assert anna.last.startswith("Я понимаю кнопки меню") and "\n\nГлавное меню" in anna.last


def test_every_state_has_its_own_hint() -> None:
    for state in STATES:
        assert hint_for(state) != "hint-idle", state
