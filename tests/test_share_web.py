"""The share page without a browser (aiohttp test client): what each level shows, guessing tokens gets 404s and
then 429s, the form without its CSRF token is refused, the headers are on every page, a revoked, expired or
unknown link gives one and the same page with no data, X-Forwarded-For only from a trusted proxy."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web import CSRF_COOKIE, ShareLimits, client_address, create_web_app
from domain.ratelimit import TokenBucket
from domain.sharing import new_token
from tests.harness import World
from tests.test_sharing import OTHER_INN, RIGHT_INN, holder_with_book, revoked_and_expired, share_from_chat

PAGE_HEADERS = {
    "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def _visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert match is not None
    return match.group(1)


def _limits(**buckets: TokenBucket) -> ShareLimits:
    return ShareLimits(now=lambda: 0.0, **buckets)  # type: ignore[arg-type]  # time stands still: no refill


async def _client(world: World, limits: ShareLimits | None = None) -> TestClient:
    assert world.deps is not None
    app = create_web_app(world.deps.services.book, world.deps.translator, world.deps.services.sharing,
                         limits or _limits())
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(world: World) -> AsyncIterator[TestClient]:
    c = await _client(world)
    try:
        yield c
    finally:
        await c.close()


def _assert_headers(resp: object, share: bool = True) -> None:
    headers = resp.headers  # type: ignore[attr-defined]
    for name, value in PAGE_HEADERS.items():
        assert headers[name] == value, name
    assert headers["X-Robots-Tag"].startswith("noindex")
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert ("form-action 'self'" if share else "form-action 'none'") in csp


async def test_full_and_status_pages_show_what_their_level_allows(world: World, client: TestClient) -> None:
    anna, issued = await holder_with_book(world)
    full = await share_from_chat(anna)
    status = await share_from_chat(anna, level="Только статус")

    resp = await client.get(f"/s/{full}", headers={"Accept-Language": "ru"})
    assert resp.status == 200
    _assert_headers(resp)
    html = await resp.text()
    assert '<meta name="robots" content="noindex' in html
    assert re.search(r"(src|href|action)=\"(https?:)?//", html) is None, "no external resources"
    text = _visible(html)
    assert "Подпись верна" in text and "Иванова Анна Петровна" in text and issued.book.number in text
    assert "Дата рождения: 01.02.1990" in text and "Сифилис (RW)" in text and "Корь" in text
    assert "data:image/jpeg;base64," in html and "Подтвердить получение" in text

    resp = await client.get(f"/s/{status}?lang=en")
    html = await resp.text()
    text = _visible(html)
    assert resp.status == 200 and resp.headers["Content-Language"] == "en"
    assert "Signature valid" in text and "Иванова А. П." in text and "Access: status only" in text
    assert "Valid until 10.02.2027" in text or "Valid until 2027-02-10" in text
    # nothing of the entries, no photo, no first name, no birth date
    assert "Анна" not in text and "1990" not in text and "Корь" not in text and "data:image" not in html


async def test_guessing_tokens_gets_404s_then_429s(world: World) -> None:
    client = await _client(world, _limits(page_per_address=TokenBucket(5, 0.5)))
    try:
        statuses = [(await client.get(f"/s/{new_token()}")).status for _ in range(8)]
        assert statuses == [404] * 5 + [429] * 3
        resp = await client.get(f"/s/{new_token()}")
        assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1
        _assert_headers(resp)
        assert "Слишком много запросов" in _visible(await resp.text())
        assert (await client.get("/s/../b/x")).status in (404, 429)
    finally:
        await client.close()


async def test_one_token_is_limited_whatever_the_address(world: World) -> None:
    anna, _ = await holder_with_book(world)
    token = await share_from_chat(anna)
    limits = _limits(page_per_token=TokenBucket(3, 0.01))
    limits.trusted_proxies = [ipaddress.ip_network("127.0.0.0/8")]
    client = await _client(world, limits)
    try:
        statuses = [(await client.get(f"/s/{token}", headers={"X-Forwarded-For": f"203.0.113.{n}"})).status
                    for n in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
    finally:
        await client.close()


async def test_forwarded_for_counts_only_from_a_trusted_proxy(world: World) -> None:
    for trusted, expected in (([], [404, 404, 429, 429]), (["127.0.0.1"], [404] * 4)):
        limits = _limits(page_per_address=TokenBucket(2, 0.01))
        limits.trusted_proxies = [ipaddress.ip_network(n) for n in trusted]
        client = await _client(world, limits)
        try:
            statuses = [(await client.get(f"/s/{new_token()}", headers={"X-Forwarded-For": f"198.51.100.{n}"})).status
                        for n in range(4)]
            assert statuses == expected, trusted
        finally:
            await client.close()
    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    assert client_address("10.0.0.2", "1.2.3.4, 5.6.7.8, 10.0.0.9", proxies) == "5.6.7.8"
    assert client_address("10.0.0.2", "garbage", proxies) == "garbage"
    assert client_address("192.0.2.1", "1.2.3.4", proxies) == "192.0.2.1"  # not a proxy: its word is ignored
    assert client_address("10.0.0.2", None, proxies) == "10.0.0.2"


async def test_the_form_needs_its_csrf_token_and_the_named_inn(world: World, client: TestClient) -> None:
    assert world.deps is not None
    anna, _ = await holder_with_book(world)
    token = await share_from_chat(anna)
    sharing = world.deps.services.sharing

    resp = await client.post(f"/s/{token}/confirm", data={"employer_id": RIGHT_INN})
    assert resp.status == 403
    _assert_headers(resp)
    assert "Форма устарела" in _visible(await resp.text())
    page = await client.get(f"/s/{token}")
    csrf = _csrf(await page.text())
    assert CSRF_COOKIE in {c.key for c in client.session.cookie_jar}
    resp = await client.post(f"/s/{token}/confirm", data={"employer_id": RIGHT_INN, "csrf": "0" * 64})
    assert resp.status == 403
    other = await _client(world)  # another browser: the page's token without its cookie
    try:
        resp = await other.post(f"/s/{token}/confirm", data={"employer_id": RIGHT_INN, "csrf": csrf})
        assert resp.status == 403
    finally:
        await other.close()
    [line] = await sharing.list_for(anna.user.id)
    assert line.state.value == "opened"

    resp = await client.post(f"/s/{token}/confirm", data={"employer_id": OTHER_INN, "csrf": csrf})
    assert resp.status == 422 and "не совпадает" in _visible(await resp.text())
    resp = await client.post(f"/s/{token}/confirm", data={"employer_id": "123", "csrf": csrf})
    text = _visible(await resp.text())
    assert resp.status == 422 and "вы ввели 3 цифры" in text and 'value="123"' in await resp.text()
    assert (await sharing.list_for(anna.user.id))[0].state.value == "opened" and await world.sweep() == 0

    resp = await client.post(f"/s/{token}/confirm?lang=en", data={"employer_id": RIGHT_INN, "csrf": csrf})
    assert resp.status == 200 and "Receipt confirmed" in _visible(await resp.text())
    _assert_headers(resp)
    assert (await sharing.list_for(anna.user.id))[0].state.value == "delivered"
    assert await world.sweep() == 1


async def test_revoked_expired_and_unknown_links_look_the_same_and_show_nothing(
    world: World, client: TestClient
) -> None:
    issued, revoked, expiring = await revoked_and_expired(world)
    bodies = set()
    for token in (revoked, expiring, new_token(), "short"):
        resp = await client.get(f"/s/{token}")
        assert resp.status == 404
        _assert_headers(resp)
        html = await resp.text()
        assert "Иванова" not in html and issued.book.number not in html and "data:image" not in html
        assert "Ссылка недействительна" in _visible(html)
        bodies.add(html)
        resp = await client.post(f"/s/{token}/confirm", data={"employer_id": RIGHT_INN})
        assert resp.status == 403  # no form token: refused before anything is looked up
    assert len(bodies) == 1


async def test_every_page_carries_the_headers(world: World, client: TestClient) -> None:
    _, issued = await holder_with_book(world)
    for path in (f"/b/{issued.book.check_id}", "/b/" + "x" * 22, "/public-key", "/healthz", "/nowhere"):
        resp = await client.get(path)
        _assert_headers(resp, share=False)


async def test_the_form_is_rate_limited_per_link(world: World) -> None:
    assert world.deps is not None
    anna, _ = await holder_with_book(world)
    token = await share_from_chat(anna)
    client = await _client(world, _limits(form_per_token=TokenBucket(3, 0.01)))
    try:
        csrf = _csrf(await (await client.get(f"/s/{token}")).text())
        statuses = [(await client.post(f"/s/{token}/confirm", data={"employer_id": OTHER_INN, "csrf": csrf})).status
                    for _ in range(4)]
        assert statuses == [422, 422, 422, 429]
        resp = await client.post(f"/s/{token}/confirm", data={"employer_id": RIGHT_INN, "csrf": csrf})
        assert resp.status == 429  # the right one too, until the bucket refills: nothing changed
        assert (await world.deps.services.sharing.list_for(anna.user.id))[0].state.value == "opened"
    finally:
        await client.close()


async def test_after_the_holder_erases_their_data_the_link_shows_nothing(world: World, client: TestClient) -> None:
    anna, issued = await holder_with_book(world)
    token = await share_from_chat(anna)
    resp = await client.get(f"/s/{token}")
    assert resp.status == 200 and issued.book.number in await resp.text()

    await anna.command("start")
    await anna.press("🔐 Мои данные")
    await anna.press("🗑 Удалить мои данные")
    assert "Ссылки для работодателей: 1" in anna.last, anna.last
    await anna.press("Удалить безвозвратно")
    assert anna.last.startswith("✅ Ваши данные удалены"), anna.last

    resp = await client.get(f"/s/{token}")  # the book's record is kept by law, the link is not
    assert resp.status == 404
    html = await resp.text()
    assert "Ссылка недействительна" in _visible(html)
    assert "Иванова" not in html and issued.book.number not in html and "data:image" not in html
    assert world.deps is not None and await world.deps.services.sharing.list_for(anna.user.id) == []
