"""The staff album and the card are separate outbox rows: when the card fails, its retry does not send the
passport scans again."""

from __future__ import annotations

from datetime import timedelta

from tests.harness import World
from tests.test_review import STAFF_CHAT, ready_to_submit, staff_card

ALBUM = ("sendMediaGroup", "sendPhoto", "sendDocument")


async def test_a_failed_card_is_retried_alone(world: World) -> None:
    world.env["STAFF_CHAT_ID"] = str(STAFF_CHAT)
    await world.restart()
    anna = world.person()
    await ready_to_submit(world, anna)
    await anna.press("✍️ Подписать и отправить")
    await anna.press("Подписать и отправить")
    # Telegram refuses the card with an error the sender leaves for later (no waiting in the test)
    world.api.fail_next("sendMessage", status=420, description="FLOOD_WAIT", chat_id=STAFF_CHAT)
    await world.sweep()
    albums = [c for c in world.api.calls_to(*ALBUM) if c.ok and str(c.params.get("chat_id")) == str(STAFF_CHAT)]
    assert albums, "the scans went to the staff chat"
    assert not [m for m in world.api.messages_in(STAFF_CHAT) if "\nСтатус: " in m.get("text", "")]

    world.clock.advance(timedelta(minutes=30))
    await world.sweep()
    assert staff_card(world)  # the card arrived on the retry
    again = [c for c in world.api.calls_to(*ALBUM) if c.ok and str(c.params.get("chat_id")) == str(STAFF_CHAT)]
    assert len(again) == len(albums), "the scans were not sent a second time"
    world.clock.advance(timedelta(hours=1))
    assert await world.sweep() == 0
