"""«Продлить» through the bot: from a reminder's button and from «Моя ЭМК» to the new book, asking only what
changed; staff review and issue it; the old book is superseded (its check says so) and the new one is valid.
And the edges: a second press, someone else's book, a revoked or superseded book, a renewal already sent."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.keyboards import RenewCb
from bot.web import create_web_app
from domain.book import CheckOutcome
from domain.status import Status
from storage.db import transaction
from storage.outbox import outbox
from tests.harness import Person, World
from tests.test_book_staff import _exams_walked
from tests.test_exams import SCAN
from tests.test_review import ALICE, staff_card, staff_press

OLD, NEW = "К-2026-000001", "К-2027-000001"
# Prompts of steps that did not change: a renewal must never show them.
UNCHANGED = ("apply-surname-ask", "apply-snils-ask", "apply-phone-ask", "apply-passport-number-ask",
             "apply-oms-ask", "apply-birth-date-ask", "apply-category-ask", "apply-doc-passport-main-ask")


async def _issued(world: World, tmp_path: Path) -> Person:
    """Anna's first book, issued by staff from her confirmed results (therapist 20.11.2026, attestation
    22.11.2026: both valid for 12 months)."""
    anna = await _exams_walked(world, tmp_path)
    await staff_press(world, ALICE, "✅ Подтвердить: Терапевт (профпатолог)")
    await staff_press(world, ALICE, "✅ Подтвердить: Гигиеническая аттестация")
    await staff_press(world, ALICE, "Одобрить")
    await staff_press(world, ALICE, "Выдать ЭМК")
    await world.sweep()
    assert world.deps is not None
    opened = await world.deps.services.book.open(anna.user.id)
    assert opened is not None and opened.book.number == OLD
    return anna


async def _reminder_press(person: Person, book_id: int) -> list[str]:
    """The reminder's «Продлить» button, as the reminders send it: RenewCb(action="start", book=...)."""
    message = person.last_message()
    return await person.send_update(person.updates.callback(
        person.user, RenewCb(action="start", book=book_id).pack(), message=message))


def _prompts(world: World, keys: tuple[str, ...]) -> list[str]:
    assert world.deps is not None
    texts = []
    for key in keys:
        text = world.deps.translator.get("ru", key, child="no")
        texts.append(text.split(".")[0][:40])
    return texts


def _said_since(world: World, person: Person, mark: int) -> str:
    calls = [c for c in world.api.calls[mark:] if str(c.params.get("chat_id")) == str(person.chat_id)]
    return "\n".join(str(c.params.get("text") or c.params.get("caption") or "") for c in calls)


