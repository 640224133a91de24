"""The book's use case and the web server: issue → check page (valid / revoked / not found / tampered),
the public key, the health check; noindex, no external resources, nothing personal beyond what is listed."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from PIL import Image
from sqlalchemy import update

from bot.web import create_web_app
from domain.book import CheckOutcome, book_canonical
from services.book import Holder, IssuedBook
from storage.books import books, row_name
from storage.db import transaction
from tests.domain.book_samples import adult_book, child_book
from tests.harness import World

OWNER = 5550001


async def _photo_upload(world: World) -> int:
    assert world.deps is not None
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 180, 160)).save(out, format="JPEG")
    data = out.getvalue()
    name = await world.deps.files.put(data)
    upload = await world.deps.uploads.add(
        owner_id=OWNER, profile_id=None, kind="photo", sha256=hashlib.sha256(data).hexdigest(),
        detected_type="jpeg", size=len(data), storage_name=name, width=600, height=800,
    )
    return upload.id


async def _issue(world: World, *, child: bool = False, photo: bool = True) -> IssuedBook:
    assert world.deps is not None
    await world.deps.users.get_or_create(OWNER)
    sample = child_book() if child else adult_book()
    holder = Holder(OWNER, None, sample.surname, sample.name, sample.patronymic, sample.birth_date,
                    photo_upload_id=await _photo_upload(world) if photo else None)
    return await world.deps.services.book.issue(holder, list(sample.entries), list(sample.required),
                                                operator="Петрова О. И.")


@pytest.fixture
async def client(world: World) -> AsyncIterator[TestClient]:
    assert world.deps is not None
    app = create_web_app(world.deps.services.book, world.deps.translator)
    async with TestClient(TestServer(app)) as c:
        yield c


def _visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_issue_signs_numbers_and_checks(world: World) -> None:
    assert world.deps is not None
    service = world.deps.services.book
    first = await _issue(world)
    second = await _issue(world, child=True, photo=False)
    assert first.book.number == "К-2026-000001" and second.book.number == "К-2026-000002"
    assert len(first.book.check_id) >= 22 and first.book.check_id != second.book.check_id
    assert first.book.photo_sha256 and second.book.photo_sha256 is None
    check, photo_id = await service.check_by_check_id(first.book.check_id)
    assert check.outcome is CheckOutcome.VALID and photo_id == first.photo_upload_id
    assert check.book == first.book
    by_number = await service.check_by_number("к 2026 2")
    assert by_number.outcome is CheckOutcome.VALID and by_number.book == second.book
    assert by_number.missing == ("attestation",) and not by_number.complete
    assert (await service.check_by_number("К-2026-000099")).outcome is CheckOutcome.NOT_FOUND
    assert [s.number for s, _ in await service.books_of(OWNER)] == [first.book.number, second.book.number]
    # the content is encrypted at rest: no name in the database file
    raw = (world.data_dir / "emk.db").read_bytes()
    assert "Иванова".encode() not in raw and b"\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd" not in raw

    revoked = await service.revoke(first.id, "ошибка в данных")
    assert revoked is not None
    check, _ = await service.check_by_check_id(first.book.check_id)
    assert check.outcome is CheckOutcome.REVOKED and check.book is not None
    assert check.book.revoked_reason == "ошибка в данных"


async def test_check_page_valid(world: World, client: TestClient) -> None:
    issued = await _issue(world)
    resp = await client.get(f"/b/{issued.book.check_id}", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert resp.status == 200
    assert resp.headers["X-Robots-Tag"].startswith("noindex")
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    html = await resp.text()
    assert '<meta name="robots" content="noindex' in html
    assert re.search(r"(src|href)=\"(https?:)?//", html) is None, "no external resources"
    assert 'src="data:image/jpeg;base64,' in html  # the photo, embedded
    text = _visible(html)
    assert "Подпись верна" in text and issued.book.number in text
    assert "Иванова А. П." in text
    assert "Анна" not in text and "Петровна" not in text  # surname and initials only
    assert "01.02.1990" not in text  # no birth date
    assert "отрицательно" not in text and "Лаборатория" not in text  # no results, no institutions
    assert "Сифилис (RW)" in text and "до 01.03.2027" in text and "до 10.02.2027" in text
    assert "Корь" not in text  # not a required entry


async def test_check_page_english_and_language_switch(world: World, client: TestClient) -> None:
    issued = await _issue(world)
    resp = await client.get(f"/b/{issued.book.check_id}", headers={"Accept-Language": "en-GB,en;q=0.8"})
    text = _visible(await resp.text())
    assert "Signature valid" in text and resp.headers["Content-Language"] == "en"
    resp = await client.get(f"/b/{issued.book.check_id}?lang=ru", headers={"Accept-Language": "en"})
    assert "Подпись верна" in _visible(await resp.text())


async def test_check_page_revoked_not_found_and_tampered(world: World, client: TestClient) -> None:
    assert world.deps is not None
    issued = await _issue(world)
    await world.deps.services.book.revoke(issued.id, "ошибка")
    resp = await client.get(f"/b/{issued.book.check_id}?lang=ru")
    assert resp.status == 200 and "отозвана" in _visible(await resp.text())

    resp = await client.get("/b/" + "x" * 22)
    assert resp.status == 404 and resp.headers["X-Robots-Tag"].startswith("noindex")
    text = _visible(await resp.text())
    assert "не найдена" in text and "Иванова" not in text

    other = await _issue(world, child=True)
    forged = adult_book(check_id=other.book.check_id, number=other.book.number)
    cipher = world.deps.cipher
    async with transaction(world.deps.engine) as conn:
        await conn.execute(update(books).where(books.c.id == other.id).values(
            content=cipher.encrypt(book_canonical(forged).decode(), context="book", row=row_name(other.book.check_id))))
    resp = await client.get(f"/b/{other.book.check_id}")
    text = _visible(await resp.text())
    assert "Подпись не сходится" in text and "Иванов" not in text and "data:image" not in text


async def test_public_key_and_health(world: World, client: TestClient) -> None:
    assert world.deps is not None
    issued = await _issue(world)
    resp = await client.get("/public-key")
    assert resp.status == 200 and resp.headers["X-Robots-Tag"].startswith("noindex")
    key = load_pem_public_key(await resp.read())
    assert isinstance(key, Ed25519PublicKey)
    stored = await world.deps.services.book.books.get(issued.id)
    assert stored is not None
    key.verify(stored.signature, stored.canonical)  # raises if the published key does not verify the book
    resp = await client.get("/healthz")
    assert resp.status == 200 and await resp.text() == "ok\n"
    assert (await client.get("/b/")).status == 404


def test_book_dates_are_today_in_the_operator_zone(world: World) -> None:
    assert world.deps is not None
    assert world.deps.services.book.today() == date(2026, 11, 25)


def test_public_key_command_prints_the_key_it_creates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)  # no .env from the checkout
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAEhBP0av28GBpLrSaZ1XGC3ns5JYUf-kWQ")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["public-key"]) == 0
    first = capsys.readouterr().out
    assert first.startswith("-----BEGIN PUBLIC KEY-----") and (tmp_path / "data" / "signing.key").exists()
    assert main(["public-key"]) == 0 and capsys.readouterr().out == first  # the same key, kept
    assert main(["nonsense"]) == 2


async def test_the_server_serves_on_a_real_socket(world: World) -> None:
    import aiohttp

    from bot.web import start_web

    assert world.deps is not None
    runner = await start_web(create_web_app(world.deps.services.book, world.deps.translator), "127.0.0.1", 0)
    try:
        host, port = runner.addresses[0][:2]
        async with aiohttp.ClientSession() as session, session.get(f"http://{host}:{port}/healthz") as resp:
            assert resp.status == 200
    finally:
        await runner.cleanup()
