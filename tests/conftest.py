from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.fakes.botapi import FakeBotAPI
from tests.harness import World


@pytest.fixture(autouse=True, scope="session")
def one_tls_context() -> Iterator[None]:
    """aiogram's AiohttpSession loads certifi's CA bundle into a new SSL context for every Bot: ~27 ms of CPU,
    a fifth of starting a World, hundreds of times a run. The fake Bot API is plain HTTP on 127.0.0.1, and an
    SSLContext serves any number of connections, so the tests' Bots share one context per set of arguments."""
    import aiogram.client.session.aiohttp as session_module

    contexts: dict[str, ssl.SSLContext] = {}

    def shared(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        key = repr((args, sorted(kwargs.items())))
        if key not in contexts:
            contexts[key] = ssl.create_default_context(*args, **kwargs)
        return contexts[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(session_module, "ssl", SimpleNamespace(create_default_context=shared))
        yield


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def world(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[World]:
    w = World(api=api, data_dir=tmp_path / "data")
    await w.start()
    try:
        yield w
    finally:
        await w.stop()
