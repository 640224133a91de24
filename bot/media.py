"""Photo and scan checks off the event loop, and downloads from Telegram with the size limit first.

The checks (decoding a 12 MP photo, face detection, rendering a PDF page) run in separate processes, so
one person's photo never stalls another person's reply. The domain functions refuse bombs at open, but
some files are slow by construction (a PDF of nested forms costs PDFium exponential time), so every
check also has a time budget: pebble's process pool kills a worker that runs past it and starts a new
one, and the file is refused as too complex. One person has at most a few checks in flight, so nobody
fills the queue for everyone else. Workers ignore SIGINT (Ctrl-C in a terminal reaches the whole process
group): the bot shuts the pool down itself.
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import multiprocessing
import signal
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

from pebble import ProcessExpired, ProcessPool

from domain.issues import Issue, error
from domain.media import TELEGRAM_DOWNLOAD_LIMIT, sha256_hex, sniff
from domain.portrait import PortraitResult, check_portrait
from domain.qr import read_qr
from domain.scans import ScanResult, check_scan

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger("emk.media")

T = TypeVar("T")

#: Seconds a single check may run in a worker before it is killed (settings: MEDIA_CHECK_SECONDS).
DEFAULT_BUDGET = 15.0
#: Checks one person may have queued or running at once; the next one is answered "wait".
CHECKS_PER_PERSON = 2


def _init_worker() -> None:
    """Runs in each worker once, replacements included: Ctrl-C is the parent's business (pebble's
    workers ignore SIGINT already; said here too so it does not hang on a library detail), and the
    libraries and the face model are loaded before the first photo arrives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # pebble stops a worker past its budget with SIGTERM, and its own handler for it is Python code, which
    # cannot run while the worker is inside PDFium or OpenCV: pebble then waited 3 s more and sent SIGKILL.
    # The default action ends the process at once; a worker holds nothing that needs cleaning up.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # pypdf reports each quirk of a malformed PDF as a warning record; the worker has no log set-up,
    # so they would go to stderr. What matters is the check's result.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    import domain.portrait
    import domain.scans  # noqa: F401


class MediaPool:
    """Worker processes whose tasks have a timeout: pebble kills a worker past it and starts another."""

    def __init__(self, workers: int = 1) -> None:
        # "spawn": a fresh interpreter, not a fork of a process that runs an event loop and threads.
        self._pool = ProcessPool(
            max_workers=workers, initializer=_init_worker, context=multiprocessing.get_context("spawn")
        )

    def schedule(self, fn: Callable[..., T], timeout: float) -> Future[T]:
        return self._pool.schedule(fn, timeout=timeout)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Stop the workers (cancel_futures or not wait: at once, a running check is killed)."""
        if cancel_futures or not wait:
            self._pool.stop()
        else:
            self._pool.close()
        self._pool.join(timeout=10)


def create_pool(workers: int = 1) -> MediaPool:
    return MediaPool(workers)


class MediaWorker:
    """The checks as coroutines. `owner` (a Telegram user id) bounds how many checks one person has in
    flight; a check that is refused for time or load comes back as an ordinary result with one error."""

    def __init__(
        self, executor: MediaPool | None = None, workers: int = 1, *,
        budget: float = DEFAULT_BUDGET, per_person: int = CHECKS_PER_PERSON,
    ) -> None:
        self._own = executor is None
        self.executor = executor or create_pool(workers)
        self.budget = budget
        self.per_person = per_person
        self._in_flight: Counter[int] = Counter()

    async def portrait(self, data: bytes, *, owner: int | None = None) -> PortraitResult:
        outcome = await self._run(functools.partial(check_portrait, data), owner)
        if isinstance(outcome, Issue):
            return PortraitResult((outcome,), None, 0, 0, 0)
        return outcome

    async def scan(self, data: bytes, *, max_bytes: int, max_pages: int, owner: int | None = None) -> ScanResult:
        job = functools.partial(check_scan, data, max_bytes=max_bytes, max_pages=max_pages)
        outcome = await self._run(job, owner)
        if isinstance(outcome, Issue):
            return ScanResult((outcome,), sniff(data), len(data), sha256_hex(data), 0, 0, 0, None)
        return outcome

    async def qr(self, data: bytes, *, owner: int | None = None) -> str | None:
        """The text of the QR code in a picture (None: none found, or the check was refused)."""
        outcome = await self._run(functools.partial(read_qr, data), owner)
        return None if isinstance(outcome, Issue) else outcome

    async def _run(self, job: Callable[[], T], owner: int | None) -> T | Issue:
        if owner is not None and self._in_flight[owner] >= self.per_person:
            return error("file-check-busy")
        if owner is not None:
            self._in_flight[owner] += 1
        try:
            return await asyncio.wrap_future(self.executor.schedule(job, timeout=self.budget))
        except TimeoutError:
            log.warning("media check ran past its %g s budget: worker killed and replaced", self.budget)
            return error("file-too-complex")
        except ProcessExpired as exc:  # the worker died (a crash in a decoder, out of memory)
            log.warning("media worker died during a check (exit code %s)", exc.exitcode)
            return error("file-damaged")
        finally:
            if owner is not None:
                self._in_flight[owner] -= 1
                if self._in_flight[owner] <= 0:
                    del self._in_flight[owner]

    def close(self) -> None:
        if self._own:
            self.executor.shutdown(wait=False, cancel_futures=True)


async def download(bot: Bot, file_id: str, declared_size: int | None) -> bytes | Issue:
    """The file's bytes, or why they could not be had. Telegram's Bot API serves at most 20 MB:
    bigger files are refused before any download, with advice."""
    # Imported here, not at the top: a spawned worker imports this module (for _init_worker) and must not
    # pay `import aiogram` (~5 s of CPU, every Bot API type's schema) before its first check.
    from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramNetworkError

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
