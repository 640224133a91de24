"""`python -m bot`: load settings, build everything, poll Telegram (and serve the web pages) until stopped.

`python -m bot public-key` prints the public half of the book-signing key (PEM), creating the key on first use.
`python -m bot check` validates .env, the operator's files, the database and the keys without starting the bot.
`python -m bot backup DEST` / `python -m bot restore SRC [--with-keys | --keys-from DIR]`: see bot/backup.py.
Every operator mistake ends with exit code 2 and one line per problem on stderr, the same lines as at start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings, format_settings_error

log = logging.getLogger("emk")


async def run(settings: Settings) -> None:
    from bot.opening import open_storage

    opened = await open_storage(settings)  # an operator's mistake ends here, before aiogram is even imported
    from bot.factory import create_bot, create_deps, create_dispatcher
    from bot.runtime import settle

    deps = await create_deps(settings, opened=opened)
    bot = create_bot(settings)
    dp = create_dispatcher(deps)
    settle()  # the collector and the GIL's switch interval, for a long-running bot (bot/runtime.py)
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="EMK bot; without a command: run the bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("public-key", help="print the public half of the book-signing key (PEM)")
    commands.add_parser("check", help="validate .env, the policy and clinics files, the database and the keys")
    backup = commands.add_parser("backup", help="copy the live database, the stored files and the keys to DEST")
    backup.add_argument("dest", type=Path, metavar="DEST", help="a new (or empty) folder")
    restore = commands.add_parser("restore", help="restore a backup into an empty data folder")
    restore.add_argument("src", type=Path, metavar="SRC", help="a folder made by `backup`")
    restore.add_argument("--with-keys", action="store_true", help="restore the keys too, from SRC/keys")
    restore.add_argument("--keys-from", type=Path, metavar="DIR", help="restore the keys from DIR")
    return parser


def _command(args: argparse.Namespace, settings: Settings) -> int:
    """The operator's sub-commands; their reports on stdout, warnings on stderr."""
    if args.command == "public-key":
        print_public_key(settings)
        return 0
    if args.command == "check":
        from bot.preflight import check

        return check(settings)
    from bot import backup

    if args.command == "backup":
        report = backup.backup(settings, args.dest)
    else:
        report = backup.restore(settings, args.src, with_keys=args.with_keys, keys_from=args.keys_from)
    for line in report.lines:
        print(line)
    for line in report.warnings:
        print(line, file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # a usage error (code 2) or --help (code 0), already printed
        return int(exc.code or 0)
    try:
        settings = Settings()  # type: ignore[call-arg]
    except ValidationError as exc:
        print(format_settings_error(exc), file=sys.stderr)
        return 2
    from bot.logging_setup import setup_logging

    setup_logging(settings.LOG_LEVEL)
    from bot.preflight import OPERATOR_MISTAKES

    try:
        if args.command is not None:
            return _command(args, settings)
        asyncio.run(run(settings))
    except KeyboardInterrupt:
        pass
    except OPERATOR_MISTAKES as exc:
        # Operator mistakes in settings, files or keys (StartupError is a ValueError): one message, no traceback.
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