def _buttons(message: dict[str, Any]) -> list[str]:
    return [b["text"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def test_renewal_from_a_reminder_to_the_new_book(world: World, tmp_path: Path) -> None:
    anna = await _issued(world, tmp_path)
    assert world.deps is not None
    services = world.deps.services
    world.clock.advance(timedelta(days=320))  # 11.10.2027: the therapist's exam runs out on 19.11.2027
    mark = len(world.api.calls)

    await _reminder_press(anna, 1)
    assert f"Продление ЭМК {OLD}" in anna.last and "Что изменилось" in anna.last
    assert anna.buttons() == ["Паспорт", "Адрес регистрации", "Работодатель", "Ничего не изменилось →", "Отмена"]
    assert "нажмите «Ничего не изменилось →»" in anna.last
    await _reminder_press(anna, 1)  # pressed twice: the same renewal continues, nothing new
    assert "уже начали продление" in anna.last and "Дальше →" in anna.buttons()
    assert "нажмите «Дальше →»" in anna.last  # the text names the button this screen shows

    await anna.press("Адрес регистрации")  # exactly the address step, with its validation
    assert anna.last.startswith("Личные данные") and "Адрес регистрации с почтовым индексом" in anna.last
    await anna.send("Казань")
    assert "индекс" in anna.said and "Адрес регистрации с почтовым индексом" in anna.last
    await anna.send("420111, г. Казань, ул. Баумана, д. 5")
    assert "страницы паспорта с регистрацией" in anna.last  # the registration page shows the address
    await anna.send_file(SCAN, "registration.png", "image/png")
    await anna.press("Готово")
    await anna.press("Да, всё читается")
    assert "Обновлено: Адрес регистрации" in anna.last and "✅ Адрес регистрации" in anna.buttons()

    await anna.press("Работодатель")
    assert "Где вы работаете" in anna.last or "организации" in anna.last
    await anna.send("ООО «Ромашка»")
    await anna.send("7707083894")  # a wrong check digit: the INN's own check
    assert "ИНН" in anna.said and "ИНН работодателя" in anna.last
    await anna.send("7707083893")
    await anna.send("1027700132195")
    await anna.press("Пропустить")  # OKPO is optional
    await anna.send("Повар")
    await anna.send("01.10.2027")
    assert "Обновлено: Адрес регистрации, Работодатель" in anna.last

    await anna.press("Дальше →")  # the entries that run out within the reminders' 60 days
    assert "Терапевт (профпатолог) — действует до 19.11.2027" in anna.last
    assert "Гигиеническая аттестация — действует до 21.11.2027" in anna.last
    await anna.press("📎 Загрузить: Терапевт (профпатолог)")  # the exam-result flow, before it runs out
    assert anna.last.startswith("Терапевт (профпатолог): пришлите результат"), anna.last
    await anna.send_file(SCAN, "result.png", "image/png")
    await anna.send("05.10.2027")
    await anna.send("ГБУЗ «Городская поликлиника № 5»")
    await anna.press("Годен")
    assert "отправлен" in anna.said.lower() or "на проверке" in anna.said.lower(), anna.said
    await world.sweep()
    await staff_press(world, ALICE, "✅ Подтвердить: Терапевт (профпатолог)")

    await _reminder_press(anna, 1)  # back to the renewal where it was left
    assert "уже начали продление" in anna.last
    await anna.press("Дальше →")
    assert "Терапевт" not in anna.last and "Гигиеническая аттестация — действует до 21.11.2027" in anna.last
    await anna.press("К проверке анкеты →")
    assert anna.last.startswith("Проверьте анкету"), anna.last
    assert "420111, г. Казань, ул. Баумана, д. 5" in anna.last and "ООО «Ромашка»" in anna.last
    await anna.press("✍️ Подписать и отправить")
    await anna.press("Подписать и отправить")
    said = _said_since(world, anna, mark)
    for prompt in _prompts(world, UNCHANGED):  # nothing that did not change was asked
        assert prompt not in said, prompt

    await _reminder_press(anna, 1)  # a renewal already sent: no second application
    assert "уже отправлено" in anna.last and "ЭМК-2027-000001" in anna.last
    apps = await services.applications.list_for(anna.user.id)
    assert [a.renews_book_id for a in apps] == [1, None] and apps[0].status is Status.ACCEPTED

    await world.sweep()
    assert f"Продление книжки {OLD}" in staff_card(world)["text"]
    await staff_press(world, ALICE, "Взять в работу")
    await staff_press(world, ALICE, "Одобрить")
    await staff_press(world, ALICE, "Выдать ЭМК")
    card = staff_card(world)
    assert "Статус: ЭМК выдана" in card["text"] and f"Книжка: {NEW}" in card["text"]
    assert "Выдать ЭМК" not in _buttons(card)

    old = await services.book.check_by_number(OLD)
    new = await services.book.check_by_number(NEW)
    assert old.outcome is CheckOutcome.SUPERSEDED and old.book is not None and old.book.superseded_by == NEW
    assert new.outcome is CheckOutcome.VALID and new.book is not None
    therapist = next(e for e in new.book.entries if e.code == "therapist" and e.done_on.year == 2027)
    assert therapist.valid_until is not None and therapist.valid_until.year == 2028
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    assert profile.draft.renews_book_id is None  # the renewal is over
    assert "staff.supersede_book" in [e["action"] for e in await world.deps.applications.audit_entries(2)]
    renewed = await services.book.books.by_number(NEW)
    assert renewed is not None  # the replaced book's pending reminders went in the issuing transaction
    async with transaction(world.deps.engine) as conn:
        pending = [r[0] for r in await conn.execute(select(outbox.c.dedup_key).where(
            outbox.c.kind == "reminder", outbox.c.status == "pending"))]
    assert pending and all(key.startswith(f"rem:book:{renewed.id}:") for key in pending)

    await anna.command("start")
    await anna.press("Проверить книжку")
    await anna.send(OLD)
    assert f"заменена новой при продлении: {NEW}" in anna.last
    stored = await world.deps.services.book.books.by_number(OLD)
    assert stored is not None and stored.status == "superseded"
    async with TestClient(TestServer(create_web_app(services.book, world.deps.translator))) as web:
        page = await (await web.get(f"/b/{stored.check_id}?lang=ru")).text()
        english = await (await web.get(f"/b/{stored.check_id}?lang=en")).text()
    assert f"Книжка заменена новой при продлении: {NEW}" in page and OLD in page
    assert f"Replaced by a new book on renewal: {NEW}" in english

    await anna.command("start")
    await anna.press("Моя ЭМК")  # the new book first
    assert NEW in anna.last and "Действует до" in anna.last
    assert "🔄 Продлить" in anna.buttons()
    await anna.press(f"Иванова Анна · {OLD}")
    assert f"Книжка заменена новой: {NEW}" in anna.last and "🔄 Продлить" not in anna.buttons()
    await _reminder_press(anna, 1)  # an old reminder of the superseded book
    assert f"уже продлена: действует новая книжка {NEW}" in anna.last
    assert len(await services.applications.list_for(anna.user.id)) == 2


async def test_renewal_from_my_book_and_its_edges(world: World, tmp_path: Path) -> None:
    anna = await _issued(world, tmp_path)
    assert world.deps is not None
    services = world.deps.services
    boris = world.person(5550002, "Борис")
    await boris.command("start")
    await boris.press("Согласен")
    await _reminder_press(boris, 1)  # someone else's book
    assert "не найдена среди ваших" in boris.last
    assert await services.applications.list_for(boris.user.id) == []

    await anna.command("start")
    await anna.press("Моя ЭМК")
    card = anna.last_message()
    await anna.press("🔄 Продлить")
    assert f"Продление ЭМК {OLD}" in anna.last
    await anna.send("что-то не то")  # every state answers other input with its hint
    assert anna.last == world.deps.translator.get("ru", "hint-renewal-changes")
    await anna.press("Отмена")
    assert "Продление сохранено" in anna.last
    await anna.press_on(card, "🔄 Продлить")
    assert "уже начали продление" in anna.last
    await anna.press("Дальше →")
    assert "Все обязательные записи действуют дольше" in anna.last  # 25.11.2026: nothing runs out soon
    await anna.send("текст")
    assert anna.last == world.deps.translator.get("ru", "hint-renewal-entries")
    await anna.press("← Назад")
    assert "Что изменилось" in anna.last
    await anna.press("Паспорт")  # and back out of it without changing anything
    assert "Серия и номер паспорта РФ" in anna.last
    await anna.press("← Назад")
    assert "Что изменилось" in anna.last and "Обновлено" not in anna.last

    opened = await services.book.open(anna.user.id)
    assert opened is not None
    await services.book.revoke(opened.id, "ошибка в данных")
    await anna.press_on(card, "🔄 Продлить")
    assert f"Книжка {OLD} отозвана" in anna.last
    assert len(await services.applications.list_for(anna.user.id)) == 1


async def test_a_priced_renewal_is_paid_again(world: World, tmp_path: Path) -> None:
    from tests.test_payment import priced

    anna = await _issued(world, tmp_path)
    assert world.deps is not None
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    paid = profile.draft.model_copy(update={"payment_exemption": "student", "payment_proof_upload_id": 1})
    await world.deps.profiles.save(profile, paid, "summary")  # the first application's exemption
    await priced(world, tmp_path)  # the operator now sets a price
    await anna.command("start")
    await anna.press("Моя ЭМК")
    await anna.press("🔄 Продлить")
    await anna.press("Ничего не изменилось →")
    await anna.press("К проверке анкеты →")
    assert anna.last.startswith("Оплата · "), anna.last  # what paid for the first book does not pay for this
    profile = (await world.deps.profiles.list_for(anna.user.id))[0]
    assert profile.draft.payment_exemption is None and profile.draft.renews_book_id == 1
