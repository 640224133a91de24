"""The book through the bot, for an adult and for a child's book on the same account: issued → the push with
the card → «Моя ЭМК» → «Скачать PDF» → «Скачать CSV» → switch books → «Проверить» by number → revoked."""

from __future__ import annotations

import csv
import io

import cv2
import numpy as np
from PIL import Image
from pypdf import PdfReader

from services.book import Holder, IssuedBook
from tests.domain.book_samples import adult_book, child_book
from tests.harness import Person, World


async def _issue(world: World, person: Person, *, child: bool) -> IssuedBook:
    assert world.deps is not None
    sample = child_book() if child else adult_book()
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (120, 160, 200)).save(out, format="JPEG")
    name = await world.deps.files.put(out.getvalue())
    upload = await world.deps.uploads.add(owner_id=person.user.id, profile_id=None, kind="photo", sha256="0" * 64,
                                          detected_type="jpeg", size=len(out.getvalue()), storage_name=name)
    holder = Holder(person.user.id, None, sample.surname, sample.name, sample.patronymic, sample.birth_date,
                    photo_upload_id=upload.id)
    return await world.deps.services.book.issue(holder, list(sample.entries), list(sample.required))


def _qr(png: bytes) -> str:
    pixels = cv2.cvtColor(np.asarray(Image.open(io.BytesIO(png)).convert("RGB")), cv2.COLOR_RGB2BGR)
    # OpenCV's two QR detectors (the classic and the ArUco-based one) each miss codes the other reads.
    texts = [str(d.detectAndDecode(pixels)[0]) for d in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco())]
    return next((t for t in texts if t), "")


def _sent(world: World, person: Person, method: str) -> list:
    return [c for c in world.api.calls_to(method) if str(c.params.get("chat_id")) == str(person.chat_id)]


