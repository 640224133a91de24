"""A person blocks the bot and comes back: Telegram's my_chat_member updates keep `users.blocked_at` true to life,
and the one sender stops and resumes with it.

Needs `blocking.router` in `handlers.ORDER` (before `fallback.router`).
"""

from __future__ import annotations

from bot.notifier import Notifier, SendStatus
from tests.harness import World


async def no_sleep(_: float) -> None:
    return None


async def test_blocking_marks_the_person_and_coming_back_clears_it(world: World) -> None:
    assert world.deps is not None and world.updates is not None
    anna = world.person()
    await anna.command("start")

    mark = len(world.api.calls)
    await world.feed(world.updates.my_chat_member(anna.user, old="member", new="kicked"))
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and user.blocked_at == world.clock.now()
    assert len(world.api.calls) == mark  # nothing is said to a chat that was just blocked

    await world.restart()  # it is stored, not remembered
    assert world.deps is not None and world.bot is not None and world.updates is not None
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and user.blocked_at is not None

    notifier = Notifier(world.bot, world.deps.users, clock=world.clock, sleep=no_sleep)
    mark = len(world.api.calls)
    assert (await notifier.send(anna.chat_id, "push")).status is SendStatus.BLOCKED
    assert len(world.api.calls) == mark  # Telegram is not asked

    await world.feed(world.updates.my_chat_member(anna.user, old="kicked", new="member"))
    user = await world.deps.users.get(anna.user.id)
    assert user is not None and user.blocked_at is None
    assert (await notifier.send(anna.chat_id, "push")).ok


async def test_someone_who_never_wrote_can_block_the_bot(world: World) -> None:
    assert world.deps is not None and world.updates is not None
    boris = world.person(user_id=5550077, first_name="Борис")
    await world.feed(world.updates.my_chat_member(boris.user, old="member", new="kicked"))
    user = await world.deps.users.get(boris.user.id)
    assert user is not None and user.blocked_at is not None


async def test_polling_asks_telegram_for_block_events(world: World) -> None:
    assert world.dp is not None
    assert "my_chat_member" in world.dp.resolve_used_update_types()
