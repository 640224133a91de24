"""The share page in a real browser: Debian's headless Chromium driven by Selenium, against a real bot World
and the web app on 127.0.0.1. The employer sees the entries (full) or only the status, switches language,
confirms with a wrong and an invalid ИНН (a clear error, nothing changes) and then the right one (the holder's
chat gets the push, «Мои ссылки» says «Передана»); the page fits 390 px; revoked and expired links show no data.

Screenshots at 390 px and 1280 px go to tests/artifacts/ (git-ignored). Without chromium and chromedriver the
module is skipped, except under CI=true, where that is a failure (.ci/run installs them). Selenium is given
the driver and the browser, so Selenium Manager never tries to download anything. Selenium blocks: each call
runs in a thread, so the web server on this event loop keeps answering.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.web import create_web_app, start_web
from tests.fakes.botapi import FakeBotAPI
from tests.harness import World
from tests.test_sharing import OTHER_INN, RIGHT_INN, holder_with_book, revoked_and_expired, share_from_chat

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE, DESKTOP = 390, 1280
OPERATOR = "ООО «Медосмотр»"
T = TypeVar("T")


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.exists(path) or shutil.which(Path(path).name)):
            return f"{path} is not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, should anything reach it, stays offline
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={PHONE},844", "--lang=ru-RU", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ru-RU,ru"})  # as a Russian phone asks
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver") or CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(30)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield browser
    finally:
        browser.quit()


async def _run(fn: Callable[..., T], *args: Any) -> T:
    return await asyncio.to_thread(fn, *args)


class Page:
    """The browser, driven from the event loop that serves the page."""

    def __init__(self, driver: Any, base: str) -> None:
        self.driver, self.base = driver, base

    async def open(self, path: str) -> None:
        await _run(self.driver.get, self.base + path)

    async def text(self) -> str:
        return str(await _run(lambda: self.driver.find_element("tag name", "body").text))

    async def has(self, css: str) -> bool:
        return bool(await _run(lambda: self.driver.find_elements("css selector", css)))

    def _navigate(self, act: Callable[[], None]) -> None:
        """Do what loads a new page, and wait until it has replaced the old one."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.wait import WebDriverWait

        old = self.driver.find_element("tag name", "html")
        act()
        # While the next page replaces the old one, a script may find no document: asked again, not failed.
        # Asked every 50 ms: Selenium's default of 500 ms made each navigation wait half a second or more.
        wait = WebDriverWait(self.driver, 15, poll_frequency=0.05, ignored_exceptions=(WebDriverException,))
        wait.until(expected_conditions.staleness_of(old))
        wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    async def click(self, css: str) -> None:
        await _run(self._navigate, lambda: self.driver.find_element("css selector", css).click())

    async def confirm_with(self, typed: str) -> None:
        def fill() -> None:
            field = self.driver.find_element("id", "employer_id")
            field.clear()
            field.send_keys(typed)
            self.driver.find_element("id", "confirm").click()
        await _run(self._navigate, fill)

    async def width(self, px: int) -> None:
        await _run(self.driver.set_window_size, px, 844)

    async def scroll_width(self) -> int:
        return int(await _run(self.driver.execute_script, "return document.documentElement.scrollWidth"))

    async def shot(self, name: str, *, whole: bool = False, show: str | None = None) -> None:
        """A screenshot of the window (`show`: scrolled to that element first), or of the `whole` page."""
        def take() -> None:
            if show:
                self.driver.execute_script("arguments[0].scrollIntoView()",
                                           self.driver.find_element("css selector", show))
            if whole:
                width = self.driver.get_window_size()["width"]
                for _ in range(2):  # the window's frame takes some height: measure again once resized
                    height = self.driver.execute_script("return document.documentElement.scrollHeight")
                    inner = self.driver.execute_script("return window.innerHeight")
                    outer = self.driver.get_window_size()["height"]
                    self.driver.set_window_size(width, max(844, int(height) + int(outer) - int(inner)))
                self.driver.save_screenshot(str(ARTIFACTS / name))
                self.driver.set_window_size(width, 844)
            else:
                self.driver.save_screenshot(str(ARTIFACTS / name))
        await _run(take)


