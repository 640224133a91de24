"""Issue 15, the operator's kit: the operator named in the consent text, /myid, backup and restore, `check`,
errors reported to the staff chat."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import StartupError
from tests.fakes.botapi import FakeBotAPI
from tests.harness import OPERATOR_ENV, World, plain


async def test_consent_names_the_operator_with_address_and_contact(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    consent = anna.last
    for value in OPERATOR_ENV.values():
        assert value in consent


@pytest.mark.parametrize("missing", ["OPERATOR_NAME", "OPERATOR_ADDRESS", "OPERATOR_CONTACT"])
async def test_the_bot_refuses_to_start_without_the_operator(api: FakeBotAPI, tmp_path: Path, missing: str) -> None:
    world = World(api=api, data_dir=tmp_path / "data", env={missing: "  "})
    with pytest.raises(StartupError) as caught:
        await world.start()
    assert str(caught.value).startswith(f"{missing} is missing: ")
    assert len(str(caught.value).splitlines()) == 1
    await world.stop()


async def test_myid_in_private_and_in_a_group(world: World) -> None:
    anna = world.person(user_id=5550123)
    said = await anna.command("myid")  # no consent needed: an administrator asks before anything else
    assert len(said) == 1 and "5550123" in said[0] and "STAFF_IDS" in said[0] and "STAFF_CHAT_ID" not in said[0]
    assert world.updates is not None
    mark = len(world.api.calls)
    await world.feed(world.updates.command(anna.user, "myid", chat_id=-1001234567890))
    sent = [c for c in world.api.calls[mark:] if c.method == "sendMessage"]
    assert len(sent) == 1 and str(sent[0].params["chat_id"]) == "-1001234567890"
    text = plain(str(sent[0].params["text"]))
    assert "5550123" in text and "-1001234567890" in text and "STAFF_CHAT_ID" in text
