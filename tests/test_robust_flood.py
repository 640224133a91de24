"""Someone who floods the bot: one hint per unexpected message at most, a per-person throttle, and direct
replies that wait out Telegram's flood control instead of failing with a traceback."""

from __future__ import annotations

from bot.middlewares import HintThrottle
from tests.harness import World


def test_the_throttle_refills_and_forgets() -> None:
    now = [0.0]
    throttle = HintThrottle(burst=2, interval=5.0, max_people=2, monotonic=lambda: now[0])
    assert [throttle.allow(1) for _ in range(4)] == [True, True, False, False]
    now[0] = 4.9
    assert not throttle.allow(1)
    now[0] = 10.0
    assert throttle.allow(1) and throttle.allow(1) and not throttle.allow(1)  # refilled to the burst, no more
    assert throttle.allow(2) and throttle.allow(3)  # a third person: the least recently seen is forgotten
    assert len(throttle.buckets) <= 2


async def test_two_hundred_stickers_get_a_bounded_number_of_replies(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    world.api.flood_control(per_chat_per_second=1.0, chat_burst=10)
    mark = len(world.api.calls)
    for _ in range(200):
        await anna.send_update(anna.updates.sticker(anna.user))  # the harness fails on any logged error
        assert len(anna.replies) <= 1  # one message per unexpected message at most
    sent = [c for c in world.api.calls[mark:] if c.method == "sendMessage"]
    assert 1 <= len(sent) <= 10, len(sent)
    assert all(c.ok for c in sent)
    # someone else is not throttled by her
    boris = world.person(user_id=5550002, first_name="Борис")
    await boris.send_update(boris.updates.sticker(boris.user))
    assert len(boris.replies) == 1 and boris.last.startswith("Я понимаю кнопки меню")


async def test_the_idle_hint_is_one_message_with_the_menu(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    await anna.send_update(anna.updates.sticker(anna.user))
    assert len(anna.replies) == 1
    assert anna.last.startswith("Я понимаю кнопки меню") and "Главное меню" in anna.last
    assert "Помощь" in anna.buttons()


async def test_a_reply_that_meets_a_429_is_delivered_after_the_wait(world: World) -> None:
    anna = world.person()
    world.api.fail_next("sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1)
    await anna.command("start")  # the harness fails on any logged error
    assert anna.replies, "the reply was delivered after the wait"
    statuses = [c.status for c in world.api.calls_to("sendMessage")]
    assert statuses[:2] == [429, 200]


async def test_a_gateway_page_on_a_reply_is_retried(world: World) -> None:
    anna = world.person()
    world.api.fail_next("sendMessage", status=502, description="", raw_body="<html><h1>502 Bad Gateway</h1></html>")
    await anna.command("start")
    assert anna.replies
    assert [c.status for c in world.api.calls_to("sendMessage")][:2] == [502, 200]