@pytest.fixture
async def world(api: FakeBotAPI, tmp_path: Path) -> AsyncIterator[World]:
    """The usual World, with the operator's name the page shows as the issuing organisation."""
    w = World(api=api, data_dir=tmp_path / "data", env={"OPERATOR_NAME": OPERATOR})
    await w.start()
    try:
        yield w
    finally:
        await w.stop()


@pytest.fixture
async def page(world: World, driver: Any) -> Any:
    assert world.deps is not None
    app = create_web_app(world.deps.services.book, world.deps.translator, world.deps.services.sharing)
    runner = await start_web(app, "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    await _run(driver.delete_all_cookies)
    await _run(driver.set_window_size, PHONE, 844)
    try:
        yield Page(driver, f"http://{host}:{port}")
    finally:
        await runner.cleanup()


async def test_full_level_language_switch_and_confirmation(world: World, page: Page) -> None:
    assert world.deps is not None
    anna, issued = await holder_with_book(world)
    token = await share_from_chat(anna)

    await page.open(f"/s/{token}")
    text = await page.text()
    assert "Подпись верна" in text and "Иванова Анна Петровна" in text and issued.book.number in text
    assert "Сифилис (RW)" in text and "Корь" in text and await page.has("img[src^='data:image/jpeg']")
    assert f"Выдала организация\n{OPERATOR}" in text
    assert await page.scroll_width() <= PHONE
    await page.shot("share-full-390.png")
    await page.shot("share-full-390-whole.png", whole=True)
    await page.width(DESKTOP)
    await page.shot("share-full-1280.png", whole=True)
    await page.width(PHONE)

    await page.click("#lang")
    text = await page.text()
    assert "Signature valid" in text and "Confirm receipt" in text and "Подпись" not in text
    await page.click("#lang")
    assert "Подпись верна" in await page.text()

    await page.confirm_with("12345")
    text = await page.text()
    assert "ИНН — это 10 или 12 цифр" in text and await page.has("#error")
    await page.confirm_with(OTHER_INN)
    assert "не совпадает с тем, который указал владелец" in await page.text()
    assert await page.scroll_width() <= PHONE
    await page.shot("share-error-390.png", show="#receipt")
    sharing = world.deps.services.sharing
    assert [line.state.value for line in await sharing.list_for(anna.user.id)] == ["opened"]
    assert await world.sweep() == 0  # nothing changed: no push

    await page.confirm_with(RIGHT_INN)
    assert "Получение подтверждено" in await page.text() and not await page.has("form")
    await page.shot("share-confirmed-390.png")
    assert await world.sweep() == 1
    push = world.api.last_message_sent_to(anna.chat_id)
    assert push is not None and "ООО Ромашка (ИНН 7707083893) подтвердил получение" in push["text"]
    await anna.press("🔗 Мои ссылки")
    assert "Состояние: Передана" in anna.last

    await page.open(f"/s/{token}")  # opened again later: still readable, already confirmed
    assert "Получение подтверждено" in await page.text()


async def test_status_level_shows_only_the_status_and_fits_a_phone(world: World, page: Page) -> None:
    anna, issued = await holder_with_book(world)
    token = await share_from_chat(anna, level="Только статус", name=None)
    await page.open(f"/s/{token}?lang=en")
    text = await page.text()
    assert "Signature valid" in text and "Иванова А. П." in text and issued.book.number in text
    assert "Access: status only" in text and "Valid until" in text
    assert "Анна" not in text and "Сифилис" not in text and not await page.has("img")
    assert await page.scroll_width() <= PHONE
    await page.shot("share-status-390.png")
    await page.width(DESKTOP)
    await page.shot("share-status-1280.png")


async def test_revoked_and_expired_links_show_no_data(world: World, page: Page) -> None:
    issued, revoked, expiring = await revoked_and_expired(world)
    for token in (revoked, expiring):
        await page.open(f"/s/{token}")
        text = await page.text()
        assert "Ссылка недействительна" in text
        assert "Иванова" not in text and issued.book.number not in text and not await page.has("form, img")
    assert await page.scroll_width() <= PHONE
    await page.shot("share-gone-390.png")
