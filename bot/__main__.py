"""`python -m bot`: load settings, build everything, poll Telegram (and serve the web pages) until stopped.

`python -m bot public-key` prints the public half of the book-signing key (PEM), creating the key on first use.
"""

from __future__ import annotations

import asyncio
import gc
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
    # What is built by now lives as long as the process (modules, aiogram's and pydantic's types, the translator):
    # out of the collector's sight, a full collection walks a few thousand objects instead of ~300 000 (~180 ms,
    # every user waiting; measured with bench/updates.py).
    gc.collect()
    gc.freeze()
    web_runner = None
    try:
        if settings.web_enabled:
            from bot.web import ShareLimits, create_web_app, start_web

            limits = ShareLimits(trusted_proxies=settings.TRUSTED_PROXIES,
                                 secure_cookies=settings.PUBLIC_BASE_URL.startswith("https://"))
            web_app = create_web_app(deps.services.book, deps.translator, deps.services.sharing, limits)
            web_runner = await start_web(web_app, settings.WEB_HOST, settings.WEB_PORT)
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
        if web_runner is not None:
            await web_runner.cleanup()
        await deps.close()


def print_public_key(settings: Settings) -> None:
    from domain.book import public_key_of, public_key_pem
    from storage.signing import load_or_create_signing_key

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = settings.BOOK_SIGNING_KEY.get_secret_value() if settings.BOOK_SIGNING_KEY else None
    print(public_key_pem(public_key_of(load_or_create_signing_key(text, settings.signing_key_file))), end="")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args not in ([], ["public-key"]):
        print("usage: python -m bot [public-key]", file=sys.stderr)
        return 2
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
        if args == ["public-key"]:
            print_public_key(settings)
            return 0
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    except (OperatorFileError, KeyFileError, ValueError, OSError) as exc:
        # Operator mistakes in files or keys: one clear message, no traceback.
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