async def test_issue_card_pdf_csv_and_check_for_an_adult_and_a_child(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    assert "Моя ЭМК" not in anna.buttons() and "Проверить книжку" in anna.buttons()

    adult = await _issue(world, anna, child=False)
    child = await _issue(world, anna, child=True)
    assert await world.sweep() == 2
    pushes = {p.params["caption"].split("выдана: ")[1][:13]: p for p in _sent(world, anna, "sendPhoto")}
    assert sorted(pushes) == ["К-2026-000001", "К-2026-000002"]  # delivered in either order
    for issued in (adult, child):
        assert _qr(pushes[issued.book.number].file("photo")) == f"http://localhost:8080/b/{issued.book.check_id}"
    assert await world.sweep() == 0  # sent once

    await anna.command("start")
    await anna.press("Моя ЭМК")
    assert "Иванова Анна Петровна" in anna.last and "К-2026-000001" in anna.last
    assert "Действует до 10.02.2027" in anna.last
    card = _sent(world, anna, "sendPhoto")[-1]
    assert _qr(card.file("photo")) == f"http://localhost:8080/b/{adult.book.check_id}"
    assert {"Скачать PDF", "Скачать CSV", "Проверить"} <= set(anna.buttons())

    await anna.press("Скачать PDF")
    document = _sent(world, anna, "sendDocument")[-1]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(document.file("document"))).pages)
                    .split())
    assert "Иванова Анна Петровна" in text and "Сифилис (RW)" in text and "Корь" in text

    await anna.press("Скачать CSV")
    document = _sent(world, anna, "sendDocument")[-1]
    rows = list(csv.reader(io.StringIO(document.file("document").decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + len(adult.book.entries) and rows[0][0] == "Номер книжки"

    await anna.press("Иванов Пётр · К-2026-000002")  # the child's book on the same account
    assert "Иванов Пётр" in anna.last and "К-2026-000002" in anna.last
    card = _sent(world, anna, "sendPhoto")[-1]
    assert _qr(card.file("photo")) == f"http://localhost:8080/b/{child.book.check_id}"
    await anna.press("Скачать PDF")
    pdf = _sent(world, anna, "sendDocument")[-1].file("document")
    assert "Иванов Пётр" in " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())

    await anna.command("start")
    await anna.press("Проверить книжку")
    assert "номер книжки" in anna.last
    await anna.send("к 2026 2")
    assert "Подпись верна" in anna.last and "Иванов П." in anna.last
    assert "attestation: нет записи" in anna.last and "Не все обязательные записи действуют" in anna.last

    assert world.deps is not None
    await world.deps.services.book.revoke(adult.id, "ошибка в данных")
    await anna.command("start")
    await anna.press("Проверить книжку")
    await anna.send("К-2026-000001")
    assert "отозвана" in anna.last
    await anna.press("Проверить книжку")
    await anna.send("К-2026-000077")
    assert "не найдена" in anna.last


async def test_someone_else_cannot_open_a_book_by_its_id(world: World) -> None:
    anna, boris = world.person(), world.person(5550002, "Борис")
    for p in (anna, boris):
        await p.command("start")
        await p.press("Согласен")
    issued = await _issue(world, anna, child=False)
    assert world.deps is not None
    assert await world.deps.services.book.open(boris.user.id, issued.id) is None
    assert await world.deps.services.book.open(anna.user.id, issued.id) is not None


async def test_an_approved_application_gets_its_book(world: World) -> None:
    from domain.status import Actor, Status
    from storage.applications import Conflict
    from tests.test_review import ALICE, submitted

    assert world.deps is not None
    anna = world.person()
    await submitted(world, anna)
    service = world.deps.services
    app = (await service.applications.list_for(anna.user.id))[0]
    sample = adult_book()
    assert await service.book.issue_for_application(app.id, list(sample.entries), list(sample.required),
                                                    actor_id=ALICE) is None  # not approved yet
    for target in (Status.IN_REVIEW, Status.APPROVED):
        app = await service.applications.change_status(app.id, seen_version=app.version, target=target,
                                                       actor=Actor.STAFF, actor_id=ALICE, audit="test")
        assert not isinstance(app, Conflict)
    issued = await service.book.issue_for_application(app.id, list(sample.entries), list(sample.required),
                                                      actor_id=ALICE, operator="Алиса")
    assert isinstance(issued, IssuedBook)
    assert issued.book.surname == "Иванова" and issued.book.patronymic is None and issued.photo_upload_id
    assert issued.book.photo_sha256 is not None
    assert (await service.applications.own(anna.user.id, app.id)).status is Status.ISSUED  # type: ignore[union-attr]
    await world.sweep()
    assert "ЭМК выдана" in " ".join(str(c.params.get("text")) for c in _sent(world, anna, "sendMessage"))
    push = _sent(world, anna, "sendPhoto")[-1]
    assert "выдана: К-2026-000001" in push.params["caption"]
    assert _qr(push.file("photo")) == f"http://localhost:8080/b/{issued.book.check_id}"
    again = await service.book.issue_for_application(app.id, [], [], actor_id=ALICE)
    assert again is None  # issued once


async def test_check_by_a_photo_of_the_card(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    issued = await _issue(world, anna, child=True)
    await world.sweep()
    card = _sent(world, anna, "sendPhoto")[-1].file("photo")
    assert card is not None

    boris = world.person(5550002, "Борис")  # anyone may check: a stranger shown the card
    await boris.command("start")
    await boris.press("Согласен")
    await boris.press("Проверить книжку")
    await boris.send_photo(_jpeg_without_qr())
    assert "Не удалось прочитать QR-код" in boris.last
    await boris.send_photo(card)  # Telegram re-encodes it as a JPEG of at most 1280 px
    assert "Подпись верна" in boris.last and issued.book.number in boris.last and "Иванов П." in boris.last
    assert "Пётр" not in boris.last and "01.06.2010" not in boris.last


def _jpeg_without_qr() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (90, 90, 90)).save(out, format="JPEG")
    return out.getvalue()


async def test_my_book_entries_with_filters(world: World) -> None:
    anna = world.person()
    await anna.command("start")
    await anna.press("Согласен")
    await _issue(world, anna, child=False)
    await world.sweep()
    await anna.command("start")
    await anna.press("Моя ЭМК")
    await anna.press("Записи")
    lines = anna.last.splitlines()
    assert lines[0] == "Записи · К-2026-000001"
    assert lines[1].startswith("• 01.03.2026 · Сифилис (RW) · отрицательно · Лаборатория «Здоровье» — до 01.03.2027")
    assert lines[4] == "• 04.05.2019 · Корь · V2 · ГП № 5 (со слов владельца)"  # newest first, the holder's word said
    assert "Гигиеническая аттестация" in lines[3] and "Официальную ЭЛМК формирует Центр гигиены" in anna.last
    assert "✅ За всё время" in anna.buttons() and "✅ Все типы" in anna.buttons()

    await anna.press("За 12 месяцев")  # the 2019 vaccination is older than that
    assert "Корь" not in anna.last and "Терапевт (профпатолог)" in anna.last
    await anna.press("Прививки")
    assert "Нет записей с такими фильтрами." in anna.last
    await anna.press("✅ Прививки")  # pressing the chosen one again keeps it
    await anna.press("За всё время")
    assert "Корь" in anna.last and "Терапевт" not in anna.last
    await anna.press("Все типы")
    await anna.press("Аттестация")
    assert "Гигиеническая аттестация" in anna.last and "Сифилис" not in anna.last
    await anna.press("Все типы")
    await anna.press("ГП № 5")  # an institution
    assert "Терапевт" in anna.last and "Корь" in anna.last and "Сифилис" not in anna.last
    assert "✅ ГП № 5" in anna.buttons()

    stranger = world.person(user_id=5550099, first_name="Борис")
    await stranger.command("start")
    await stranger.press("Согласен")
    forged = next(b for row in anna.last_message()["reply_markup"]["inline_keyboard"] for b in row)
    await stranger.press_on({**anna.last_message(), "reply_markup": {"inline_keyboard": [[forged]]}},
                            forged["text"])
    assert not any("Записи" in r for r in stranger.replies)  # another person's book is not shown
    assert "кнопка уже неактуальна" in str(world.api.calls_to("answerCallbackQuery")[-1].params.get("text"))

    await anna.press("← К карточке")
    assert "К-2026-000001" in anna.last and "Скачать PDF" in anna.buttons()
