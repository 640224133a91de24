"""The real thing: `python -m bot` as a process, long-polling the fake Bot API on 127.0.0.1.

It answers /start, survives kill -9 in the middle of the consent step (the person goes on where they
were), and stops cleanly on SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

from tests.fakes.botapi import FakeBotAPI
from tests.fakes.updates import TgUser, UpdateFactory
from tests.harness import OPERATOR_ENV

ROOT = Path(__file__).resolve().parent.parent


async def start_bot(api: FakeBotAPI, tmp: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "DATA_", "STAFF_"))}
    env.update({
        "BOT_TOKEN": api.token, "BOT_API_URL": api.base_url, "DATA_DIR": str(tmp / "data"),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'data' / 'emk.db'}", "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING", **OPERATOR_ENV,
    })
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def wait_for(api: FakeBotAPI, chat_id: int, predicate: Any) -> dict[str, Any]:
    """The bot's message to the chat that matches, waiting up to a minute (the process starts slowly)."""
    async with asyncio.timeout(60):
        while True:
            for message in api.sent_messages(chat_id):
                if predicate(message.get("text", "")):
                    return message
            await asyncio.sleep(0.05)


async def test_python_m_bot_answers_survives_kill_9_and_stops_on_sigterm(tmp_path: Path) -> None:
    async with FakeBotAPI() as api:
        anna = TgUser(id=5551234, first_name="Анна", language_code="ru")
        updates = UpdateFactory(message_ids=api.next_message_id)
        bot = await start_bot(api, tmp_path)
        try:
            api.push_update(updates.text(anna, "/start"))
            consent = await wait_for(api, anna.id, lambda t: t.startswith("Согласие на обработку"))
            assert api.calls_to("setMyCommands"), "the command menu is set at start-up"
            assert api.calls_to("deleteWebhook")
            bot.kill()  # kill -9 in the middle of the consent step
            await bot.wait()

            bot = await start_bot(api, tmp_path)
            api.push_update(updates.click(anna, consent, text="Согласен"))
            await wait_for(api, anna.id, lambda t: t.startswith("Главное меню"))
            api.push_update(updates.text(anna, "привет"))
            await wait_for(api, anna.id, lambda t: t.startswith("Я понимаю кнопки меню"))

            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 30)
            _, stderr = await bot.communicate()
            assert code == 0, stderr.decode()
            assert b"Traceback" not in stderr
        finally:
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
