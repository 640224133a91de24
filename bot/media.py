"""Photo and scan checks off the event loop, and downloads from Telegram with the size limit first.

The checks (decoding a 12 MP photo, face detection, rendering a PDF page) run in a separate process, so
one person's photo never stalls another person's reply and a hostile file can at worst cost that worker
some milliseconds: the domain functions reject bombs at open. The pool is created once per process.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError

from domain.issues import Issue, error
from domain.media import TELEGRAM_DOWNLOAD_LIMIT
from domain.portrait import PortraitResult, check_portrait
from domain.scans import ScanResult, check_scan

log = logging.getLogger("emk.media")


def _warm_up() -> None:
    """Runs in each worker once: load the libraries and the face model before the first photo arrives."""
    import domain.portrait  # noqa: F401


def create_pool(workers: int = 1) -> ProcessPoolExecutor:
    # "spawn": a fresh interpreter, not a fork of a process that runs an event loop and threads.
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
    )


class MediaWorker:
    def __init__(self, executor: Executor | None = None, workers: int = 1) -> None:
        self._own = executor is None
        self.executor = executor or create_pool(workers)

    async def portrait(self, data: bytes) -> PortraitResult:
        return await asyncio.get_running_loop().run_in_executor(self.executor, check_portrait, data)

    async def scan(self, data: bytes, *, max_bytes: int, max_pages: int) -> ScanResult:
        job = functools.partial(check_scan, data, max_bytes=max_bytes, max_pages=max_pages)
        return await asyncio.get_running_loop().run_in_executor(self.executor, job)

    def close(self) -> None:
        if self._own:
            self.executor.shutdown(wait=False, cancel_futures=True)


async def download(bot: Bot, file_id: str, declared_size: int | None) -> bytes | Issue:
    """The file's bytes, or why they could not be had. Telegram's Bot API serves at most 20 MB:
    bigger files are refused before any download, with advice."""
    if declared_size is not None and declared_size > TELEGRAM_DOWNLOAD_LIMIT:
        return error("file-too-big-to-download", limit_mb=TELEGRAM_DOWNLOAD_LIMIT // (1024 * 1024))
    buffer = io.BytesIO()
    try:
        await bot.download(file_id, destination=buffer)
    except TelegramBadRequest as exc:
        if "too big" in exc.message:
            return error("file-too-big-to-download", limit_mb=TELEGRAM_DOWNLOAD_LIMIT // (1024 * 1024))
        log.warning("download failed: %s", type(exc).__name__)
        return error("file-download-failed")
    except (TelegramNetworkError, TelegramAPIError) as exc:
        log.warning("download failed: %s", type(exc).__name__)
        return error("file-download-failed")
    return buffer.getvalue()
