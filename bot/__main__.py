"""`python -m bot`: load settings, build everything, poll Telegram until stopped."""

from __future__ import annotations

import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.config import Settings, format_settings_error

log = logging.getLogger("emk")


async def run(settings: Settings) -> None:
    from bot.factory import create_bot, create_deps, create_dispatcher

    deps = await create_deps(settings)
    bot = create_bot(settings)
    dp = create_dispatcher(deps)
    try:
        me = await bot.get_me()
        log.info("bot @%s (id %s) starting long polling via %s", me.username, me.id, settings.BOT_API_URL)
        await bot.delete_webhook(drop_pending_updates=False)
        await dp.start_polling(
            bot,
            allowed_updates=dp.resolve_used_update_types(),
            tasks_concurrency_limit=settings.POLLING_CONCURRENCY,
            close_bot_session=True,
        )
    finally:
        await deps.close()


def main() -> int:
    try:
        settings = Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        print(format_settings_error(exc), file=sys.stderr)
        return 2
    from bot.logging_setup import setup_logging

    setup_logging(settings.LOG_LEVEL)
    from bot.operator_files import OperatorFileError
    from storage.crypto import KeyFileError

    try:
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    except (OperatorFileError, KeyFileError, ValueError) as exc:
        # Operator mistakes in files or keys: one clear message, no traceback.
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
